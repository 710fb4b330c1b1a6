//! Boards: units compared, charts, the projector, rankings of people.
use crate::domain::{Millis, RoundStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Leaderboard, LeaderboardEntry};

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

/// An individual ranking: of a round, or of a whole contest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PeopleBoard {
    Round(Leaderboard),
    Contest(ContestRanking),
}
pub use crate::model_live::*;

/// How each question of a closed round (or of a contest's closed rounds) worked.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAnalysis {
    /// The round or the contest.
    pub scope_id: Uuid,
    pub title: String,
    /// The closed rounds it was computed from.
    pub rounds: Vec<Uuid>,
    pub computed_at: Millis,
    /// Counted attempts analysed (one per participant and round).
    pub respondents: i64,
    pub items: Vec<ItemRow>,
}

/// One question version in an item analysis.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub version_id: Uuid,
    /// The question (to edit it in the bank).
    pub question_id: Uuid,
    pub key: Option<String>,
    pub topic: String,
    pub stem: String,
    /// In the version's own order.
    pub options: Vec<String>,
    /// Index of the correct option.
    pub correct: usize,
    pub stats: crate::domain::items::ItemStats,
    /// Each flag explained.
    pub flag_notes: Vec<String>,
}
