//! Where a session's changes are announced (locally, and across servers through
//! PostgreSQL LISTEN/NOTIFY), and the views every screen shows, made once per change.
use super::*;
use crate::domain::live::{Phase, Stored};
use crate::error::AppResult;
use crate::model::*;
use crate::server::service::internal;
use crate::server::state::AppState;
use crate::store::VersionRecord;
use moka::sync::Cache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Where a session's changes are announced, and the views and questions each server keeps.
pub struct LiveHub {
    /// The session that changed (from this server or, on PostgreSQL, another).
    pub events: tokio::sync::broadcast::Sender<Uuid>,
    /// To the other servers: `l:<session>` (a live session) or `r:<round>` (a round's board).
    notify: Mutex<Option<tokio::sync::mpsc::UnboundedSender<String>>>,
    views: Cache<(Uuid, bool), CachedView>,
    /// How many changes each session has seen here (a view made before the last one is stale;
    /// a forgotten count makes every kept view stale, never a stale one fresh).
    generations: Cache<Uuid, u64>,
    /// One maker of each view at a time: the others wait and share it.
    makers: Cache<(Uuid, bool), Arc<tokio::sync::Mutex<()>>>,
    pub(super) questions: Cache<Uuid, Arc<Vec<VersionRecord>>>,
}

#[derive(Clone)]
pub struct CachedView {
    at: Instant,
    generation: u64,
    /// The server time at which it turns stale by itself (a running question's end).
    pub stale_at: Option<i64>,
    pub view: Arc<LiveView>,
    pub json: Arc<String>,
    /// Every participant's rank.
    pub ranks: Arc<HashMap<Uuid, i64>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self {
            events: tokio::sync::broadcast::channel(4096).0,
            notify: Mutex::new(None),
            views: Cache::builder().max_capacity(1_000).time_to_idle(Duration::from_secs(600)).build(),
            generations: Cache::builder().max_capacity(10_000).time_to_idle(Duration::from_secs(6 * 3600)).build(),
            makers: Cache::builder().max_capacity(1_000).time_to_idle(Duration::from_secs(600)).build(),
            questions: Cache::builder().max_capacity(200).time_to_idle(Duration::from_secs(3600)).build(),
        }
    }
}

impl LiveHub {
    /// A change here: this server's screens pick it up (within `VIEW_TTL`), and so
    /// do the other servers'.
    pub fn changed(&self, id: Uuid) {
        self.bump(id);
        self.announce(format!("l:{id}"));
    }

    /// A change announced by another server.
    pub fn changed_elsewhere(&self, id: Uuid) {
        self.bump(id);
    }

    fn bump(&self, id: Uuid) {
        self.generations.entry(id).and_upsert_with(|kept| kept.map_or(1, |g| g.into_value() + 1));
        let _ = self.events.send(id);
    }

    fn generation(&self, id: Uuid) -> u64 {
        self.generations.get(&id).unwrap_or(0)
    }

    /// Like `changed`, and the next view is made at once (after the host's decisions and joins).
    pub fn reset(&self, id: Uuid) {
        self.views.invalidate(&(id, true));
        self.views.invalidate(&(id, false));
        self.changed(id);
    }

    /// Tells the other servers that a round's results changed (their projector boards follow).
    pub fn round_changed(&self, id: Uuid) {
        self.announce(format!("r:{id}"));
    }

    fn announce(&self, payload: String) {
        if let Some(tx) = self.notify.lock().expect("notify").as_ref() {
            let _ = tx.send(payload);
        }
    }
}

/// Starts the cross-server announcements of live sessions and round boards
/// (PostgreSQL only; SQLite runs one server).
pub fn spawn(state: &AppState) {
    if state.store.backend() != "postgres" {
        return;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    *state.hub.notify.lock().expect("notify") = Some(tx);
    let store = state.store.clone();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut ids = vec![first];
            while let Ok(id) = rx.try_recv() {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if let Err(e) = store.notify_live(&ids).await {
                tracing::warn!(error = %e, "live notify failed");
            }
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let (hub, rounds) = (s.hub.clone(), s.events.clone());
            let r = s.store.listen_live(Box::new(move |payload: &str| {
                let id = payload.get(2..).and_then(|id| Uuid::parse_str(id).ok());
                match (payload.get(..2), id) {
                    (Some("l:"), Some(id)) => hub.changed_elsewhere(id),
                    (Some("r:"), Some(id)) => drop(rounds.send(id)),
                    _ => {}
                }
            }));
            if let Err(e) = r.await {
                tracing::warn!(error = %e, "live listener stopped; reconnecting");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// The session's view: the host's (standings always) or everybody's. Shared by
/// every screen while nothing changed; made again at most every `VIEW_TTL`, by one
/// caller at a time, and never older than the last change this server heard of.
pub async fn view(state: &AppState, id: Uuid, host: bool) -> AppResult<CachedView> {
    let hub = &state.hub;
    let fresh = |c: &CachedView, generation: u64| c.generation == generation && c.stale_at.is_none_or(|t| state.now() < t);
    let cached = hub.views.get(&(id, host));
    if let Some(c) = &cached {
        if fresh(c, hub.generation(id)) {
            return Ok(c.clone());
        }
        if c.at.elapsed() < VIEW_TTL {
            tokio::time::sleep(VIEW_TTL - c.at.elapsed()).await;
        }
    }
    let maker = hub.makers.get_with((id, host), Default::default);
    let _making = maker.lock().await;
    let generation = hub.generation(id);
    if let Some(c) = hub.views.get(&(id, host)) {
        if fresh(&c, generation) {
            return Ok(c); // made by another caller meanwhile
        }
    }
    let (view, ranks, stale_at) = build_view(state, id, host).await?;
    let json = Arc::new(serde_json::to_string(&view).map_err(internal)?);
    let cached = CachedView { at: Instant::now(), generation, stale_at, view: Arc::new(view), json, ranks: Arc::new(ranks) };
    hub.views.insert((id, host), cached.clone());
    Ok(cached)
}

async fn build_view(state: &AppState, id: Uuid, host: bool) -> AppResult<(LiveView, HashMap<Uuid, i64>, Option<i64>)> {
    let s = session(state, id).await?;
    let qs = questions(state, id).await?;
    let now = state.now();
    let stored = s.stored();
    let phase = stored.phase(now);
    let index = stored.index().unwrap_or(-1);
    let players = state.store.live_players(id).await.map_err(internal)?;
    let (people, unit_rows) = standings(&players, &state.units().await.map_err(internal)?);
    let ranks: HashMap<Uuid, i64> = people.iter().map(|(id, row)| (*id, row.rank)).collect();
    // while a question runs, its points stay out of everybody's standings but the host's
    let (people, unit_rows) = if host || matches!(phase, Phase::Results | Phase::Ended) {
        let shown = if host { 50 } else { TOP_PEOPLE };
        (people.into_iter().take(shown).map(|(_, row)| row).collect(), unit_rows.into_iter().take(20).collect())
    } else {
        (vec![], vec![])
    };
    let question = (index >= 0 && phase != Phase::Lobby).then(|| qs.get(index as usize)).flatten();
    let answered = if index >= 0 { state.store.live_answered(id, index).await.map_err(internal)? } else { 0 };
    let reveal = match (question, phase) {
        (Some(q), Phase::Reveal | Phase::Results) => {
            let dist = state.store.live_distribution(id, index).await.map_err(internal)?;
            Some(LiveReveal {
                correct_option_id: q.options.iter().find(|o| o.2).map(|o| o.0).unwrap_or_default(),
                explanation: q.explanation.clone(),
                source: q.source.clone(),
                counts: q.options.iter().map(|o| dist.iter().find(|d| d.0 == o.0).map(|d| d.1).unwrap_or(0)).collect(),
            })
        }
        _ => None,
    };
    let contest_title = match s.contest_id {
        Some(c) => state.store.contest(c).await.map_err(internal)?.map(|c| c.title),
        None => None,
    };
    let (ends_at, remaining_ms) = match stored {
        Stored::Question { ends_at, .. } => (ends_at, (ends_at - now).max(0)),
        Stored::Paused { remaining_ms, .. } => (0, remaining_ms),
        _ => (0, 0),
    };
    let view = LiveView {
        id,
        code: s.code.clone(),
        title: s.title.clone(),
        phase,
        index,
        total: qs.len() as i64,
        question_ms: s.question_ms,
        now,
        ends_at,
        remaining_ms,
        players: ranks.len() as i64,
        answered,
        question: question.map(|q| LiveQuestion {
            position: index,
            stem: q.stem.clone(),
            options: q.options.iter().map(|o| LiveOption { id: o.0, text: o.1.clone() }).collect(),
        }),
        reveal,
        people,
        units: unit_rows,
        counted_round_id: s.counted_round_id,
        contest_title,
    };
    Ok((view, ranks, stored.wakes_at(now)))
}
