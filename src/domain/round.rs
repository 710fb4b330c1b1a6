//! Rounds of a contest: their window, rules and status.
use super::time::Millis;
use serde::{Deserialize, Serialize};

/// Which of a participant's attempts counts for the round.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CountingRule {
    /// Higher score, then shorter time used, then earlier submission.
    #[default]
    Best,
    First,
    Last,
}

impl CountingRule {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    Upcoming,
    Open,
    Closed,
}

/// The rules of a round that the domain needs.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRules {
    pub opens_at: Millis,
    pub closes_at: Millis,
    pub question_count: i64,
    pub duration_ms: Millis,
    pub max_attempts: i64,
    pub counting: CountingRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundRuleError {
    ClosesBeforeOpens,
    QuestionCount,
    Duration,
    Attempts,
}

pub const MAX_QUESTIONS: i64 = 100;
pub const MAX_ATTEMPTS: i64 = 100;
/// 2100-01-01 00:00 UTC, in milliseconds: no round closes later.
pub const LATEST_CLOSE: Millis = 4_102_444_800_000;

impl RoundRules {
    /// Open from `opens_at` (inclusive) to `closes_at` (exclusive).
    pub fn status(&self, now: Millis) -> RoundStatus {
        if now < self.opens_at {
            RoundStatus::Upcoming
        } else if now < self.closes_at {
            RoundStatus::Open
        } else {
            RoundStatus::Closed
        }
    }

    pub fn check(&self) -> Result<(), RoundRuleError> {
        // a window opens after 1970 and closes before 2100 (and arithmetic on it cannot overflow)
        if self.closes_at <= self.opens_at || self.opens_at < 0 || self.closes_at > LATEST_CLOSE {
            return Err(RoundRuleError::ClosesBeforeOpens);
        }
        if !(1..=MAX_QUESTIONS).contains(&self.question_count) {
            return Err(RoundRuleError::QuestionCount);
        }
        if self.duration_ms < 1_000 || self.duration_ms > 24 * 3_600_000 {
            return Err(RoundRuleError::Duration);
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.max_attempts) {
            return Err(RoundRuleError::Attempts);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RoundRules {
        RoundRules {
            opens_at: 1_000,
            closes_at: 2_000,
            question_count: 20,
            duration_ms: 900_000,
            max_attempts: 3,
            counting: CountingRule::Best,
        }
    }

    #[test]
    fn status_follows_the_window() {
        let r = rules();
        assert_eq!(r.status(999), RoundStatus::Upcoming);
        assert_eq!(r.status(1_000), RoundStatus::Open);
        assert_eq!(r.status(1_999), RoundStatus::Open);
        assert_eq!(r.status(2_000), RoundStatus::Closed);
    }

    #[test]
    fn checks_rules() {
        assert_eq!(rules().check(), Ok(()));
        let mut r = rules();
        r.closes_at = 1_000;
        assert_eq!(r.check(), Err(RoundRuleError::ClosesBeforeOpens));
        let mut r = rules();
        r.closes_at = i64::MAX;
        assert_eq!(r.check(), Err(RoundRuleError::ClosesBeforeOpens), "a window past 2100");
        let mut r = rules();
        r.opens_at = -1;
        assert_eq!(r.check(), Err(RoundRuleError::ClosesBeforeOpens));
        let mut r = rules();
        r.question_count = 0;
        assert_eq!(r.check(), Err(RoundRuleError::QuestionCount));
        let mut r = rules();
        r.duration_ms = 10;
        assert_eq!(r.check(), Err(RoundRuleError::Duration));
        let mut r = rules();
        r.max_attempts = 0;
        assert_eq!(r.check(), Err(RoundRuleError::Attempts));
    }

    #[test]
    fn counting_rule_names() {
        for c in [CountingRule::Best, CountingRule::First, CountingRule::Last] {
            assert_eq!(CountingRule::parse(c.as_str()), Some(c));
        }
    }
}
