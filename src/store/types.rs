//! Records the store reads and writes.
use crate::domain::Role;
use crate::domain::{AttemptStatus, CountingRule, Millis};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub full_name: String,
    pub phone: String,
    pub unit_id: Uuid,
    pub password_hash: String,
    pub role: Role,
    pub created_at: Millis,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub scope_unit_id: Option<Uuid>,
    pub id: Uuid,
    pub full_name: String,
    pub phone: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub password_hash: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Topic {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PoolEntry {
    pub version_id: Uuid,
    pub topic: String,
    pub difficulty: i64,
    pub option_count: i64,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestRecord {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub rules: String,
    pub created_at: Millis,
    /// The unit subtree the contest is for (None: the whole city).
    pub audience_unit_id: Option<Uuid>,
    /// "public" (listed, results public) or "private" (its audience only).
    pub visibility: String,
    pub prizes: crate::domain::prizes::Prizes,
}

/// A participant's counted result in one round of a contest, with their unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    pub id: Uuid,
    pub contest_id: Uuid,
    /// Filled on reads.
    pub contest_title: String,
    pub title: String,
    pub position: i64,
    pub opens_at: Millis,
    pub closes_at: Millis,
    pub question_count: i64,
    pub duration_ms: Millis,
    pub max_attempts: i64,
    pub counting: CountingRule,
    pub prediction_prompt: Option<String>,
    pub created_at: Millis,
    pub options: RoundOptions,
    /// When the results were published (frozen).
    pub published_at: Option<Millis>,
}

/// A round's finer rules; the defaults suit a weekly online round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoundOptions {
    /// Minimum time between the end of one attempt and the start of the next.
    pub min_gap_ms: Millis,
    pub shuffle_options: bool,
    /// What the prediction question asks for: "perfect_scores" or "attempts".
    pub prediction_kind: String,
    pub draw_rules: crate::domain::draw::DrawRules,
}

impl Default for RoundOptions {
    fn default() -> Self {
        Self { min_gap_ms: 0, shuffle_options: true, prediction_kind: "perfect_scores".into(), draw_rules: Default::default() }
    }
}

impl RoundRecord {
    pub fn rules(&self) -> crate::domain::round::RoundRules {
        crate::domain::round::RoundRules {
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            question_count: self.question_count,
            duration_ms: self.duration_ms,
            max_attempts: self.max_attempts,
            counting: self.counting,
        }
    }
}

/// One drawn question of a new attempt: its version and the order its options are shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnItem {
    pub version_id: Uuid,
    /// Positions of the version's options, in display order.
    pub option_order: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct StartRequest {
    pub attempt_id: Uuid,
    pub round_id: Uuid,
    pub user_id: Uuid,
    pub unit_id: Uuid,
    pub now: Millis,
    pub items: Vec<DrawnItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartOutcome {
    pub attempt_id: Uuid,
    /// True when an attempt already in progress was returned instead of a new one.
    pub resumed: bool,
    /// The attempt as it stands after the start (the new one, or the one resumed).
    pub attempt: AttemptRecord,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: Uuid,
    pub round_id: Uuid,
    pub user_id: Uuid,
    pub seq: i64,
    pub status: AttemptStatus,
    pub started_at: Millis,
    pub deadline_at: Millis,
    pub finished_at: Option<Millis>,
    pub score: Option<i64>,
    pub max_score: i64,
    pub time_used_ms: Option<Millis>,
    pub prediction: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub position: i64,
    pub version_id: Uuid,
    pub stem: String,
    /// (option id, text), in the order shown to this participant.
    pub options: Vec<(Uuid, String)>,
    pub chosen_option_id: Option<Uuid>,
}

/// One question of an attempt without its text: which version, the order its
/// options are shown in, and the participant's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceRecord {
    pub position: i64,
    pub version_id: Uuid,
    /// Positions of the version's options, in display order.
    pub option_order: Vec<usize>,
    pub chosen_option_id: Option<Uuid>,
}

/// The text of a question version as served: stem and options by position.
/// Versions never change once written, so they can be kept in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionText {
    pub version_id: Uuid,
    pub stem: String,
    /// (option id, text), by the option's position in the version.
    pub options: Vec<(Uuid, String)>,
}

impl VersionText {
    /// The item as one participant sees it: options in their shown order.
    pub fn item(&self, c: &ChoiceRecord) -> ItemRecord {
        ItemRecord {
            position: c.position,
            version_id: c.version_id,
            stem: self.stem.clone(),
            options: c.option_order.iter().filter_map(|&p| self.options.get(p).cloned()).collect(),
            chosen_option_id: c.chosen_option_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRecord {
    pub position: i64,
    pub version_id: Uuid,
    pub correct_option_id: Uuid,
    pub chosen_option_id: Option<Uuid>,
    pub explanation: String,
    pub source: String,
    pub passage: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParticipationRecord {
    pub round_id: Uuid,
    pub user_id: Uuid,
    pub unit_id: Uuid,
    pub attempts_started: i64,
    pub active_attempt_id: Option<Uuid>,
    pub best_attempt_id: Option<Uuid>,
    pub best_score: Option<i64>,
    pub best_time_ms: Option<i64>,
    pub best_finished_at: Option<i64>,
    pub prediction: Option<i64>,
    /// The prediction's distance from the actual value, once the round is settled.
    pub distance: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StandingRecord {
    pub user_id: Uuid,
    pub full_name: String,
    pub phone: String,
    pub unit_name: String,
    pub score: i64,
    pub time_used_ms: i64,
    pub finished_at: i64,
    pub prediction: Option<i64>,
    /// The prediction's distance from the actual value, once the round is settled.
    pub distance: Option<i64>,
}

/// A question of the bank with its current version, as organizers manage it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankQuestion {
    pub id: Uuid,
    pub key: Option<String>,
    pub status: String,
    pub version: i64,
    pub version_id: Uuid,
    pub updated_at: Millis,
    pub draft: crate::domain::question::QuestionDraft,
}

/// One served version of a question, with which option is correct (server only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    pub version_id: Uuid,
    pub question_id: Uuid,
    pub topic: String,
    pub stem: String,
    pub explanation: String,
    pub source: String,
    pub passage: String,
    /// (option id, text, correct), by position.
    pub options: Vec<(Uuid, String, bool)>,
}

/// What a bank import does to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOp {
    Create {
        draft: crate::domain::question::QuestionDraft,
        status: String,
    },
    /// A new version when `draft` is given; otherwise only the status changes.
    Update {
        question_id: Uuid,
        draft: Option<crate::domain::question::QuestionDraft>,
        status: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PracticeStat {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
}

/// One organizer action: who, when, what, before → after (JSON).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: Millis,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A roster entry: an account created by an organizer, activated later with its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterUser {
    pub id: Uuid,
    pub full_name: String,
    pub phone: String,
    pub position: String,
    pub unit_id: Uuid,
    pub activation_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RosterRow {
    pub full_name: String,
    pub phone: String,
    pub position: String,
    pub activation_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitCode {
    pub id: Uuid,
    pub code: Option<String>,
}

/// One unit's own aggregate in a round or a contest (members directly in the unit).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitAgg {
    pub unit_id: Uuid,
    pub participants: i64,
    pub attempts: i64,
    pub graded: i64,
    pub score_sum: i64,
    pub perfect: i64,
}

/// A participant's row of a contest ranking.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContestEntryRecord {
    pub user_id: Uuid,
    pub full_name: String,
    pub phone: String,
    pub unit_name: String,
    pub rounds: i64,
    pub score: i64,
    pub time_used_ms: i64,
    pub last_finished_at: i64,
    pub distance: i64,
}

/// Attempts started and new participants on one Hanoi calendar day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DailyCount {
    pub day: i64,
    pub attempts: i64,
    pub new_participants: i64,
}

/// What a recompute found different from the maintained aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecomputeReport {
    pub participations_fixed: usize,
    pub rows_rebuilt: u64,
}

/// What a set of aggregates covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggScope {
    Round(Uuid),
    Contest(Uuid),
}

impl AggScope {
    pub fn id(self) -> Uuid {
        match self {
            AggScope::Round(id) | AggScope::Contest(id) => id,
        }
    }
}

/// One answer of a counted attempt, for item analysis.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemResponse {
    pub version_id: Uuid,
    pub attempt_id: Uuid,
    /// The attempt's score.
    pub score: i64,
    /// The chosen option's position in the version's own order.
    pub chosen: Option<i64>,
    pub answered_at: Option<Millis>,
    pub started_at: Millis,
}

/// An item analysis as kept: the rounds it was computed from, when, and its JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedAnalysis {
    pub rounds: String,
    pub computed_at: Millis,
    pub body: String,
}
