//! First-start seeding of an empty database: the unit tree, the administrator,
//! the question bank from content/, and a demo contest whose first round is
//! open whenever the demo starts.
use super::state::AppState;
use crate::domain::question::{validate_bank, QuestionDraft};
use crate::domain::time::{DAY, HOUR, MINUTE};
use crate::domain::units::{Unit, UnitKind};
use crate::domain::CountingRule;
use crate::model::Role;
use crate::store::{ContestRecord, NewUser, RoundRecord, Topic};
use serde::Deserialize;
use uuid::Uuid;

const TOPICS: &str = include_str!("../../content/topics.toml");
const QUESTIONS: &str = include_str!("../../content/questions.toml");

pub const DEMO_CONTEST: Uuid = Uuid::from_u128(0x24c7_0000_0000_4000_8000_0000_0000_0001);
pub const DEMO_ROUND: Uuid = Uuid::from_u128(0x24c7_0000_0000_4000_8000_0000_0000_0101);

#[derive(Deserialize)]
struct TopicFile {
    topic: Vec<TopicRow>,
}
#[derive(Deserialize)]
struct TopicRow {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
}
#[derive(Deserialize)]
struct QuestionFile {
    question: Vec<QuestionRow>,
}
#[derive(Deserialize)]
struct QuestionRow {
    key: String,
    topic: String,
    difficulty: i64,
    stem: String,
    options: Vec<String>,
    /// 1-based, as authors count.
    answer: usize,
    explanation: String,
    source: String,
    passage: String,
    #[serde(default)]
    group: String,
}

/// The shipped topics, in order.
pub fn shipped_topics() -> Result<Vec<Topic>, String> {
    let f: TopicFile = toml::from_str(TOPICS).map_err(|e| format!("content/topics.toml: {e}"))?;
    Ok(f.topic
        .into_iter()
        .enumerate()
        .map(|(i, t)| Topic { slug: t.slug, name: t.name, description: t.description, position: i as i64 })
        .collect())
}

/// The shipped question bank, validated: every problem is listed.
pub fn shipped_questions() -> Result<Vec<QuestionDraft>, String> {
    let f: QuestionFile = toml::from_str(QUESTIONS).map_err(|e| format!("content/questions.toml: {e}"))?;
    let drafts: Vec<QuestionDraft> = f
        .question
        .into_iter()
        .map(|q| QuestionDraft {
            key: Some(q.key),
            topic: q.topic,
            difficulty: q.difficulty,
            stem: q.stem,
            options: q.options,
            correct: q.answer.wrapping_sub(1),
            explanation: q.explanation,
            source: q.source,
            passage: q.passage,
            group: q.group,
        })
        .collect();
    let topics = shipped_topics()?;
    let slugs: Vec<&str> = topics.iter().map(|t| t.slug.as_str()).collect();
    let problems = validate_bank(&drafts, &slugs);
    if !problems.is_empty() {
        let list: Vec<String> =
            problems.iter().map(|(i, p)| format!("{} ({}): {p}", i + 1, drafts[*i].key.as_deref().unwrap_or(""))).collect();
        return Err(format!("content/questions.toml:\n{}", list.join("\n")));
    }
    Ok(drafts)
}

fn unit(parent: Option<Uuid>, name: &str, kind: UnitKind, headcount: i64) -> Unit {
    Unit { id: Uuid::new_v4(), parent_id: parent, name: name.into(), kind, headcount }
}

/// Seeds an empty database. Returns the generated administrator password when
/// one was generated (to print once).
pub async fn seed_if_empty(state: &AppState) -> Result<Option<String>, String> {
    let store = &state.store;
    let e = |e: crate::store::StoreError| e.to_string();
    if !store.list_units().await.map_err(e)?.is_empty() {
        return Ok(None);
    }
    let now = state.now();
    // Units: the city, its districts, and communes and agencies under two of them.
    // A headcount counts the unit's own members; boards add up those below.
    let city = unit(None, "Thành phố Hà Nội", UnitKind::City, 0);
    store.insert_unit(&city, Some("HN"), now).await.map_err(e)?;
    let tree: &[(&str, &str, i64, &[(&str, UnitKind, i64)])] = &[
        (
            "UH",
            "Huyện Ứng Hòa",
            30,
            &[
                ("Thị trấn Vân Đình", UnitKind::Commune, 120),
                ("Xã Trầm Lộng", UnitKind::Commune, 85),
                ("Xã Đại Hùng", UnitKind::Commune, 70),
                ("Xã Hòa Xá", UnitKind::Commune, 65),
                ("Văn phòng Huyện ủy Ứng Hòa", UnitKind::Agency, 40),
                ("Văn phòng HĐND và UBND huyện Ứng Hòa", UnitKind::Agency, 55),
            ],
        ),
        (
            "TH",
            "Quận Tây Hồ",
            25,
            &[
                ("Phường Quảng An", UnitKind::Commune, 60),
                ("Phường Nhật Tân", UnitKind::Commune, 75),
                ("Phường Bưởi", UnitKind::Commune, 90),
                ("Văn phòng Quận ủy Tây Hồ", UnitKind::Agency, 45),
            ],
        ),
        ("ML", "Huyện Mê Linh", 280, &[]),
        ("LB", "Quận Long Biên", 320, &[]),
        ("CM", "Huyện Chương Mỹ", 300, &[]),
        ("DP", "Huyện Đan Phượng", 260, &[]),
    ];
    for (code, name, head, children) in tree {
        let d = unit(Some(city.id), name, UnitKind::District, *head);
        store.insert_unit(&d, Some(code), now).await.map_err(e)?;
        for (i, (cname, kind, chead)) in children.iter().enumerate() {
            let c = unit(Some(d.id), cname, *kind, *chead);
            store.insert_unit(&c, Some(&format!("{code}-{:02}", i + 1)), now).await.map_err(e)?;
        }
    }
    // The administrator, attached to the city.
    let (password, generated) = match &state.config.admin_password {
        Some(p) => (p.clone(), false),
        None => (super::auth::new_token().0[..16].to_string(), true),
    };
    let phone =
        crate::domain::PhoneNumber::parse(&state.config.admin_phone).map_err(|_| "ADMIN_PHONE is not a valid mobile number".to_string())?;
    let admin = NewUser {
        id: Uuid::new_v4(),
        full_name: "Quản trị viên".into(),
        phone: phone.as_str().into(),
        unit_id: city.id,
        password_hash: super::auth::hash_password(password.clone()).await.map_err(|e| e.message)?,
        role: Role::Admin,
        created_at: now,
    };
    store.insert_user(&admin).await.map_err(e)?;
    // Content.
    for t in shipped_topics()? {
        store.upsert_topic(&t).await.map_err(e)?;
    }
    for q in shipped_questions()? {
        store.insert_question(&q, now).await.map_err(e)?;
    }
    // The demo contest: four weekly rounds, the first open now.
    store
        .save_contest(&ContestRecord {
            id: DEMO_CONTEST,
            title: "Cuộc thi tìm hiểu Chỉ thị 24-CT/TU (thử nghiệm)".into(),
            description: "Cuộc thi trực tuyến bốn tuần về Chỉ thị số 24-CT/TU ngày 7/8/2023 của Ban Thường vụ Thành ủy Hà Nội.".into(),
            rules: "Mỗi tuần 20 câu hỏi trắc nghiệm, 15 phút làm bài, tối đa 3 lượt; lượt có kết quả cao nhất được tính. Câu hỏi dự đoán chỉ được ghi nhận ở lượt nộp bài đầu tiên của mỗi tuần.".into(),
            created_at: now,
            audience_unit_id: None,
            visibility: "public".into(),
            prizes: crate::model::Prizes {
                individual: [("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3), ("Giải Khuyến khích", 5)]
                    .into_iter()
                    .map(|(l, c)| crate::model::PrizeTier { label: l.into(), count: c })
                    .collect(),
                collective: Some(crate::model::CollectivePrize { label: "Giải tập thể".into(), count: 3, by: "participation_rate".into() }),
            },
        })
        .await
        .map_err(e)?;
    for week in 0..4i64 {
        let opens = now - HOUR + week * 7 * DAY;
        let id = if week == 0 { DEMO_ROUND } else { Uuid::new_v4() };
        store
            .save_round(&RoundRecord {
                id,
                contest_id: DEMO_CONTEST,
                contest_title: String::new(),
                title: format!("Tuần {}", week + 1),
                position: week + 1,
                opens_at: opens,
                closes_at: opens + 7 * DAY,
                question_count: 20,
                duration_ms: 15 * MINUTE,
                max_attempts: 3,
                counting: CountingRule::Best,
                prediction_prompt: Some("Theo bạn, tuần này có bao nhiêu người dự thi đạt điểm tuyệt đối?".into()),
                created_at: now,
                options: Default::default(),
                published_at: None,
            })
            .await
            .map_err(e)?;
    }
    Ok(generated.then_some(password))
}

/// Keeps the demo round open whenever the demo starts.
pub async fn keep_demo_round_open(state: &AppState) -> Result<(), String> {
    let now = state.now();
    if let Some(r) = state.store.get_round(DEMO_ROUND).await.map_err(|e| e.to_string())? {
        if r.rules().status(now) != crate::domain::RoundStatus::Open {
            state.store.set_round_window(DEMO_ROUND, now - HOUR, now + 7 * DAY).await.map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_bank_is_valid() {
        let topics = super::shipped_topics().unwrap();
        assert_eq!(topics.len(), 6);
        let bank = super::shipped_questions().unwrap_or_else(|e| panic!("{e}"));
        assert!(bank.len() >= 170, "{} questions", bank.len());
        for t in &topics {
            assert!(bank.iter().any(|q| q.topic == t.slug), "no question on {}", t.slug);
        }
    }

    /// No question's answer stands in the stem of a question it may be drawn with:
    /// such pairs share a group, and a draw serves one question of a group.
    #[test]
    fn no_drawable_pair_gives_an_answer_away() {
        use crate::domain::question::gives_away;
        let bank = super::shipped_questions().unwrap();
        let mut found = Vec::new();
        for (i, a) in bank.iter().enumerate() {
            let key = &a.options[a.correct];
            for (j, b) in bank.iter().enumerate() {
                if i != j && gives_away(key, &b.stem) && (a.group.is_empty() || a.group != b.group) {
                    found.push(format!("{} «{key}» in the stem of {}", a.key.as_deref().unwrap_or("?"), b.key.as_deref().unwrap_or("?")));
                }
            }
        }
        assert!(found.is_empty(), "{} pairs:\n{}", found.len(), found.join("\n"));
        // and the draw itself, over the shipped bank: 30 questions, many seeds
        let cands: Vec<crate::domain::draw::Candidate> =
            bank.iter().map(|q| crate::domain::draw::Candidate { topic: &q.topic, difficulty: q.difficulty, group: &q.group }).collect();
        let mut s = 24u64;
        let mut random = move |k: usize| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as usize) % k
        };
        for _ in 0..500 {
            let picked = crate::domain::draw::plan(&cands, &Default::default(), 30, &mut random).unwrap();
            for &i in &picked {
                for &j in &picked {
                    let a = &bank[i];
                    assert!(i == j || !gives_away(&a.options[a.correct], &bank[j].stem));
                }
            }
        }
    }

    /// The correct option is spread over the positions (rounds shuffle, but the file
    /// should not lean either way): each position holds about a quarter of the keys.
    #[test]
    fn correct_options_are_balanced_over_positions() {
        let bank = super::shipped_questions().unwrap();
        let mut at = [0usize; 4];
        for q in bank.iter().filter(|q| q.options.len() == 4) {
            at[q.correct] += 1;
        }
        let quarter = at.iter().sum::<usize>() / 4;
        assert!(at.iter().all(|&n| n.abs_diff(quarter) <= 4), "{at:?}");
    }
}
