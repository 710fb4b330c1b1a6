//! Pure domain rules: no I/O, no clock reads, no randomness. Compiled for the
//! server and the browser alike, and unit-tested.
pub mod attempt;
pub mod draw;
pub mod items;
pub mod live;
pub mod lockout;
pub mod phone;
pub mod prizes;
pub mod question;
pub mod ranking;
pub mod roles;
pub mod round;
pub mod text;
pub mod time;
pub mod units;

pub use attempt::{AttemptStatus, GRACE_MS};
pub use phone::PhoneNumber;
pub use roles::Role;
pub use round::{CountingRule, RoundStatus};
pub use time::Millis;
