//! What the browser keeps of one attempt until the server has acknowledged it: every
//! answer chosen on this device, what the server acknowledged, what it refused for
//! good, a submission waiting for the network, and the last measured clock offset.
//!
//! Pure state (no browser calls), so that its rules are unit-tested natively: an
//! answer counts as saved only once the server acknowledged exactly that choice.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// An answer the server refused for good (past the deadline and its grace, or the
/// attempt already graded), with the server's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub question_id: Uuid,
    pub option_id: Uuid,
    pub message: String,
}

/// A submission asked for on this device and not yet acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSubmit {
    pub prediction: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalAttempt {
    /// The latest choice per question made on this device (or known from the server).
    #[serde(default)]
    pub chosen: BTreeMap<Uuid, Uuid>,
    /// The choice per question that the server acknowledged.
    #[serde(default)]
    pub acked: BTreeMap<Uuid, Uuid>,
    #[serde(default)]
    pub refused: Vec<Refused>,
    #[serde(default)]
    pub submit: Option<PendingSubmit>,
    /// Server clock minus browser clock, as last measured with the network up.
    #[serde(default)]
    pub offset_ms: Option<i64>,
}

impl LocalAttempt {
    /// Merges what the server's page says was saved. What this device already knows
    /// wins: a page served from the cache while offline may be older than the outbox.
    pub fn merge_server(&mut self, saved: impl IntoIterator<Item = (Uuid, Uuid)>) {
        for (q, o) in saved {
            self.acked.entry(q).or_insert(o);
            self.chosen.entry(q).or_insert(o);
        }
    }

    /// An answer chosen on this device: kept before it is sent.
    pub fn choose(&mut self, question: Uuid, option: Uuid) {
        self.chosen.insert(question, option);
        self.refused.retain(|r| r.question_id != question);
    }

    /// Answers chosen and not yet acknowledged, in question order.
    pub fn pending(&self) -> Vec<(Uuid, Uuid)> {
        self.chosen.iter().filter(|(q, o)| self.acked.get(q) != Some(o)).map(|(q, o)| (*q, *o)).collect()
    }

    pub fn pending_count(&self) -> usize {
        self.chosen.iter().filter(|(q, o)| self.acked.get(q) != Some(o)).count()
    }

    /// The server acknowledged `option` for `question` (an older choice's
    /// acknowledgement leaves a newer choice pending).
    pub fn ack(&mut self, question: Uuid, option: Uuid) {
        self.acked.insert(question, option);
    }

    /// The server refused this choice for good: the question falls back to what the
    /// server holds, and the refusal is kept to be shown.
    pub fn refuse(&mut self, question: Uuid, option: Uuid, message: String) {
        if self.chosen.get(&question) == Some(&option) {
            match self.acked.get(&question) {
                Some(saved) => {
                    self.chosen.insert(question, *saved);
                }
                None => {
                    self.chosen.remove(&question);
                }
            }
        }
        self.refused.retain(|r| r.question_id != question);
        self.refused.push(Refused { question_id: question, option_id: option, message });
    }

    /// True when the server acknowledged exactly the answer now chosen.
    pub fn is_saved(&self, question: Uuid) -> bool {
        matches!((self.chosen.get(&question), self.acked.get(&question)), (Some(c), Some(a)) if c == a)
    }

    pub fn answered(&self) -> usize {
        self.chosen.len()
    }
}

/// Waits between tries after a failure: 1 s, 2 s, 4 s … up to 30 s.
pub fn backoff_ms(failures: u32) -> u32 {
    1_000u32.saturating_mul(1 << failures.min(5)).min(30_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(11), Uuid::from_u128(12))
    }

    #[test]
    fn a_choice_is_pending_until_exactly_it_is_acknowledged() {
        let (q1, _, a, b) = ids();
        let mut s = LocalAttempt::default();
        s.choose(q1, a);
        assert_eq!(s.pending(), vec![(q1, a)]);
        assert!(!s.is_saved(q1));
        // the answer changes while the first save is in flight: its ack saves nothing new
        s.choose(q1, b);
        s.ack(q1, a);
        assert!(!s.is_saved(q1));
        assert_eq!(s.pending(), vec![(q1, b)]);
        s.ack(q1, b);
        assert!(s.is_saved(q1));
        assert!(s.pending().is_empty());
    }

    #[test]
    fn the_outbox_wins_over_an_older_page() {
        let (q1, q2, a, b) = ids();
        let mut s = LocalAttempt::default();
        s.choose(q1, b);
        // a page from the cache says q1 = a (older) and q2 = a
        s.merge_server([(q1, a), (q2, a)]);
        assert_eq!(s.chosen[&q1], b);
        assert_eq!(s.chosen[&q2], a);
        assert!(s.is_saved(q2));
        assert_eq!(s.pending(), vec![(q1, b)]);
        assert_eq!(s.answered(), 2);
    }

    #[test]
    fn a_refused_answer_falls_back_to_what_the_server_holds_and_is_remembered() {
        let (q1, q2, a, b) = ids();
        let mut s = LocalAttempt::default();
        s.merge_server([(q1, a)]);
        s.choose(q1, b);
        s.choose(q2, b);
        s.refuse(q1, b, "quá hạn".into());
        s.refuse(q2, b, "quá hạn".into());
        assert_eq!(s.chosen.get(&q1), Some(&a));
        assert_eq!(s.chosen.get(&q2), None);
        assert!(s.pending().is_empty());
        assert_eq!(s.refused.len(), 2);
        // choosing again clears the question's refusal
        s.choose(q2, a);
        assert_eq!(s.refused.len(), 1);
    }

    #[test]
    fn it_survives_a_round_trip_through_storage() {
        let (q1, _, a, _) = ids();
        let mut s = LocalAttempt::default();
        s.choose(q1, a);
        s.submit = Some(PendingSubmit { prediction: Some(12) });
        s.offset_ms = Some(-250);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<LocalAttempt>(&text).unwrap(), s);
        // an empty or older record still reads
        assert_eq!(serde_json::from_str::<LocalAttempt>("{}").unwrap(), LocalAttempt::default());
    }

    #[test]
    fn backoff_doubles_up_to_thirty_seconds() {
        assert_eq!(backoff_ms(0), 1_000);
        assert_eq!(backoff_ms(1), 2_000);
        assert_eq!(backoff_ms(4), 16_000);
        assert_eq!(backoff_ms(5), 30_000);
        assert_eq!(backoff_ms(40), 30_000);
    }
}
