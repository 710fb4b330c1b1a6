//! The attempt state machine: in progress → submitted | expired, with the server's deadline.
use super::round::CountingRule;
use super::time::Millis;
use serde::{Deserialize, Serialize};

/// Answers that arrive this long after the deadline are still accepted: they were
/// chosen in time but slowed down by the network.
pub const GRACE_MS: Millis = 5_000;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AttemptStatus {
    InProgress,
    /// Submitted by the participant (or by their browser at the deadline).
    Submitted,
    /// Finalised by the server after the deadline passed without a submission.
    Expired,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    pub fn is_final(self) -> bool {
        self != AttemptStatus::InProgress
    }
}

/// The server's deadline: the attempt's own duration, cut by the round's close.
pub fn deadline(started_at: Millis, duration_ms: Millis, round_closes_at: Millis) -> Millis {
    (started_at + duration_ms).min(round_closes_at)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptError {
    /// The attempt is already submitted or expired.
    Finished,
    /// The deadline (plus grace) has passed.
    DeadlinePassed,
}

/// Whether an answer may be saved now.
pub fn check_answer(status: AttemptStatus, deadline: Millis, now: Millis) -> Result<(), AttemptError> {
    if status.is_final() {
        Err(AttemptError::Finished)
    } else if now > deadline + GRACE_MS {
        Err(AttemptError::DeadlinePassed)
    } else {
        Ok(())
    }
}

/// What finalising an in-progress attempt at `now` makes of it: submitted in
/// time, or expired when the deadline and its grace are over.
pub fn finalise(status: AttemptStatus, deadline: Millis, now: Millis, by_participant: bool) -> Result<AttemptStatus, AttemptError> {
    if status.is_final() {
        return Err(AttemptError::Finished);
    }
    Ok(if by_participant && now <= deadline + GRACE_MS { AttemptStatus::Submitted } else { AttemptStatus::Expired })
}

/// Time used: from start to the submission, never beyond the deadline.
pub fn time_used(started_at: Millis, finished_at: Millis, deadline: Millis) -> Millis {
    (finished_at.min(deadline) - started_at).max(0)
}

/// One graded answer: did the participant choose the correct option?
pub fn score(answers: impl IntoIterator<Item = (Option<uuid::Uuid>, uuid::Uuid)>) -> i64 {
    answers.into_iter().filter(|(chosen, correct)| *chosen == Some(*correct)).count() as i64
}

/// A finished attempt, as far as choosing the counted one is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub score: i64,
    pub time_used_ms: Millis,
    pub finished_at: Millis,
}

impl Outcome {
    /// Higher score, then shorter time, then earlier finish.
    pub fn beats(&self, other: &Outcome) -> bool {
        (-self.score, self.time_used_ms, self.finished_at) < (-other.score, other.time_used_ms, other.finished_at)
    }
}

/// Whether a newly finished attempt replaces the counted one under `rule`.
pub fn replaces(rule: CountingRule, new: &Outcome, counted: Option<&Outcome>) -> bool {
    match (rule, counted) {
        (_, None) => true,
        (CountingRule::First, Some(_)) => false,
        (CountingRule::Last, Some(_)) => true,
        (CountingRule::Best, Some(old)) => new.beats(old),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn deadline_is_cut_by_round_close() {
        assert_eq!(deadline(1_000, 900, 5_000), 1_900);
        assert_eq!(deadline(4_500, 900, 5_000), 5_000);
    }

    #[test]
    fn answers_accepted_until_grace_ends() {
        use AttemptStatus::*;
        assert_eq!(check_answer(InProgress, 10_000, 10_000), Ok(()));
        assert_eq!(check_answer(InProgress, 10_000, 10_000 + GRACE_MS), Ok(()));
        assert_eq!(check_answer(InProgress, 10_000, 10_001 + GRACE_MS), Err(AttemptError::DeadlinePassed));
        assert_eq!(check_answer(Submitted, 10_000, 0), Err(AttemptError::Finished));
        assert_eq!(check_answer(Expired, 10_000, 0), Err(AttemptError::Finished));
    }

    #[test]
    fn state_machine() {
        use AttemptStatus::*;
        assert_eq!(finalise(InProgress, 100, 50, true), Ok(Submitted));
        assert_eq!(finalise(InProgress, 100, 100 + GRACE_MS, true), Ok(Submitted));
        assert_eq!(finalise(InProgress, 100, 101 + GRACE_MS, true), Ok(Expired));
        assert_eq!(finalise(InProgress, 100, 200, false), Ok(Expired));
        assert_eq!(finalise(Submitted, 100, 50, true), Err(AttemptError::Finished));
        assert_eq!(finalise(Expired, 100, 50, false), Err(AttemptError::Finished));
        for s in [InProgress, Submitted, Expired] {
            assert_eq!(AttemptStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn time_used_stops_at_deadline() {
        assert_eq!(time_used(1_000, 1_500, 2_000), 500);
        assert_eq!(time_used(1_000, 9_000, 2_000), 1_000);
    }

    #[test]
    fn scoring_counts_correct_choices() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(score([(Some(a), a), (Some(b), a), (None, b), (Some(b), b)]), 2);
    }

    #[test]
    fn counted_attempt_by_rule() {
        let o = |score, t, f| Outcome { score, time_used_ms: t, finished_at: f };
        let old = o(8, 100, 1_000);
        assert!(replaces(CountingRule::Best, &o(9, 500, 2_000), Some(&old)));
        assert!(replaces(CountingRule::Best, &o(8, 90, 2_000), Some(&old)));
        assert!(!replaces(CountingRule::Best, &o(8, 100, 2_000), Some(&old)));
        assert!(!replaces(CountingRule::Best, &o(7, 1, 2_000), Some(&old)));
        assert!(!replaces(CountingRule::First, &o(10, 1, 2_000), Some(&old)));
        assert!(replaces(CountingRule::Last, &o(0, 1, 2_000), Some(&old)));
        assert!(replaces(CountingRule::First, &old, None));
    }
}
