//! Questions of the bank and their validation.
use serde::{Deserialize, Serialize};

pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 6;
pub const MAX_STEM: usize = 500;
pub const MAX_OPTION: usize = 300;
pub const MAX_GROUP: usize = 60;
pub const MAX_EXPLANATION: usize = 2_000;

/// A question as written by an author, before it is stored.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionDraft {
    /// Stable key of the shipped bank ("bc-001"); organizers' questions may have none.
    #[cfg_attr(feature = "ssr", schema(max_length = 40))]
    pub key: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 40))]
    pub topic: String,
    /// 1 easy, 2 medium, 3 hard.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 3))]
    pub difficulty: i64,
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = r"\S"))]
    pub stem: String,
    #[cfg_attr(feature = "ssr", schema(min_items = 2, max_items = 6))]
    pub options: Vec<String>,
    /// Index (0-based) of the one correct option.
    #[cfg_attr(feature = "ssr", schema(maximum = 5))]
    pub correct: usize,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = r"\S"))]
    pub explanation: String,
    /// Source document of the fact the question rests on.
    #[cfg_attr(feature = "ssr", schema(pattern = r"\S"))]
    pub source: String,
    /// The passage it rests on, summarised.
    #[cfg_attr(feature = "ssr", schema(pattern = r"\S"))]
    pub passage: String,
    /// Questions of one group ask the same fact or give each other away: a draw
    /// serves at most one of them. Empty: a group of its own.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 60))]
    pub group: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionError {
    EmptyStem,
    StemTooLong,
    TooFewOptions,
    TooManyOptions,
    EmptyOption(usize),
    OptionTooLong(usize),
    DuplicateOption(usize),
    CorrectOutOfRange,
    EmptyExplanation,
    ExplanationTooLong,
    MissingCitation,
    BadDifficulty,
    UnknownTopic(String),
    GroupTooLong,
}

impl std::fmt::Display for QuestionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use QuestionError::*;
        match self {
            EmptyStem => write!(f, "thiếu nội dung câu hỏi"),
            StemTooLong => write!(f, "câu hỏi dài quá {MAX_STEM} ký tự"),
            TooFewOptions => write!(f, "cần ít nhất {MIN_OPTIONS} phương án"),
            TooManyOptions => write!(f, "nhiều nhất {MAX_OPTIONS} phương án"),
            EmptyOption(i) => write!(f, "phương án {} để trống", i + 1),
            OptionTooLong(i) => write!(f, "phương án {} dài quá {MAX_OPTION} ký tự", i + 1),
            DuplicateOption(i) => write!(f, "phương án {} trùng với một phương án khác", i + 1),
            CorrectOutOfRange => write!(f, "thiếu đáp án đúng hoặc đáp án không nằm trong các phương án"),
            EmptyExplanation => write!(f, "thiếu giải thích"),
            ExplanationTooLong => write!(f, "giải thích dài quá {MAX_EXPLANATION} ký tự"),
            MissingCitation => write!(f, "thiếu trích dẫn nguồn"),
            BadDifficulty => write!(f, "độ khó phải là 1, 2 hoặc 3"),
            GroupTooLong => write!(f, "tên nhóm dài quá {MAX_GROUP} ký tự"),
            UnknownTopic(t) => write!(f, "chủ đề không tồn tại: {t}"),
        }
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl QuestionDraft {
    /// Every problem of the draft (empty when it is valid). `topics` are the known slugs.
    pub fn problems(&self, topics: &[&str]) -> Vec<QuestionError> {
        use QuestionError::*;
        let mut errs = Vec::new();
        let stem = self.stem.trim();
        if stem.is_empty() {
            errs.push(EmptyStem);
        } else if chars(stem) > MAX_STEM {
            errs.push(StemTooLong);
        }
        if self.options.len() < MIN_OPTIONS {
            errs.push(TooFewOptions);
        }
        if self.options.len() > MAX_OPTIONS {
            errs.push(TooManyOptions);
        }
        for (i, o) in self.options.iter().enumerate() {
            let o = o.trim();
            if o.is_empty() {
                errs.push(EmptyOption(i));
            } else if chars(o) > MAX_OPTION {
                errs.push(OptionTooLong(i));
            } else if self.options[..i].iter().any(|p| crate::domain::text::fold(p) == crate::domain::text::fold(o)) {
                errs.push(DuplicateOption(i));
            }
        }
        if self.correct >= self.options.len() {
            errs.push(CorrectOutOfRange);
        }
        if self.explanation.trim().is_empty() {
            errs.push(EmptyExplanation);
        } else if chars(&self.explanation) > MAX_EXPLANATION {
            errs.push(ExplanationTooLong);
        }
        if self.source.trim().is_empty() || self.passage.trim().is_empty() {
            errs.push(MissingCitation);
        }
        if !(1..=3).contains(&self.difficulty) {
            errs.push(BadDifficulty);
        }
        if !topics.contains(&self.topic.as_str()) {
            errs.push(UnknownTopic(self.topic.clone()));
        }
        if chars(self.group.trim()) > MAX_GROUP {
            errs.push(GroupTooLong);
        }
        errs
    }
}

/// Whether `stem` says the whole of `key` (an option's text), word for word, letter
/// case aside: a question whose stem carries another's answer gives it away. Dates
/// are compared as dates (07/8/2023, 7-8-2023 and 7.8.2023 are one); keys shorter
/// than six characters ("25", "VI") are too common to count, dates and numbers of
/// documents apart.
pub fn gives_away(key: &str, stem: &str) -> bool {
    fn words(s: &str) -> Vec<String> {
        // a dash or a dot between digits joins a date's parts as a slash does
        let chars: Vec<char> = s.to_lowercase().chars().collect();
        let joined: String = chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let between_digits = i > 0 && i + 1 < chars.len() && chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit();
                if (c == '-' || c == '.') && between_digits {
                    '/'
                } else {
                    c
                }
            })
            .collect();
        joined
            .split(|c: char| !(c.is_alphanumeric() || c == '/'))
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.contains('/') {
                    w.split('/').map(|p| p.trim_start_matches('0')).collect::<Vec<_>>().join("/")
                } else {
                    w.to_string()
                }
            })
            .collect()
    }
    let key = key.trim();
    if key.chars().count() < 6 && !key.contains(['/', '-']) {
        return false;
    }
    let (k, s) = (words(key), words(stem));
    !k.is_empty() && s.windows(k.len()).any(|w| w == k.as_slice())
}

/// Problems across a whole bank: each draft's own, and stems that repeat.
/// Returns (index of the question, problem text) pairs.
pub fn validate_bank(drafts: &[QuestionDraft], topics: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stems = std::collections::HashMap::new();
    let mut keys = std::collections::HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for e in d.problems(topics) {
            out.push((i, e.to_string()));
        }
        if let Some(j) = stems.insert(crate::domain::text::fold(&d.stem), i) {
            out.push((i, format!("câu hỏi trùng với câu số {}", j + 1)));
        }
        if let Some(k) = &d.key {
            if let Some(j) = keys.insert(k.clone(), i) {
                out.push((i, format!("mã câu hỏi {k} trùng với câu số {}", j + 1)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> QuestionDraft {
        QuestionDraft {
            key: Some("t-1".into()),
            topic: "boi-canh".into(),
            difficulty: 1,
            stem: "Chỉ thị 24-CT/TU ban hành ngày nào?".into(),
            options: vec!["7/8/2023".into(), "14/8/2023".into()],
            correct: 0,
            explanation: "Ngày ký ban hành.".into(),
            source: "src-1".into(),
            passage: "Đoạn mở đầu.".into(),
            group: String::new(),
        }
    }

    #[test]
    fn a_good_question_has_no_problems() {
        assert!(good().problems(&["boi-canh"]).is_empty());
    }

    #[test]
    fn each_problem_is_reported() {
        let mut q = good();
        q.stem = " ".into();
        q.options = vec!["A".into(), " a ".into(), "".into()];
        q.correct = 5;
        q.explanation = "".into();
        q.passage = "".into();
        q.difficulty = 4;
        q.topic = "khac".into();
        let p = q.problems(&["boi-canh"]);
        use QuestionError::*;
        assert_eq!(
            p,
            vec![
                EmptyStem,
                DuplicateOption(1),
                EmptyOption(2),
                CorrectOutOfRange,
                EmptyExplanation,
                MissingCitation,
                BadDifficulty,
                UnknownTopic("khac".into())
            ]
        );
    }

    #[test]
    fn option_counts() {
        let mut q = good();
        q.options = vec!["A".into()];
        assert!(q.problems(&["boi-canh"]).contains(&QuestionError::TooFewOptions));
        q.options = (0..7).map(|i| i.to_string()).collect();
        assert!(q.problems(&["boi-canh"]).contains(&QuestionError::TooManyOptions));
    }

    #[test]
    fn bank_finds_duplicate_stems_and_keys() {
        let a = good();
        let mut b = good();
        b.stem = "chỉ thị 24-CT/TU  ban hành ngày nào?".into();
        let errs = validate_bank(&[a, b], &["boi-canh"]);
        assert_eq!(errs.len(), 2);
        assert!(errs.iter().all(|(i, _)| *i == 1));
    }

    #[test]
    fn a_stem_gives_a_key_away_word_for_word() {
        assert!(gives_away("7/8/2023", "Chỉ thị ban hành ngày 7/8/2023 yêu cầu gì?"));
        assert!(gives_away("Ban Thường vụ Thành ủy", "Văn bản của ban thường vụ thành ủy Hà Nội"));
        assert!(!gives_away("7/8/2023", "Kế hoạch ngày 17/8/2023"));
        assert!(!gives_away("25", "Năm 2025"));
        assert!(!gives_away("25", "Nhóm 25 biểu hiện"), "too short to count");
        assert!(gives_away("07/8/2023", "ngày 7-8-2023"));
        assert!(gives_away("Kế hoạch số 171-KH/TU", "theo kế hoạch số 171-KH/TU của Thành ủy"));
        assert!(!gives_away("", "bất kỳ"));
    }
}
