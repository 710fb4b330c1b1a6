//! Finalises attempts abandoned past their deadline, even if the participant
//! never returns. Safe to run on every app server at once: finalising is atomic
//! and happens once.
use super::state::AppState;
use std::time::Duration;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match super::service::finalise_overdue(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(finalised = n, "finalised overdue attempts"),
                Err(e) => tracing::warn!(error = %e, "sweeper"),
            }
        }
    })
}
