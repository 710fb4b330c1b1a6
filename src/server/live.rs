//! Live in-person sessions: creating them, the host's controls, joining,
//! answering, and the views every screen shows. Rules live in `domain::live`;
//! state lives in the database, so any server sharing it serves a session, and a
//! restart loses nothing. Changes reach the screens through `LiveHub`: locally at
//! once, and across servers through PostgreSQL LISTEN/NOTIFY.
use super::service::internal;
use super::state::AppState;
use crate::domain::live::{self, Action, Phase, Stored};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{t, tl};
use crate::model::*;
use crate::store::{LiveAnswerOutcome, LivePlayerRecord, LiveSessionRecord, UserRecord, VersionRecord};
use moka::sync::Cache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const LIVE_COOKIE: &str = "thi24_live";
/// A view is made again at most this often (a burst of answers makes one update).
const VIEW_TTL: Duration = Duration::from_millis(50);
/// How many people the public standings show.
const TOP_PEOPLE: usize = 10;

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
    questions: Cache<Uuid, Arc<Vec<VersionRecord>>>,
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

fn closed() -> AppError {
    AppError::new(ErrorCode::Conflict, tl().err_question_closed)
}

fn not_found() -> AppError {
    AppError::not_found(tl().err_session_not_found)
}

pub async fn session(state: &AppState, id: Uuid) -> AppResult<LiveSessionRecord> {
    state.store.live_session(id).await.map_err(internal)?.ok_or_else(not_found)
}

/// The session's questions (versions never change: kept for good once read).
pub async fn questions(state: &AppState, id: Uuid) -> AppResult<Arc<Vec<VersionRecord>>> {
    if let Some(q) = state.hub.questions.get(&id) {
        return Ok(q);
    }
    let mut out = Vec::new();
    for v in state.store.live_versions(id).await.map_err(internal)? {
        out.push(state.store.question_version(v).await.map_err(internal)?.ok_or_else(AppError::internal)?);
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
                super::admin::audit(state, user, "live.create", "live_session", rec.id, None::<&()>, Some(&input)).await?;
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
    super::admin::audit(state, user, &format!("live.{}", action.as_str()), "live_session", id, None::<&()>, Some(&s.phase)).await?;
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
    let versions: Vec<(Uuid, i64)> = qs.iter().map(|v| (v.version_id, v.options.len() as i64)).collect();
    state.store.count_live(s.id, round.id, contest_id, ended_at, &results, &versions).await.map_err(internal)?;
    state.graded(round.id);
    Ok(())
}

/// The participant of this request in this session: by the live cookie, or by the account.
pub async fn player(state: &AppState, headers: &http::HeaderMap, id: Uuid) -> AppResult<Option<LivePlayerRecord>> {
    if let Some(token) = token_from(headers) {
        if let Some(p) = state.store.live_player_by_token(&super::auth::hash_token(&token)).await.map_err(internal)? {
            if p.session_id == id {
                return Ok(Some(p));
            }
        }
    }
    match super::auth::current_user(state, headers).await? {
        Some(u) => state.store.live_player_by_user(id, u.id).await.map_err(internal),
        None => Ok(None),
    }
}

pub fn token_from(headers: &http::HeaderMap) -> Option<String> {
    super::auth::cookie_token(headers, LIVE_COOKIE)
}

pub fn cookie(token: &str, secure: bool) -> String {
    format!("{LIVE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400{}", if secure { "; Secure" } else { "" })
}

pub async fn lookup(state: &AppState, code: &str) -> AppResult<LiveLookup> {
    let code = code.trim();
    if !live::is_code(code) {
        return Err(AppError::validation(tl().err_code));
    }
    let s = state.store.live_by_code(code).await.map_err(internal)?.ok_or_else(|| AppError::not_found(tl().err_code_unknown))?;
    Ok(LiveLookup { id: s.id, code: s.code.clone(), title: s.title.clone(), phase: s.stored().phase(state.now()) })
}

/// Joins a session: an account as itself (again, with the same points), a guest
/// with a name and a unit. Returns the participant and the cookie's token.
pub async fn join(state: &AppState, user: Option<&UserRecord>, id: Uuid, input: LiveJoinInput) -> AppResult<(LiveMe, String)> {
    let s = session(state, id).await?;
    if s.stored().phase(state.now()) == Phase::Ended {
        return Err(AppError::new(ErrorCode::Conflict, tl().err_session_ended));
    }
    let (name, unit_id) = match user {
        Some(u) => (u.full_name.clone(), u.unit_id),
        None => {
            let name = input.name.unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
            let len = name.chars().count();
            if !(2..=80).contains(&len) {
                return Err(AppError::validation(tl().err_guest_name));
            }
            let unit_id = input.unit_id.ok_or_else(|| AppError::validation(t().err_unit_unknown))?;
            if !state.units().await.map_err(internal)?.iter().any(|u| u.id == unit_id) {
                return Err(AppError::validation(t().err_unit_unknown));
            }
            (name, unit_id)
        }
    };
    let (token, hash) = super::auth::new_token();
    let p = crate::store::NewLivePlayer {
        id: Uuid::new_v4(),
        session_id: id,
        user_id: user.map(|u| u.id),
        name,
        unit_id,
        token_hash: hash,
        joined_at: state.now(),
    };
    let rec = state.store.join_live(&p).await.map_err(internal)?;
    state.hub.reset(id);
    Ok((me_of(state, &rec).await?, token))
}

/// Saves an answer to the running question.
pub async fn answer(state: &AppState, p: &LivePlayerRecord, input: LiveAnswerInputDto) -> AppResult<LiveAnswerAck> {
    let a = crate::store::LiveAnswerInput {
        session_id: p.session_id,
        player_id: p.id,
        position: input.position,
        option_id: input.option_id,
        now: state.now(),
    };
    match state.store.live_answer(&a).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => not_found(),
        e => internal(e),
    })? {
        LiveAnswerOutcome::Saved { answered } => {
            state.hub.changed(p.session_id);
            Ok(LiveAnswerAck { answered, already: false })
        }
        LiveAnswerOutcome::Already { answered } => Ok(LiveAnswerAck { answered, already: true }),
        LiveAnswerOutcome::Closed => Err(closed()),
        LiveAnswerOutcome::BadOption => Err(AppError::validation(tl().err_option)),
    }
}

/// A participant's own state; answers show whether they were right once their question is over.
pub async fn me_of(state: &AppState, p: &LivePlayerRecord) -> AppResult<LiveMe> {
    let cached = view(state, p.session_id, false).await?;
    let running = matches!(cached.view.phase, Phase::Question | Phase::Paused).then_some(cached.view.index);
    let raw = state.store.live_player_answers(p.id).await.map_err(internal)?;
    // the points of a question still running stay hidden until it is over
    let (mut hidden_points, mut hidden_correct) = (0, 0);
    let answers = raw
        .into_iter()
        .map(|(position, option_id, correct, points)| {
            let open = running == Some(position);
            if open {
                hidden_points += points;
                hidden_correct += i64::from(correct);
            }
            LiveMyAnswer { position, option_id, correct: (!open).then_some(correct), points: (!open).then_some(points) }
        })
        .collect::<Vec<_>>();
    let units = state.units().await.map_err(internal)?;
    Ok(LiveMe {
        player_id: p.id,
        name: p.name.clone(),
        unit_name: unit_names(&units).get(&p.unit_id).map(|n| n.to_string()).unwrap_or_default(),
        guest: p.user_id.is_none(),
        points: p.points - hidden_points,
        correct: p.correct - hidden_correct,
        rank: cached.ranks.get(&p.id).copied().unwrap_or(0),
        players: cached.view.players,
        answers,
    })
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

/// The whole ranking (every participant and unit), for the results and the export.
pub async fn results(
    state: &AppState,
    user: &UserRecord,
    id: Uuid,
) -> AppResult<(LiveSessionRecord, Vec<LivePersonRow>, Vec<LiveUnitRow>)> {
    let s = session(state, id).await?;
    require_host(user, &s)?;
    let players = state.store.live_players(id).await.map_err(internal)?;
    let (people, units) = standings(&players, &state.units().await.map_err(internal)?);
    Ok((s, people.into_iter().map(|(_, row)| row).collect(), units))
}

fn unit_names(units: &[crate::domain::units::Unit]) -> HashMap<Uuid, &str> {
    units.iter().map(|u| (u.id, u.name.as_str())).collect()
}

/// Every participant ranked (with their id), and the units by their members' average.
fn standings(players: &[LivePlayerRecord], units: &[crate::domain::units::Unit]) -> (Vec<(Uuid, LivePersonRow)>, Vec<LiveUnitRow>) {
    let names = unit_names(units);
    let name = |u: &Uuid| names.get(u).map(|n| n.to_string()).unwrap_or_default();
    let mut ranked: Vec<&LivePlayerRecord> = players.iter().collect();
    let ranks = crate::domain::ranking::rank_by(&mut ranked, |p| {
        live::Standing { points: p.points, correct: p.correct, time_ms: p.time_ms, joined_at: p.joined_at }.key()
    });
    let people = ranked
        .into_iter()
        .zip(ranks)
        .map(|(p, rank)| {
            let row = LivePersonRow {
                rank,
                name: p.name.clone(),
                unit_name: name(&p.unit_id),
                points: p.points,
                correct: p.correct,
                time_ms: p.time_ms,
                guest: p.user_id.is_none(),
            };
            (p.id, row)
        })
        .collect();
    let units = live::unit_scores(players.iter().map(|p| (p.unit_id, p.points)), |u| name(u))
        .into_iter()
        .map(|(rank, u)| LiveUnitRow { rank, unit_name: name(&u.unit), present: u.present, average: u.average })
        .collect();
    (people, units)
}

/// The session's results as XLSX: people, then units.
pub async fn export(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<(String, Vec<u8>)> {
    use super::admin::{titled_sheet, xlsx_err as xlsx};
    let (s, people, units) = results(state, user, id).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let head = [t().col_rank, t().col_name, t().col_unit, tl().col_correct, tl().col_points, t().col_time_seconds, tl().col_guest];
    let sheet = titled_sheet(&mut book, t().sheet_people, &head)?;
    for (i, p) in people.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, p.rank as f64).map_err(xlsx)?;
        sheet.write_string(row, 1, &p.name).map_err(xlsx)?;
        sheet.write_string(row, 2, &p.unit_name).map_err(xlsx)?;
        sheet.write_number(row, 3, p.correct as f64).map_err(xlsx)?;
        sheet.write_number(row, 4, p.points as f64).map_err(xlsx)?;
        sheet.write_number(row, 5, p.time_ms as f64 / 1000.0).map_err(xlsx)?;
        sheet.write_string(row, 6, if p.guest { tl().yes } else { "" }).map_err(xlsx)?;
    }
    let sheet = titled_sheet(&mut book, t().sheet_units, &[t().col_rank, t().col_unit, tl().col_present, tl().col_average])?;
    for (i, u) in units.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, u.rank as f64).map_err(xlsx)?;
        sheet.write_string(row, 1, &u.unit_name).map_err(xlsx)?;
        sheet.write_number(row, 2, u.present as f64).map_err(xlsx)?;
        sheet.write_number(row, 3, (u.average * 10.0).round() / 10.0).map_err(xlsx)?;
    }
    super::admin::audit(state, user, "live.export", "live_session", id, None::<&()>, None::<&()>).await?;
    Ok((format!("truc-tiep-{}.xlsx", s.code), book.save_to_buffer().map_err(xlsx)?))
}

/// The join address as a QR code (SVG).
pub fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).map_err(internal)?;
    Ok(code.render::<svg::Color>().min_dimensions(320, 320).quiet_zone(true).build())
}
