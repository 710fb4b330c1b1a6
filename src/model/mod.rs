//! Types shared by the server and the browser: what the API and the server
//! functions send. None of them carries the correct option of an ungraded attempt.
pub use crate::domain::prizes::{CollectivePrize, PrizeTier, Prizes};
pub use crate::domain::Role;
use crate::domain::{units::UnitKind, AttemptStatus, Millis, RoundStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod bank;
mod boards;
mod contests;
pub use bank::*;
pub use boards::*;
pub use contests::*;

/// The largest request body the server reads, but where files are uploaded.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The largest file an organizer may upload (imports).
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDto {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: UnitKind,
    pub headcount: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: Uuid,
    pub full_name: String,
    pub phone_masked: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub role: Role,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 2, max_length = 100, pattern = r"\S[\s\S]*\S"))]
    pub full_name: String,
    #[cfg_attr(feature = "ssr", schema(pattern = r"^[0-9+ .()-]+$", min_length = 10, max_length = 32))]
    pub phone: String,
    pub unit_id: Uuid,
    #[cfg_attr(feature = "ssr", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInput {
    #[cfg_attr(feature = "ssr", schema(max_length = 32))]
    pub phone: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 128))]
    pub password: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    pub id: Uuid,
    pub contest_id: Uuid,
    pub contest_title: String,
    pub title: String,
    pub opens_at: Millis,
    pub closes_at: Millis,
    pub question_count: i64,
    pub duration_ms: Millis,
    pub max_attempts: i64,
    pub status: RoundStatus,
    pub prediction_prompt: Option<String>,
    /// The contest's rules, shown to participants.
    #[serde(default)]
    pub contest_rules: String,
    /// The caller's own figures, when logged in.
    pub mine: Option<MyRound>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRound {
    pub attempts_used: i64,
    pub active_attempt_id: Option<Uuid>,
    pub best_score: Option<i64>,
    pub best_time_ms: Option<Millis>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    pub id: Uuid,
    pub text: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    /// The identifier of the question (its served version) within this attempt.
    pub question_id: Uuid,
    pub position: i64,
    pub stem: String,
    pub options: Vec<OptionView>,
    pub chosen_option_id: Option<Uuid>,
}

/// An attempt as its participant sees it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: Uuid,
    pub round_id: Uuid,
    pub round_title: String,
    pub contest_title: String,
    pub seq: i64,
    pub status: AttemptStatus,
    pub started_at: Millis,
    pub deadline_at: Millis,
    /// The server's clock when this view was made: the browser corrects its own by it.
    pub server_now: Millis,
    pub prediction_prompt: Option<String>,
    pub items: Vec<ItemView>,
    /// Present once the attempt is graded.
    pub result: Option<AttemptResult>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptResult {
    pub score: i64,
    pub max_score: i64,
    pub time_used_ms: Millis,
    pub finished_at: Millis,
    pub prediction: Option<i64>,
    /// Rank of the participant's counted attempt in the round now.
    pub rank: Option<i64>,
    pub ranked: i64,
    pub round_closes_at: Millis,
    /// Correct answers and explanations: only once the round is closed.
    pub review: Option<Vec<ReviewItem>>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub question_id: Uuid,
    pub correct_option_id: Uuid,
    pub chosen_option_id: Option<Uuid>,
    pub explanation: String,
    pub source: String,
    pub passage: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerAck {
    pub question_id: Uuid,
    pub option_id: Uuid,
    pub saved_at: Millis,
    pub server_now: Millis,
}

/// An answer the server would not record (sent after the deadline and its grace, or
/// to an attempt already graded), with the reason in Vietnamese.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedAnswer {
    pub question_id: Uuid,
    pub option_id: Uuid,
    pub message: String,
}

/// What a submission returns: the graded attempt (its fields, as `GET` of the
/// attempt gives them), and every answer sent with the submission that the server
/// refused (never dropped silently).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOutcome {
    #[serde(flatten)]
    pub view: AttemptView,
    #[serde(default)]
    pub refused: Vec<RefusedAnswer>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAttempt {
    pub id: Uuid,
    pub round_id: Uuid,
    pub round_title: String,
    pub seq: i64,
    pub status: AttemptStatus,
    pub started_at: Millis,
    pub deadline_at: Millis,
    pub score: Option<i64>,
    pub max_score: i64,
    pub time_used_ms: Option<Millis>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    pub rank: i64,
    pub full_name: String,
    pub phone_masked: String,
    pub unit_name: String,
    pub score: i64,
    pub max_score: i64,
    pub time_used_ms: Millis,
    pub submitted_at: Millis,
    #[serde(default)]
    pub prize: Option<String>,
    /// The row of the participant asking.
    #[serde(default)]
    pub is_me: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub round_id: Uuid,
    pub round_title: String,
    pub status: RoundStatus,
    pub participants: i64,
    pub entries: Vec<LeaderboardEntry>,
    /// The participant asking, with their rank in the whole round, when ranked.
    #[serde(default)]
    pub me: Option<LeaderboardEntry>,
    /// The unit the board is narrowed to (its whole subtree).
    #[serde(default)]
    pub unit: Option<UnitRef>,
}

fn perfect_scores() -> String {
    "perfect_scores".into()
}

fn yes() -> bool {
    true
}

/// A practice question: like an attempt's, without the answer.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeQuestion {
    pub question_id: Uuid,
    pub topic: String,
    pub topic_name: String,
    pub stem: String,
    pub options: Vec<OptionView>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeFeedback {
    pub correct: bool,
    pub correct_option_id: Uuid,
    pub explanation: String,
    pub source: String,
    pub passage: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicStat {
    pub slug: String,
    pub name: String,
    pub answered: i64,
    pub correct: i64,
}

/// A study section: the Directive explained, one topic at a time.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudySection {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub minutes: i64,
    pub blocks: Vec<StudyBlock>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyBlock {
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub items: Vec<String>,
    pub source: String,
}

fn public() -> String {
    "public".into()
}

fn seven() -> i64 {
    7
}

fn week_title() -> String {
    "Tuần".into()
}
