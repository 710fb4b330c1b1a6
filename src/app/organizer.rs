//! Everything interactive that organizers, hosts and projectors use, behind one
//! lazy island. One split point keeps the console's code in one module loaded only
//! on these pages (several lazy islands would share code through hundreds of tiny
//! modules), and never on a participant's page.
use crate::model::{BankFilter, LiveBoard, LiveView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which part of the console a page shows, with what the server already read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Part {
    Contests,
    Contest(Uuid),
    Bank(BankFilter),
    BankEdit(Option<Uuid>),
    Units,
    Live,
    LiveHost(LiveView),
    LiveScreen(LiveView),
    Tv(LiveBoard),
}

#[island(lazy)]
pub fn Console(part: Part) -> impl IntoView {
    use super::{bank, console, live, tv, units};
    match part {
        Part::Contests => view! { <console::ContestsConsole /> }.into_any(),
        Part::Contest(id) => view! { <console::ContestConsole id /> }.into_any(),
        Part::Bank(filter) => view! { <bank::BankConsole filter /> }.into_any(),
        Part::BankEdit(id) => view! { <bank::BankEditor id /> }.into_any(),
        Part::Units => view! { <units::UnitsConsole /> }.into_any(),
        Part::Live => view! { <live::LiveConsole /> }.into_any(),
        Part::LiveHost(first) => view! { <live::HostLive first /> }.into_any(),
        Part::LiveScreen(first) => view! { <live::ScreenLive first /> }.into_any(),
        Part::Tv(first) => view! { <tv::TvLive first /> }.into_any(),
    }
}
