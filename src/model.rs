//! Types shared by the server and the browser: what the API and the server
//! functions send. None of them carries the correct option of an ungraded attempt.
pub use crate::domain::prizes::{CollectivePrize, PrizeTier, Prizes};
pub use crate::domain::Role;
use crate::domain::{units::UnitKind, AttemptStatus, Millis, RoundStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// A round as an organizer defines it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundInput {
    pub title: String,
    pub opens_at: Millis,
    pub closes_at: Millis,
    pub question_count: i64,
    pub duration_ms: Millis,
    pub max_attempts: i64,
    #[serde(default)]
    pub counting: crate::domain::CountingRule,
    #[serde(default)]
    pub prediction_prompt: Option<String>,
    /// "perfect_scores" (default) or "attempts": what the prediction question asks for.
    #[serde(default = "perfect_scores")]
    pub prediction_kind: String,
    /// Minimum time between two attempts of one participant.
    #[serde(default)]
    pub min_gap_ms: Millis,
    #[serde(default = "yes")]
    pub shuffle_options: bool,
    #[serde(default)]
    pub draw_rules: crate::domain::draw::DrawRules,
}

fn perfect_scores() -> String {
    "perfect_scores".into()
}

fn yes() -> bool {
    true
}

/// A question of the bank as organizers see and edit it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankItem {
    pub id: Uuid,
    pub key: Option<String>,
    pub topic: String,
    pub status: String,
    pub version: i64,
    pub difficulty: i64,
    pub stem: String,
    pub options: Vec<String>,
    /// 0-based index of the correct option (organizers only).
    pub correct: usize,
    pub explanation: String,
    pub source: String,
    pub passage: String,
    pub updated_at: Millis,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BankFilter {
    pub q: Option<String>,
    pub topic: Option<String>,
    pub difficulty: Option<i64>,
    pub status: Option<String>,
    pub page: Option<usize>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankPage {
    pub items: Vec<BankItem>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub topics: Vec<TopicDto>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDto {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// What an import would do, before it is committed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Present when the file is valid: confirm with it.
    pub import_id: Option<Uuid>,
    pub file_name: String,
    pub rows: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
    pub file_error: Option<String>,
    pub row_errors: Vec<RowProblem>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub reasons: Vec<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDone {
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
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

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub rules: String,
    /// The unit subtree the contest is for; none means the whole city (administrators only).
    #[serde(default)]
    pub audience_unit_id: Option<Uuid>,
    /// "public" or "private".
    #[serde(default = "public")]
    pub visibility: String,
    #[serde(default)]
    pub prizes: Prizes,
}

fn public() -> String {
    "public".into()
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestDto {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub rules: String,
    pub audience_unit_id: Option<Uuid>,
    pub visibility: String,
    pub prizes: Prizes,
    pub rounds: Vec<AdminRound>,
}

/// A round as organizers see it: its whole configuration.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRound {
    pub id: Uuid,
    pub contest_id: Uuid,
    pub title: String,
    pub position: i64,
    pub status: RoundStatus,
    pub published_at: Option<Millis>,
    pub input: RoundInput,
}

/// Several weekly rounds at once: the first opens at `first_opens_at`, each lasts `days` days.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyInput {
    pub first_opens_at: Millis,
    pub weeks: i64,
    #[serde(default = "seven")]
    pub days: i64,
    /// Title prefix: "Tuần" gives "Tuần 1", "Tuần 2"…
    #[serde(default = "week_title")]
    pub title_prefix: String,
    pub template: RoundInput,
}

fn seven() -> i64 {
    7
}

fn week_title() -> String {
    "Tuần".into()
}

/// Published (frozen) results of a round.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedResults {
    pub round_id: Uuid,
    pub published_at: Millis,
    pub leaderboard: Leaderboard,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInput {
    pub role: Role,
    pub scope_unit_id: Option<Uuid>,
}

/// An audit entry as the console shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A unit's participation in a round or a contest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitStat {
    pub rank: i64,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub headcount: i64,
    pub participants: i64,
    pub attempts: i64,
    /// participants ÷ headcount (0 when the headcount is unknown)
    pub participation_rate: f64,
    pub average_score: f64,
    pub perfect_scores: i64,
    pub prize: Option<String>,
    /// The unit has units below it (the board can drill down into it).
    #[serde(default)]
    pub has_children: bool,
    /// "Thành phố Hà Nội › Huyện Ứng Hòa": where the unit sits (search results).
    #[serde(default)]
    pub path: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub id: Uuid,
    pub name: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRef {
    pub id: Uuid,
    pub title: String,
    pub status: RoundStatus,
}

/// Units compared at one level of the tree, for a round or a whole contest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitBoard {
    pub contest_id: Uuid,
    pub contest_title: String,
    /// The round, or none for the whole contest.
    pub round: Option<RoundRef>,
    /// Every round of the contest (to switch between them).
    pub rounds: Vec<RoundRef>,
    /// From the top of the tree down to the unit whose children are listed.
    pub path: Vec<UnitRef>,
    /// Totals of the unit whose children are listed (or of everything at the top).
    pub total: UnitStat,
    /// The children (or, when searching, every matching unit below), sorted.
    pub units: Vec<UnitStat>,
    pub sort: String,
    pub descending: bool,
    pub search: String,
}

/// What the charts draw: participation per day and the distribution of scores.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charts {
    pub days: Vec<DayCount>,
    pub scores: Vec<ScoreCount>,
    /// The highest possible score (of the round, or the sum over the contest's rounds).
    pub max_score: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// Hanoi calendar day: days since 1970-01-01 (UTC+7).
    pub day: i64,
    pub attempts: i64,
    pub new_participants: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreCount {
    pub score: i64,
    pub count: i64,
}

/// What the projector shows for a round, pushed again whenever it changes.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveBoard {
    pub round_id: Uuid,
    pub round_title: String,
    pub contest_title: String,
    pub status: RoundStatus,
    pub participants: i64,
    pub attempts: i64,
    pub perfect: i64,
    pub entries: Vec<LeaderboardEntry>,
    pub units: Vec<UnitStat>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestEntry {
    pub rank: i64,
    pub full_name: String,
    pub phone_masked: String,
    pub unit_name: String,
    pub score: i64,
    pub rounds: i64,
    pub time_used_ms: Millis,
    pub prize: Option<String>,
    #[serde(default)]
    pub is_me: bool,
}

/// The whole contest's ranking (sum of each round's counted score) and its units.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestRanking {
    pub contest_id: Uuid,
    pub title: String,
    pub entries: Vec<ContestEntry>,
    pub units: Vec<UnitStat>,
    /// The participant asking, with their rank, when ranked.
    #[serde(default)]
    pub me: Option<ContestEntry>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub headcount: i64,
    #[serde(default)]
    pub code: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterImport {
    pub created: usize,
    /// (unit, name, accounts created)
    pub by_unit: Vec<(Uuid, String, i64)>,
    pub file_error: Option<String>,
    pub row_errors: Vec<RowProblem>,
}

/// An individual ranking: of a round, or of a whole contest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PeopleBoard {
    Round(Leaderboard),
    Contest(ContestRanking),
}
pub use crate::model_live::*;
