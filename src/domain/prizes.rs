//! What a contest awards.
use serde::{Deserialize, Serialize};

/// Prizes of a contest: per round and for the whole contest, individual tiers in
/// rank order; and collective prizes for units.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prizes {
    #[serde(default)]
    pub individual: Vec<PrizeTier>,
    #[serde(default)]
    pub collective: Option<CollectivePrize>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeTier {
    pub label: String,
    pub count: usize,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectivePrize {
    pub label: String,
    pub count: usize,
    /// "participation_rate" (participants ÷ headcount) or "attempts".
    pub by: String,
}
