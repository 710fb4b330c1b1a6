//! Who an account is: a participant, or staff of a unit subtree.
use serde::{Deserialize, Serialize};

/// An account's role.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Participant,
    /// Reads the statistics of a unit subtree.
    Viewer,
    /// Runs contests for a unit subtree.
    Organizer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
    pub fn parse(s: &str) -> Self {
        s.parse().unwrap_or(Role::Participant)
    }
}
