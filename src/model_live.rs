//! What live in-person sessions send over the wire (server and browser alike).
use crate::domain::live::Phase;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What every screen of a session shows, pushed again whenever it changes.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: Phase,
    /// The current question's position (0-based), -1 when none is shown.
    pub index: i64,
    pub total: i64,
    pub question_ms: i64,
    /// The server's clock when this view was made (screens correct their countdown by it).
    pub now: i64,
    /// A running question's end (before the grace).
    pub ends_at: i64,
    /// A paused question's time left.
    pub remaining_ms: i64,
    pub players: i64,
    /// How many answered the current question.
    pub answered: i64,
    pub question: Option<LiveQuestion>,
    /// Once the question is over: the right option, its explanation and the answers' distribution.
    pub reveal: Option<LiveReveal>,
    /// The standings: on the host's screen always, elsewhere once results are shown.
    pub people: Vec<LivePersonRow>,
    pub units: Vec<LiveUnitRow>,
    /// The contest round the results were written into, once counted.
    pub counted_round_id: Option<Uuid>,
    /// How this session counts in a contest, if it does.
    pub contest_title: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveQuestion {
    pub position: i64,
    pub stem: String,
    pub options: Vec<LiveOption>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveOption {
    pub id: Uuid,
    pub text: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveReveal {
    pub correct_option_id: Uuid,
    pub explanation: String,
    pub source: String,
    /// How many chose each option, in the options' order.
    pub counts: Vec<i64>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivePersonRow {
    pub rank: i64,
    pub name: String,
    pub unit_name: String,
    pub points: i64,
    pub correct: i64,
    pub time_ms: i64,
    pub guest: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveUnitRow {
    pub rank: i64,
    pub unit_name: String,
    pub present: i64,
    /// The average points of the unit's members present.
    pub average: f64,
}

/// One participant's own state (after a reload, too).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveMe {
    pub player_id: Uuid,
    pub name: String,
    pub unit_name: String,
    pub guest: bool,
    pub points: i64,
    pub correct: i64,
    pub rank: i64,
    pub players: i64,
    /// Their answers so far: position → option, whether right (once revealed) and points.
    pub answers: Vec<LiveMyAnswer>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveMyAnswer {
    pub position: i64,
    pub option_id: Uuid,
    /// Known once the question is over.
    pub correct: Option<bool>,
    pub points: Option<i64>,
}

/// Joining: an account needs nothing; a guest gives a name and a unit.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LiveJoinInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub unit_id: Option<Uuid>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAnswerInputDto {
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 99))]
    pub position: i64,
    pub option_id: Uuid,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAnswerAck {
    /// How many have answered this question, this answer included.
    pub answered: i64,
    /// True when an earlier answer to this question stands instead.
    pub already: bool,
}

/// A session to create: from a round's questions (drawn by its rules) or a hand-picked set.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LiveCreateInput {
    pub title: String,
    pub question_seconds: i64,
    #[serde(default)]
    pub round_id: Option<Uuid>,
    #[serde(default)]
    pub question_ids: Vec<Uuid>,
    /// Write the results of the accounts into a new round of this contest at the end.
    #[serde(default)]
    pub contest_id: Option<Uuid>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSummary {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: Phase,
    pub total: i64,
    pub question_ms: i64,
    pub created_at: i64,
    pub counted_round_id: Option<Uuid>,
}

/// Finding a session by its code.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveLookup {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub phase: Phase,
}
