//! Item analysis: how each question of a closed round worked, from the graded
//! attempts (classical test theory, as Moodle's quiz statistics report it).
//!
//! For every question version: how often it was served; its facility index (the
//! share who answered it right); its discrimination, both as the point-biserial
//! correlation between answering it right and the score on the *rest* of the test
//! (the question itself left out, so it does not correlate with itself) and as the
//! upper-minus-lower index (facility among the best 27 % minus facility among the
//! weakest 27 % of those it was served to, ranked by total score); how often each
//! option was chosen, overall and by the upper and lower groups; and the mean time
//! spent where the time is known.
//!
//! Flags, each a hint for a person to look at, never a verdict: discrimination
//! negative or near zero, a distractor nobody chose, facility above 95 % or below
//! 10 %, and a key the upper group chose less often than some distractor (a likely
//! wrong key). Flags other than the unused distractor need at least `MIN_SERVED`
//! responses: below that, chance decides the figures.
use super::time::Millis;
use serde::{Deserialize, Serialize};

/// A round's attempts are all graded once its close, the deadline's grace and the
/// sweeper's turn have passed: only then is its analysis computed (and kept).
pub const SETTLE_MS: Millis = super::attempt::GRACE_MS + 10_000;

pub fn ready(closes_at: Millis, now: Millis) -> bool {
    now >= closes_at.saturating_add(SETTLE_MS)
}

/// Fewer responses than this raise no flag but the unused distractor.
pub const MIN_SERVED: usize = 20;
/// Discrimination below this (and not negative) is "near zero".
pub const LOW_DISCRIMINATION: f64 = 0.1;
pub const TOO_EASY: f64 = 0.95;
pub const TOO_HARD: f64 = 0.10;
/// The share of respondents in each of the upper and lower groups.
pub const GROUP_SHARE: f64 = 0.27;

/// One respondent's answer to one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// The respondent's total score on the whole attempt.
    pub total: i64,
    /// The option chosen (its index in the version's own order), if any.
    pub chosen: Option<usize>,
    /// Time spent on the question, where known.
    pub time_ms: Option<i64>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    NegativeDiscrimination,
    LowDiscrimination,
    /// A distractor (by option index) that nobody chose.
    UnusedDistractor {
        option: usize,
    },
    TooEasy,
    TooHard,
    /// The upper group chose this distractor more often than the key.
    LikelyWrongKey {
        option: usize,
    },
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionCount {
    pub chosen: i64,
    pub upper: i64,
    pub lower: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub served: i64,
    /// Answered right ÷ served (0 when never served).
    pub facility: f64,
    /// Point-biserial correlation with the rest-of-test score; `None` when it is
    /// undefined (fewer than two respondents, or nobody or everybody right, or every
    /// rest score equal).
    pub discrimination: Option<f64>,
    /// Facility of the upper 27 % minus that of the lower 27 %.
    pub upper_lower: Option<f64>,
    /// Per option, in the version's own order.
    pub options: Vec<OptionCount>,
    /// Nobody chose an option.
    pub unanswered: i64,
    pub mean_time_ms: Option<f64>,
    pub flags: Vec<Flag>,
}

/// An option's letter as participants see it on paper (A, B, C …).
pub fn option_letter(i: usize) -> char {
    (b'A' + (i as u8).min(25)) as char
}

/// Analyses one question: `key` is the index of its correct option among `options`.
pub fn analyse(options: usize, key: usize, responses: &[Response]) -> ItemStats {
    let n = responses.len();
    let right = |r: &Response| r.chosen == Some(key);
    let correct = responses.iter().filter(|r| right(r)).count();
    let facility = if n == 0 { 0.0 } else { correct as f64 / n as f64 };

    // point-biserial against the rest of the test
    let rest: Vec<f64> = responses.iter().map(|r| (r.total - i64::from(right(r))) as f64).collect();
    let discrimination = (n >= 2 && correct > 0 && correct < n)
        .then(|| {
            let mean = rest.iter().sum::<f64>() / n as f64;
            let sd = (rest.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
            (sd > 0.0).then(|| {
                let (mut m1, mut m0) = (0.0, 0.0);
                for (r, x) in responses.iter().zip(&rest) {
                    if right(r) {
                        m1 += x;
                    } else {
                        m0 += x;
                    }
                }
                let (c, w) = (correct as f64, (n - correct) as f64);
                (m1 / c - m0 / w) / sd * (facility * (1.0 - facility)).sqrt()
            })
        })
        .flatten();

    // upper and lower groups by total score (ties broken by order of arrival)
    let mut ranked: Vec<&Response> = responses.iter().collect();
    ranked.sort_by(|a, b| b.total.cmp(&a.total));
    let k = ((n as f64) * GROUP_SHARE).round() as usize;
    let (upper, lower) = if k == 0 { (&ranked[..0], &ranked[..0]) } else { (&ranked[..k], &ranked[n - k..]) };
    let share_right = |g: &[&Response]| g.iter().filter(|r| right(r)).count() as f64 / g.len() as f64;
    let upper_lower = (k > 0).then(|| share_right(upper) - share_right(lower));

    let count = |g: &[&Response], o: usize| g.iter().filter(|r| r.chosen == Some(o)).count() as i64;
    let all: Vec<&Response> = responses.iter().collect();
    let counts: Vec<OptionCount> =
        (0..options).map(|o| OptionCount { chosen: count(&all, o), upper: count(upper, o), lower: count(lower, o) }).collect();
    let unanswered = responses.iter().filter(|r| r.chosen.is_none()).count() as i64;
    let times: Vec<i64> = responses.iter().filter_map(|r| r.time_ms).collect();
    let mean_time_ms = (!times.is_empty()).then(|| times.iter().sum::<i64>() as f64 / times.len() as f64);

    let mut flags = Vec::new();
    if n > 0 {
        for (o, c) in counts.iter().enumerate() {
            if o != key && c.chosen == 0 {
                flags.push(Flag::UnusedDistractor { option: o });
            }
        }
    }
    if n >= MIN_SERVED {
        match discrimination {
            Some(d) if d < 0.0 => flags.push(Flag::NegativeDiscrimination),
            Some(d) if d < LOW_DISCRIMINATION => flags.push(Flag::LowDiscrimination),
            _ => {}
        }
        if facility > TOO_EASY {
            flags.push(Flag::TooEasy);
        }
        if facility < TOO_HARD {
            flags.push(Flag::TooHard);
        }
        let key_upper = counts.get(key).map(|c| c.upper).unwrap_or(0);
        if let Some((o, _)) = counts.iter().enumerate().filter(|(o, c)| *o != key && c.upper > key_upper).max_by_key(|(_, c)| c.upper) {
            flags.push(Flag::LikelyWrongKey { option: o });
        }
    }
    ItemStats { served: n as i64, facility, discrimination, upper_lower, options: counts, unanswered, mean_time_ms, flags }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(total: i64, chosen: Option<usize>) -> Response {
        Response { total, chosen, time_ms: None }
    }

    #[test]
    fn facility_and_point_biserial_by_hand() {
        // four respondents, key 0: the two right ones have rest scores 4 and 3,
        // the wrong ones 1 and 0 (totals include this question for the right ones)
        let rs = [r(5, Some(0)), r(4, Some(0)), r(1, Some(1)), r(0, None)];
        let s = analyse(4, 0, &rs);
        assert_eq!(s.served, 4);
        assert_eq!(s.facility, 0.5);
        // rest = [4, 3, 1, 0]: mean 2, sd sqrt(2.5); (3.5 - 0.5) / sqrt(2.5) * 0.5
        let expected = 3.0 / 2.5f64.sqrt() * 0.5;
        assert!((s.discrimination.unwrap() - expected).abs() < 1e-9, "{:?}", s.discrimination);
        assert_eq!(s.options[0].chosen, 2);
        assert_eq!(s.options[1].chosen, 1);
        assert_eq!(s.unanswered, 1);
        // 27 % of 4 rounds to 1: the best is right, the weakest is not
        assert_eq!(s.upper_lower, Some(1.0));
        assert!(s.flags.contains(&Flag::UnusedDistractor { option: 2 }));
        assert!(s.flags.contains(&Flag::UnusedDistractor { option: 3 }));
        assert_eq!(s.flags.len(), 2, "too few responses for the other flags: {:?}", s.flags);
    }

    #[test]
    fn undefined_discrimination_when_everyone_agrees() {
        let all_right: Vec<Response> = (0..30).map(|i| r(i % 5 + 1, Some(2))).collect();
        let s = analyse(4, 2, &all_right);
        assert_eq!(s.facility, 1.0);
        assert_eq!(s.discrimination, None);
        assert!(s.flags.contains(&Flag::TooEasy));
        let s = analyse(4, 2, &[]);
        assert_eq!((s.served, s.facility, s.discrimination, s.upper_lower), (0, 0.0, None, None));
        assert!(s.flags.is_empty());
    }

    #[test]
    fn a_likely_wrong_key_and_negative_discrimination() {
        // the strong choose option 1, the weak the key 0: the key is probably wrong
        let mut rs = Vec::new();
        for i in 0..20 {
            rs.push(r(10 + i % 3, Some(1)));
            rs.push(r(1 + i % 2, Some(0)));
        }
        rs.push(r(5, Some(2)));
        rs.push(r(5, Some(3)));
        let s = analyse(4, 0, &rs);
        assert!(s.discrimination.unwrap() < 0.0);
        assert!(s.upper_lower.unwrap() < 0.0);
        assert!(s.flags.contains(&Flag::NegativeDiscrimination), "{:?}", s.flags);
        assert!(s.flags.contains(&Flag::LikelyWrongKey { option: 1 }), "{:?}", s.flags);
        assert!(!s.flags.iter().any(|f| matches!(f, Flag::UnusedDistractor { .. })));
    }

    #[test]
    fn a_good_item_raises_no_flag() {
        // the stronger the respondent, the likelier right; every distractor tempts someone
        let mut rs = Vec::new();
        for total in 0..40i64 {
            let chosen = if total >= 15 { Some(0) } else { Some(1 + (total as usize % 3)) };
            rs.push(Response { total, chosen, time_ms: Some(10_000 + total * 100) });
        }
        let s = analyse(4, 0, &rs);
        assert!(s.discrimination.unwrap() > 0.5);
        assert!(s.facility > 0.5 && s.facility < 0.95);
        assert_eq!(s.flags, vec![]);
        assert_eq!(s.mean_time_ms, Some(10_000.0 + 19.5 * 100.0));
        // upper group: 11 strongest all right; lower: 11 weakest all wrong
        assert_eq!(s.upper_lower, Some(1.0));
        assert_eq!(s.options[0].upper, 11);
        assert_eq!(s.options[0].lower, 0);
    }
}
