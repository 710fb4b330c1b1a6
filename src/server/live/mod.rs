//! Live in-person sessions: creating them, the host's controls, joining,
//! answering, and the views every screen shows. Rules live in `domain::live`;
//! state lives in the database, so any server sharing it serves a session, and a
//! restart loses nothing. Changes reach the screens through `LiveHub`: locally at
//! once, and across servers through PostgreSQL LISTEN/NOTIFY.
//!
//! `hub.rs`: the announcements and the views each server keeps; `players.rs`:
//! joining and answering; `results.rs`: standings, the XLSX export and the QR code.
mod hub;
mod players;
mod results;

pub use hub::*;
pub use players::*;
pub use results::*;

use super::service::internal;
use super::state::AppState;
use crate::domain::live::{self, Action, Stored};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{t, tl};
use crate::model::*;
use crate::store::{LiveSessionRecord, UserRecord, VersionRecord};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const LIVE_COOKIE: &str = "thi24_live";
/// A view is made again at most this often (a burst of answers makes one update).
const VIEW_TTL: Duration = Duration::from_millis(50);
/// How many people the public standings show.
const TOP_PEOPLE: usize = 10;

pub(super) fn closed() -> AppError {
    AppError::new(ErrorCode::Conflict, tl().err_question_closed)
}

pub(super) fn not_found() -> AppError {
    AppError::not_found(tl().err_session_not_found)
}

pub async fn session(state: &AppState, id: Uuid) -> AppResult<LiveSessionRecord> {
    state.store.live_session(id).await.map_err(internal)?.ok_or_else(not_found)
}

/// The session's questions, their options in the session's order (versions never
/// change: kept for good once read).
pub async fn questions(state: &AppState, id: Uuid) -> AppResult<Arc<Vec<VersionRecord>>> {
    if let Some(q) = state.hub.questions.get(&id) {
        return Ok(q);
    }
    let mut out = Vec::new();
    for (position, v) in state.store.live_versions(id).await.map_err(internal)?.into_iter().enumerate() {
        let mut q = state.store.question_version(v).await.map_err(internal)?.ok_or_else(AppError::internal)?;
        // shown shuffled, in the same order on every screen of the session
        let order = live::option_order(id.as_u128(), position as i64, q.options.len());
        q.options = order.into_iter().map(|i| q.options[i].clone()).collect();
        out.push(q);
    }
    let out = Arc::new(out);
    state.hub.questions.insert(id, out.clone());
    Ok(out)
}

pub fn summary(s: &LiveSessionRecord, total: i64, now: i64) -> LiveSummary {
    LiveSummary {
        id: s.id,
        code: s.code.clone(),
        title: s.title.clone(),
        phase: s.stored().phase(now),
        total,
        question_ms: s.question_ms,
        created_at: s.created_at,
        counted_round_id: s.counted_round_id,
    }
}

/// Creates a session from a round's questions (drawn by its rules) or from hand-picked bank questions.
pub async fn create(state: &AppState, user: &UserRecord, input: LiveCreateInput) -> AppResult<LiveSummary> {
    super::service::require_organizer(user)?;
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::validation(tl().err_title));
    }
    let question_ms = input.question_seconds.saturating_mul(1000);
    if !(live::MIN_QUESTION_MS..=live::MAX_QUESTION_MS).contains(&question_ms) {
        return Err(AppError::validation(tl().err_seconds));
    }
    let versions: Vec<Uuid> = match (input.round_id, input.question_ids.is_empty()) {
        (Some(round_id), true) => {
            let round =
                state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
            let pool = state.question_pool().await.map_err(internal)?;
            super::service::draw(&pool, &round)?.into_iter().map(|d| d.version_id).collect()
        }
        (None, false) => {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for id in &input.question_ids {
                if !seen.insert(*id) {
                    return Err(AppError::validation(tl().err_duplicate_question));
                }
                let q = state.store.bank_question(*id).await.map_err(internal)?;
                let q = q.filter(|q| q.status == "active").ok_or_else(|| AppError::validation(tl().err_question_unknown))?;
                out.push(q.version_id);
            }
            out
        }
        _ => return Err(AppError::validation(tl().err_source)),
    };
    if versions.is_empty() || versions.len() > live::MAX_QUESTIONS {
        return Err(AppError::validation(tl().err_question_count));
    }
    if let Some(c) = input.contest_id {
        state.store.contest(c).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    }
    let now = state.now();
    let mut rec = LiveSessionRecord {
        id: Uuid::new_v4(),
        code: String::new(),
        title,
        host_id: user.id,
        question_ms,
        contest_id: input.contest_id,
        counted_round_id: None,
        phase: "lobby".into(),
        q_index: -1,
        phase_at: 0,
        version: 0,
        started_at: None,
        ended_at: None,
        created_at: now,
    };
    for _ in 0..20 {
        use rand::Rng;
        rec.code = rand::thread_rng().gen_range(100_000..1_000_000).to_string();
        match state.store.create_live(&rec, &versions).await {
            Ok(()) => {
                crate::server::admin::audit(state, user, "live.create", "live_session", rec.id, None::<&()>, Some(&input)).await?;
                return Ok(summary(&rec, versions.len() as i64, now));
            }
            Err(crate::store::StoreError::Conflict(_)) => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    Err(AppError::internal())
}

pub async fn list(state: &AppState, user: &UserRecord) -> AppResult<Vec<LiveSummary>> {
    super::service::require_organizer(user)?;
    let now = state.now();
    let mut out = Vec::new();
    for s in state.store.list_live(100).await.map_err(internal)? {
        let total = questions(state, s.id).await?.len() as i64;
        out.push(summary(&s, total, now));
    }
    Ok(out)
}

/// The host (or an administrator) only.
pub fn require_host(user: &UserRecord, s: &LiveSessionRecord) -> AppResult<()> {
    super::service::require_organizer(user)?;
    if s.host_id == user.id || crate::model::Role::parse(&user.role) == crate::model::Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The host's control: start, pause, resume, reveal, results, next, end.
pub async fn control(state: &AppState, user: &UserRecord, id: Uuid, action: &str) -> AppResult<LiveView> {
    let action = Action::parse(action).ok_or_else(|| AppError::not_found(tl().err_action))?;
    let s = session(state, id).await?;
    require_host(user, &s)?;
    let total = questions(state, id).await?.len() as i64;
    let now = state.now();
    // an end whose counting in the contest failed (the database went away) counts again
    if action == Action::End && s.stored() == Stored::Ended && s.contest_id.is_some() && s.counted_round_id.is_none() {
        count_in_contest(state, &s).await?;
        state.hub.reset(id);
        return Ok((*view(state, id, true).await?.view).clone());
    }
    let next = s.stored().apply(action, now, total, s.question_ms).map_err(|_| AppError::new(ErrorCode::Conflict, tl().err_not_now))?;
    let Some(s) = state.store.set_live_state(id, s.version, next, now).await.map_err(internal)? else {
        return Err(AppError::new(ErrorCode::Conflict, tl().err_changed));
    };
    crate::server::admin::audit(state, user, &format!("live.{}", action.as_str()), "live_session", id, None::<&()>, Some(&s.phase)).await?;
    if next == Stored::Ended && s.contest_id.is_some() {
        count_in_contest(state, &s).await?;
    }
    state.hub.reset(id);
    Ok((*view(state, id, true).await?.view).clone())
}

/// Writes the accounts' results into a new round of the session's contest: score =
/// right answers, time used = time taken on them. Guests have no account: they
/// stay in the session's own results only.
pub async fn count_in_contest(state: &AppState, s: &LiveSessionRecord) -> AppResult<()> {
    let (Some(contest_id), Some(ended_at)) = (s.contest_id, s.ended_at) else { return Ok(()) };
    if s.counted_round_id.is_some() {
        return Ok(());
    }
    let contest = state.store.contest(contest_id).await.map_err(internal)?.ok_or_else(AppError::internal)?;
    let qs = questions(state, s.id).await?;
    let position = state
        .store
        .list_rounds()
        .await
        .map_err(internal)?
        .iter()
        .filter(|r| r.contest_id == contest_id)
        .map(|r| r.position)
        .max()
        .unwrap_or(0)
        + 1;
    // the round's id is the session's: counting again after a crash finds the same round
    let round = crate::store::RoundRecord {
        id: s.id,
        contest_id,
        contest_title: contest.title.clone(),
        title: format!("{} ({})", s.title, tl().live_round_suffix),
        position,
        opens_at: s.started_at.unwrap_or(ended_at).min(ended_at),
        closes_at: ended_at + 1,
        question_count: qs.len() as i64,
        duration_ms: s.question_ms * qs.len() as i64,
        max_attempts: 1,
        counting: crate::domain::CountingRule::default(),
        prediction_prompt: None,
        created_at: ended_at,
        options: crate::store::RoundOptions {
            min_gap_ms: 0,
            shuffle_options: false,
            prediction_kind: "perfect_scores".into(),
            draw_rules: Default::default(),
        },
        published_at: None,
    };
    if state.store.get_round(round.id).await.map_err(internal)?.is_none() {
        state.store.save_round(&round).await.map_err(internal)?;
    }
    let mut chosen: HashMap<Uuid, Vec<(i64, Uuid)>> = HashMap::new();
    for (player, position, option) in state.store.live_all_answers(s.id).await.map_err(internal)? {
        chosen.entry(player).or_default().push((position, option));
    }
    let results: Vec<crate::store::LiveCounted> = state
        .store
        .live_players(s.id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|p| {
            let chosen = chosen.remove(&p.id).unwrap_or_default();
            Some(crate::store::LiveCounted { user_id: p.user_id?, unit_id: p.unit_id, chosen, time_ms: p.time_ms })
        })
        .collect();
    // the options in the order the session showed them
    let versions: Vec<(Uuid, Vec<usize>)> =
        qs.iter().enumerate().map(|(p, v)| (v.version_id, live::option_order(s.id.as_u128(), p as i64, v.options.len()))).collect();
    state.store.count_live(s.id, round.id, contest_id, ended_at, &results, &versions).await.map_err(internal)?;
    state.graded(round.id);
    Ok(())
}
