//! One server-sent-events loop for every live screen (a round's projector board,
//! a live session's view): send at once, then whenever what it shows changes —
//! announced on a broadcast channel by this server or, through PostgreSQL
//! LISTEN/NOTIFY, another — and at the latest when the feed asks to be polled
//! (a lost announcement, a question's end). Ends when the server shuts down, so
//! the browser reconnects, possibly to another server.
use crate::server::state::AppState;
use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::time::Duration;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use uuid::Uuid;

/// An event of a stream, as the OpenAPI document describes it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EventSchema {
    /// The event's name (`board` for a round, `state` for a live session).
    event: String,
    /// The JSON of a `LiveBoard` (round) or a `LiveView` (live session).
    data: String,
}

/// What a stream shows.
pub trait Feed: Send + 'static {
    /// The event to send now, if what the screen shows changed.
    fn next(&mut self, state: &AppState) -> impl Future<Output = Option<Event>> + Send;
    /// How long to wait, unannounced, before looking again.
    fn wake_in(&self, state: &AppState) -> Duration;
}

/// A stream of `feed`'s events for object `id`, whose changes are announced on `changes`;
/// a burst of announcements within `settle` makes one update.
pub fn stream<F: Feed>(state: AppState, changes: Receiver<Uuid>, id: Uuid, settle: Duration, feed: F) -> Response {
    let stop = state.shutdown.subscribe();
    let events =
        futures_util::stream::unfold((state, changes, stop, feed, true), move |(s, mut rx, mut stop, mut feed, mut fresh)| async move {
            loop {
                if *stop.borrow() {
                    return None;
                }
                if fresh {
                    if let Some(event) = feed.next(&s).await {
                        return Some((Ok::<_, std::convert::Infallible>(event), (s, rx, stop, feed, false)));
                    }
                }
                let wake = feed.wake_in(&s);
                tokio::select! {
                    _ = stop.changed() => {}
                    r = rx.recv() => match r {
                        Ok(changed) if changed != id => { fresh = false; continue }
                        Ok(_) | Err(RecvError::Lagged(_)) => {
                            tokio::time::sleep(settle).await;
                            while rx.try_recv().is_ok() {}
                        }
                        Err(RecvError::Closed) => return None,
                    },
                    _ = tokio::time::sleep(wake) => {}
                }
                fresh = true;
            }
        });
    let mut res = Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response();
    // proxies must not buffer the stream
    res.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
