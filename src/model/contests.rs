//! What organizers define: contests, rounds, roles, units and rosters; the audit log.
use crate::domain::{units::UnitKind, Millis, RoundStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{perfect_scores, public, seven, week_title, yes, Leaderboard, Prizes, Role, RowProblem};

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
