//! Participants: who a request is, joining, answering, and their own state.
use super::*;
use crate::domain::live::{self, Phase};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{t, tl};
use crate::model::*;
use crate::server::service::internal;
use crate::server::state::AppState;
use crate::store::{LiveAnswerOutcome, LivePlayerRecord, UserRecord};
use uuid::Uuid;

/// The participant of this request in this session: by the live cookie, or by the account.
pub async fn player(state: &AppState, headers: &http::HeaderMap, id: Uuid) -> AppResult<Option<LivePlayerRecord>> {
    if let Some(token) = token_from(headers) {
        if let Some(p) = state.store.live_player_by_token(&crate::server::auth::hash_token(&token)).await.map_err(internal)? {
            if p.session_id == id {
                return Ok(Some(p));
            }
        }
    }
    match crate::server::auth::current_user(state, headers).await? {
        Some(u) => state.store.live_player_by_user(id, u.id).await.map_err(internal),
        None => Ok(None),
    }
}

pub fn token_from(headers: &http::HeaderMap) -> Option<String> {
    crate::server::auth::cookie_token(headers, LIVE_COOKIE)
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
    let (token, hash) = crate::server::auth::new_token();
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
