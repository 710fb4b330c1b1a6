//! Live in-person rounds: the host-paced state machine, the points of an answer
//! and the rankings shown on the projector. Pure: the caller passes the time.
//!
//! Phases: `Lobby` → (start) → `Question` → time runs out (or the host closes it)
//! → reveal (derived: a question whose time and grace have passed) → (results)
//! → `Results` → (next) → `Question` of the next position … → `Ended` (podium).
//! The host may pause a running question (its remaining time is kept) and resume it,
//! and may end the session from any phase.
//!
//! Points (documented for participants): a correct answer earns `CORRECT_POINTS`
//! plus a speed bonus of up to `SPEED_BONUS` points, in proportion to the share of
//! the question's time still left when the server received the answer; a wrong or
//! missing answer earns nothing. The server's clock is the only one that counts.
//!
//! Individual ranking: points (more first) → correct answers (more first) → time
//! used answering correctly (less first) → joining time (earlier first); equal on
//! every key → equal rank. Unit ranking: the average points of the unit's members
//! present (guests count for the unit they chose; everyone who joined is present,
//! answering or not) → more present → name.
use super::time::Millis;
use serde::{Deserialize, Serialize};

pub const CORRECT_POINTS: i64 = 1_000;
pub const SPEED_BONUS: i64 = 500;
/// Answers sent just before the end of a question may arrive this late.
pub const LIVE_GRACE_MS: Millis = 1_000;
pub const MIN_QUESTION_MS: Millis = 5_000;
pub const MAX_QUESTION_MS: Millis = 300_000;
pub const MAX_QUESTIONS: usize = 100;

/// What is stored: the host's last decision. `Reveal` is never stored: it is a
/// `Question` whose time is up.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Stored {
    Lobby,
    /// Question `index` (0-based) runs until `ends_at`; its full time is `question_ms`.
    Question {
        index: i64,
        ends_at: Millis,
    },
    /// Question `index` is paused with `remaining_ms` left.
    Paused {
        index: i64,
        remaining_ms: Millis,
    },
    /// The standings after question `index`.
    Results {
        index: i64,
    },
    Ended,
}

/// What screens show.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Phase {
    Lobby,
    Question,
    Paused,
    Reveal,
    Results,
    Ended,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Start,
    Pause,
    Resume,
    /// Closes the running question before its time is up.
    Reveal,
    Results,
    Next,
    End,
}

impl Action {
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub const ALL: [Action; 7] = [Action::Start, Action::Pause, Action::Resume, Action::Reveal, Action::Results, Action::Next, Action::End];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveError {
    /// The action makes no sense in the current phase.
    NotNow,
    /// An answer to a question that is not running (over, paused or another one).
    QuestionClosed,
}

impl Stored {
    /// The phase screens show at `now`.
    pub fn phase(&self, now: Millis) -> Phase {
        match *self {
            Stored::Lobby => Phase::Lobby,
            Stored::Question { ends_at, .. } if now < ends_at + LIVE_GRACE_MS => Phase::Question,
            Stored::Question { .. } => Phase::Reveal,
            Stored::Paused { .. } => Phase::Paused,
            Stored::Results { .. } => Phase::Results,
            Stored::Ended => Phase::Ended,
        }
    }

    /// The current question's position (0-based), when one is shown.
    pub fn index(&self) -> Option<i64> {
        match *self {
            Stored::Question { index, .. } | Stored::Paused { index, .. } | Stored::Results { index } => Some(index),
            Stored::Lobby | Stored::Ended => None,
        }
    }

    /// When the next change happens by itself (a running question's reveal).
    pub fn wakes_at(&self, now: Millis) -> Option<Millis> {
        match *self {
            Stored::Question { ends_at, .. } if now < ends_at + LIVE_GRACE_MS => Some(ends_at + LIVE_GRACE_MS),
            _ => None,
        }
    }

    /// The host's action at `now`, in a session of `total` questions of `question_ms` each.
    pub fn apply(&self, action: Action, now: Millis, total: i64, question_ms: Millis) -> Result<Stored, LiveError> {
        let phase = self.phase(now);
        let question = |index: i64| Stored::Question { index, ends_at: now + question_ms };
        match (action, *self, phase) {
            (Action::End, Stored::Ended, _) => Err(LiveError::NotNow),
            (Action::End, _, _) => Ok(Stored::Ended),
            (Action::Start, Stored::Lobby, _) if total > 0 => Ok(question(0)),
            (Action::Pause, Stored::Question { index, ends_at }, Phase::Question) => {
                Ok(Stored::Paused { index, remaining_ms: (ends_at - now).max(0) })
            }
            (Action::Resume, Stored::Paused { index, remaining_ms }, _) => Ok(Stored::Question { index, ends_at: now + remaining_ms }),
            // closing early: the grace still lets answers already on their way arrive
            (Action::Reveal, Stored::Question { index, ends_at }, Phase::Question) if ends_at > now => {
                Ok(Stored::Question { index, ends_at: now })
            }
            (Action::Reveal, Stored::Paused { index, .. }, _) => Ok(Stored::Question { index, ends_at: now - LIVE_GRACE_MS }),
            (Action::Results, Stored::Question { index, .. }, Phase::Reveal) => Ok(Stored::Results { index }),
            (Action::Next, Stored::Question { index, .. }, Phase::Reveal) | (Action::Next, Stored::Results { index }, _) => {
                Ok(if index + 1 < total { question(index + 1) } else { Stored::Ended })
            }
            _ => Err(LiveError::NotNow),
        }
    }

    /// Whether an answer to question `index` received at `now` counts, and its points if `correct`.
    pub fn answer(&self, index: i64, correct: bool, now: Millis, question_ms: Millis) -> Result<i64, LiveError> {
        match *self {
            Stored::Question { index: i, ends_at } if i == index && now < ends_at + LIVE_GRACE_MS => {
                Ok(points(correct, ends_at - now, question_ms))
            }
            _ => Err(LiveError::QuestionClosed),
        }
    }

    /// Stored as (phase, index, ends_at or remaining) columns.
    pub fn to_columns(&self) -> (&'static str, i64, Millis) {
        match *self {
            Stored::Lobby => ("lobby", -1, 0),
            Stored::Question { index, ends_at } => ("question", index, ends_at),
            Stored::Paused { index, remaining_ms } => ("paused", index, remaining_ms),
            Stored::Results { index } => ("results", index, 0),
            Stored::Ended => ("ended", -1, 0),
        }
    }

    pub fn from_columns(phase: &str, index: i64, at: Millis) -> Stored {
        match phase {
            "question" => Stored::Question { index, ends_at: at },
            "paused" => Stored::Paused { index, remaining_ms: at },
            "results" => Stored::Results { index },
            "ended" => Stored::Ended,
            _ => Stored::Lobby,
        }
    }
}

/// Points of one answer: nothing when wrong; when correct, `CORRECT_POINTS` plus
/// `SPEED_BONUS` × (time left ÷ question time), rounded down.
pub fn points(correct: bool, left_ms: Millis, question_ms: Millis) -> i64 {
    if !correct {
        return 0;
    }
    let left = left_ms.clamp(0, question_ms.max(1));
    CORRECT_POINTS + SPEED_BONUS * left / question_ms.max(1)
}

/// One participant's totals, for ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub points: i64,
    pub correct: i64,
    pub time_ms: Millis,
    pub joined_at: Millis,
}

impl Standing {
    pub fn key(&self) -> (i64, i64, Millis, Millis) {
        (-self.points, -self.correct, self.time_ms, self.joined_at)
    }
}

/// A unit's live score: the average points of its members present.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitScore<U> {
    pub unit: U,
    pub present: i64,
    pub points: i64,
    pub average: f64,
}

/// Units ranked by the average points of their members present, then by how many are present.
pub fn unit_scores<U: Clone + Ord>(members: impl IntoIterator<Item = (U, i64)>, name: impl Fn(&U) -> String) -> Vec<(i64, UnitScore<U>)> {
    let mut by_unit = std::collections::BTreeMap::<U, (i64, i64)>::new();
    for (unit, points) in members {
        let e = by_unit.entry(unit).or_default();
        e.0 += 1;
        e.1 += points;
    }
    let mut scores: Vec<UnitScore<U>> = by_unit
        .into_iter()
        .map(|(unit, (present, points))| UnitScore { unit, present, points, average: points as f64 / present as f64 })
        .collect();
    // compare the average exactly: points / present as a fraction
    scores.sort_by(|a, b| {
        (b.points as i128 * a.present as i128)
            .cmp(&(a.points as i128 * b.present as i128))
            .then(b.present.cmp(&a.present))
            .then_with(|| name(&a.unit).cmp(&name(&b.unit)))
    });
    let mut out: Vec<(i64, UnitScore<U>)> = Vec::with_capacity(scores.len());
    for (i, s) in scores.into_iter().enumerate() {
        let rank = match out.last() {
            Some((r, prev))
                if prev.points as i128 * s.present as i128 == s.points as i128 * prev.present as i128 && prev.present == s.present =>
            {
                *r
            }
            _ => i as i64 + 1,
        };
        out.push((rank, s));
    }
    out
}

/// A join code: six digits, not starting with 0 (easy to read out and type).
pub fn is_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')
}

/// The order in which a live session shows a question's `n` options: shuffled, and
/// the same on every screen of the session (`seed`, the session's id, and the
/// question's position decide it), so a file's order never tells the answer.
pub fn option_order(seed: u128, position: i64, n: usize) -> Vec<usize> {
    // splitmix64 over the seed's halves and the position
    let mut state = (seed as u64) ^ ((seed >> 64) as u64).rotate_left(17) ^ (position as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Millis = 20_000;

    #[test]
    fn a_session_runs_from_lobby_to_podium() {
        let s = Stored::Lobby;
        assert_eq!(s.phase(0), Phase::Lobby);
        let s = s.apply(Action::Start, 1_000, 2, Q).unwrap();
        assert_eq!(s, Stored::Question { index: 0, ends_at: 21_000 });
        assert_eq!(s.phase(21_999), Phase::Question, "the grace keeps it open");
        assert_eq!(s.phase(22_000), Phase::Reveal);
        assert_eq!(s.wakes_at(5_000), Some(22_000));
        assert_eq!(s.wakes_at(22_000), None);
        assert_eq!(s.apply(Action::Results, 10_000, 2, Q), Err(LiveError::NotNow), "no results while the question runs");
        let s = s.apply(Action::Results, 23_000, 2, Q).unwrap();
        assert_eq!(s, Stored::Results { index: 0 });
        let s = s.apply(Action::Next, 30_000, 2, Q).unwrap();
        assert_eq!(s, Stored::Question { index: 1, ends_at: 50_000 });
        // next straight from the reveal of the last question ends the session
        let s = s.apply(Action::Next, 60_000, 2, Q).unwrap();
        assert_eq!(s, Stored::Ended);
        assert_eq!(s.apply(Action::End, 61_000, 2, Q), Err(LiveError::NotNow));
        assert_eq!(s.apply(Action::Start, 61_000, 2, Q), Err(LiveError::NotNow));
    }

    #[test]
    fn pausing_keeps_the_time_left_and_refuses_answers() {
        let s = Stored::Question { index: 3, ends_at: 20_000 };
        let p = s.apply(Action::Pause, 12_000, 5, Q).unwrap();
        assert_eq!(p, Stored::Paused { index: 3, remaining_ms: 8_000 });
        assert_eq!(p.answer(3, true, 13_000, Q), Err(LiveError::QuestionClosed));
        assert_eq!(p.apply(Action::Pause, 13_000, 5, Q), Err(LiveError::NotNow));
        let r = p.apply(Action::Resume, 100_000, 5, Q).unwrap();
        assert_eq!(r, Stored::Question { index: 3, ends_at: 108_000 });
        assert_eq!(r.answer(3, true, 104_000, Q), Ok(1_000 + 500 * 4_000 / 20_000));
        // a question whose time is up cannot be paused
        assert_eq!(s.apply(Action::Pause, 25_000, 5, Q), Err(LiveError::NotNow));
    }

    #[test]
    fn answers_count_only_for_the_running_question_within_its_time() {
        let s = Stored::Question { index: 1, ends_at: 20_000 };
        assert_eq!(s.answer(0, true, 5_000, Q), Err(LiveError::QuestionClosed), "another question");
        assert_eq!(s.answer(1, false, 5_000, Q), Ok(0));
        assert_eq!(s.answer(1, true, 0, Q), Ok(1_500), "all the time left: the whole bonus");
        assert_eq!(s.answer(1, true, 20_500, Q), Ok(1_000), "in the grace: no bonus");
        assert_eq!(s.answer(1, true, 21_000, Q), Err(LiveError::QuestionClosed));
        assert_eq!(Stored::Lobby.answer(0, true, 0, Q), Err(LiveError::QuestionClosed));
        assert_eq!(Stored::Results { index: 1 }.answer(1, true, 0, Q), Err(LiveError::QuestionClosed));
    }

    #[test]
    fn closing_early_reveals_after_the_grace() {
        let s = Stored::Question { index: 0, ends_at: 20_000 };
        let c = s.apply(Action::Reveal, 8_000, 3, Q).unwrap();
        assert_eq!(c, Stored::Question { index: 0, ends_at: 8_000 });
        assert_eq!(c.phase(8_500), Phase::Question);
        assert_eq!(c.phase(9_000), Phase::Reveal);
        assert_eq!(c.apply(Action::Reveal, 10_000, 3, Q), Err(LiveError::NotNow), "already over");
        let paused = Stored::Paused { index: 0, remaining_ms: 5_000 };
        assert_eq!(paused.apply(Action::Reveal, 50_000, 3, Q).unwrap().phase(50_000), Phase::Reveal);
    }

    #[test]
    fn the_host_can_end_at_any_time() {
        for s in [
            Stored::Lobby,
            Stored::Question { index: 0, ends_at: 9 },
            Stored::Paused { index: 0, remaining_ms: 9 },
            Stored::Results { index: 0 },
        ] {
            assert_eq!(s.apply(Action::End, 5, 3, Q), Ok(Stored::Ended));
        }
        assert_eq!(Stored::Lobby.apply(Action::Start, 0, 0, Q), Err(LiveError::NotNow), "no questions");
        assert_eq!(Stored::Lobby.apply(Action::Next, 0, 3, Q), Err(LiveError::NotNow));
    }

    #[test]
    fn columns_round_trip() {
        for s in [
            Stored::Lobby,
            Stored::Question { index: 2, ends_at: 77 },
            Stored::Paused { index: 1, remaining_ms: 5 },
            Stored::Results { index: 4 },
            Stored::Ended,
        ] {
            let (p, i, at) = s.to_columns();
            assert_eq!(Stored::from_columns(p, i, at), s);
        }
    }

    #[test]
    fn points_have_a_speed_bonus_in_proportion_to_time_left() {
        assert_eq!(points(false, 20_000, Q), 0);
        assert_eq!(points(true, 20_000, Q), 1_500);
        assert_eq!(points(true, 10_000, Q), 1_250);
        assert_eq!(points(true, 1, Q), 1_000);
        assert_eq!(points(true, -300, Q), 1_000);
        assert_eq!(points(true, 99_000, Q), 1_500, "never more than the whole bonus");
    }

    #[test]
    fn units_rank_by_the_average_of_members_present() {
        let members = vec![("A", 3_000), ("A", 1_000), ("B", 2_000), ("C", 2_000), ("C", 2_000), ("D", 0)];
        let ranked = unit_scores(members, |u| u.to_string());
        let view: Vec<(i64, &str, i64, f64)> = ranked.iter().map(|(r, s)| (*r, s.unit, s.present, s.average)).collect();
        assert_eq!(view, vec![(1, "A", 2, 2_000.0), (1, "C", 2, 2_000.0), (3, "B", 1, 2_000.0), (4, "D", 1, 0.0)]);
    }

    #[test]
    fn codes_are_six_digits() {
        assert!(is_code("123456"));
        assert!(!is_code("012345"));
        assert!(!is_code("12345"));
        assert!(!is_code("12a456"));
    }

    #[test]
    fn actions_parse_back() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("restart"), None);
    }

    #[test]
    fn options_are_shuffled_the_same_way_on_every_screen() {
        let seed = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321u128;
        let mut firsts = [0usize; 4];
        for position in 0..400 {
            let order = option_order(seed, position, 4);
            assert_eq!(order, option_order(seed, position, 4), "the same for every screen");
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, vec![0, 1, 2, 3], "a permutation");
            firsts[order[0]] += 1;
        }
        // every option comes first about a quarter of the time
        assert!(firsts.iter().all(|&n| (60..=140).contains(&n)), "{firsts:?}");
        // another session shows other orders
        assert!((0..20).any(|p| option_order(seed, p, 4) != option_order(seed ^ 1 << 70, p, 4)));
        assert!(option_order(seed, 3, 0).is_empty());
    }
}
