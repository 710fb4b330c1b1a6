//! Live in-person sessions: the host's console, the projector, the players'
//! phones. Handlers parse and call `server::live`.
use super::doc::*;
use super::extract::*;
use super::sse;
use crate::domain::live::Phase;
use crate::error::{AppError, ErrorCode};
use crate::i18n::tl;
use crate::model::*;
use crate::server::{live, state::AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(results))
        .routes(routes!(control))
        .routes(routes!(lookup))
        .routes(routes!(view))
        .routes(routes!(events))
        .routes(routes!(qr))
        .routes(routes!(join))
        .routes(routes!(me))
        .routes(routes!(answer))
}

/// The sessions (the last 100).
#[utoipa::path(get, path = "/api/v1/admin/live", tag = "live", security(("session" = [])),
    responses((status = 200, body = Vec<LiveSummary>), Unauthorized, Forbidden))]
async fn list(State(s): State<AppState>, Organizer(user): Organizer) -> ApiResult<Json<Vec<LiveSummary>>> {
    Ok(Json(live::list(&s, &user).await?))
}

/// Creates a session from a round's questions (drawn by its rules) or hand-picked ones.
#[utoipa::path(post, path = "/api/v1/admin/live", tag = "live", security(("session" = [])), request_body = LiveCreateInput,
    responses((status = 201, body = LiveSummary), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid))]
async fn create(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    Body(input): Body<LiveCreateInput>,
) -> ApiResult<(StatusCode, Json<LiveSummary>)> {
    Ok((StatusCode::CREATED, Json(live::create(&s, &user, input).await?)))
}

/// The host's decisions: start, pause, resume, reveal, results, next, end.
#[utoipa::path(post, path = "/api/v1/admin/live/{id}/{action}", tag = "live", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The session"),
        ("action" = String, Path, pattern = "^(start|pause|resume|reveal|results|next|end)$", description = "The decision")),
    responses((status = 200, body = LiveView), BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn control(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiPath((id, action)): ApiPath<(Uuid, String)>,
) -> ApiResult<Json<LiveView>> {
    Ok(Json(live::control(&s, &user, id, &action).await?))
}

#[derive(Serialize, ToSchema)]
pub struct LiveResults {
    people: Vec<LivePersonRow>,
    units: Vec<LiveUnitRow>,
    /// The round the accounts' results were written into, if any.
    counted_round_id: Option<Uuid>,
}

/// The full standings of a session.
#[utoipa::path(get, path = "/api/v1/admin/live/{id}/ranking", tag = "live", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, body = LiveResults), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn results(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<LiveResults>> {
    let (session, people, units) = live::results(&s, &user, id).await?;
    Ok(Json(LiveResults { people, units, counted_round_id: session.counted_round_id }))
}

/// The standings as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/admin/live/{id}/export.xlsx", tag = "live", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "The workbook"),
        BadRequest, Unauthorized, Forbidden, NotFound))]
async fn export(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = live::export(&s, &user, id).await?;
    Ok(file_response((name, XLSX, bytes)))
}

/// The session a join code names.
#[utoipa::path(get, path = "/api/v1/live/codes/{code}", tag = "live",
    params(("code" = String, Path, pattern = r"^\s*[1-9][0-9]{5}\s*$", description = "The join code shown on the projector: six digits, the first not 0")),
    responses((status = 200, body = LiveLookup), BadRequest, NotFound, Invalid))]
async fn lookup(State(s): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Json<LiveLookup>> {
    Ok(Json(live::lookup(&s, &code).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `host`: the host's view (standings always; the host only); `player`: fewer updates.
    #[param(pattern = "^(host|player|screen)$")]
    view: Option<String>,
}

/// Whether the request asks for, and may see, the host's view.
async fn host_view(s: &AppState, h: &HeaderMap, id: Uuid, q: &ViewQuery) -> ApiResult<bool> {
    if q.view.as_deref() != Some("host") {
        return Ok(false);
    }
    let user = crate::server::auth::require_user(s, h).await?;
    live::require_host(&user, &live::session(s, id).await?)?;
    Ok(true)
}

/// What every screen of the session shows now.
#[utoipa::path(get, path = "/api/v1/live/{id}", tag = "live",
    params(("id" = Uuid, Path, description = "The session"), ViewQuery),
    responses((status = 200, body = LiveView), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn view(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> ApiResult<Response> {
    let host = host_view(&s, &h, id, &q).await?;
    let v = live::view(&s, id, host).await?;
    Ok(json_text(&v.json))
}

/// How often a stream looks for changes it was not told about (a lost notification).
const POLL: Duration = Duration::from_secs(2);
/// A participant's screen gets counters at most this often (phase changes at once).
const PLAYER_EVERY: Duration = Duration::from_secs(1);

/// A session's view as it changes.
struct Screen {
    id: Uuid,
    host: bool,
    player: bool,
    last: Option<std::sync::Arc<String>>,
    last_key: (Phase, i64),
    /// When the last view sent turns stale by itself (its question's end), server time.
    stale_at: Option<i64>,
    sent_at: Instant,
    /// When a held-back update is due.
    due: Option<Instant>,
}

impl sse::Feed for Screen {
    async fn next(&mut self, s: &AppState) -> Option<Event> {
        if self.due.is_some_and(|d| d <= Instant::now()) {
            self.due = None;
        }
        let c = live::view(s, self.id, self.host).await.ok()?;
        if self.last.as_deref() == Some(&*c.json) {
            return None;
        }
        let key = (c.view.phase, c.view.index);
        // a participant's counters at most every PLAYER_EVERY; a new phase at once
        if self.player && key == self.last_key && self.sent_at.elapsed() < PLAYER_EVERY {
            self.due = Some(self.sent_at + PLAYER_EVERY);
            return None;
        }
        self.last = Some(c.json.clone());
        self.last_key = key;
        self.stale_at = c.stale_at;
        self.sent_at = Instant::now();
        Some(Event::default().event("state").data(c.json.as_str()))
    }

    fn wake_in(&self, s: &AppState) -> Duration {
        // the running question's end needs no announcement: each server wakes for it
        let mut wake = self.stale_at.map(|t| Duration::from_millis((t - s.now()).clamp(0, 600_000) as u64 + 5)).unwrap_or(POLL).min(POLL);
        if let Some(due) = self.due {
            wake = wake.min(due.saturating_duration_since(Instant::now()));
        }
        wake
    }
}

/// Server-sent events (`text/event-stream`): event `state`, whose data is the
/// `LiveView` JSON, at once and whenever it changes.
#[utoipa::path(get, path = "/api/v1/live/{id}/events", tag = "live",
    params(("id" = Uuid, Path, description = "The session"), ViewQuery),
    responses((status = 200, content_type = "text/event-stream", body = sse::EventSchema, description = "`event: state` with a `LiveView` as data"),
        BadRequest, Unauthorized, Forbidden, NotFound))]
async fn events(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> ApiResult<Response> {
    let host = host_view(&s, &h, id, &q).await?;
    let player = q.view.as_deref() == Some("player");
    live::session(&s, id).await?;
    let changes = s.hub.events.subscribe();
    let screen = Screen { id, host, player, last: None, last_key: (Phase::Lobby, -2), stale_at: None, sent_at: Instant::now(), due: None };
    Ok(sse::stream(s, changes, id, Duration::from_millis(50), screen))
}

/// The join address of the session as a QR code.
#[utoipa::path(get, path = "/api/v1/live/{id}/qr.svg", tag = "live",
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, content_type = "image/svg+xml", body = String, description = "The QR code"), BadRequest, NotFound))]
async fn qr(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let session = live::session(&s, id).await?;
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if s.config.cookie_secure { "https" } else { "http" };
    let svg = live::qr_svg(&format!("{scheme}://{host}/truc-tiep?ma={}", session.code))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")], svg).into_response())
}

/// Joins a session: signed in as oneself (again: the same player and points), or
/// as a guest with a name and unit. Sets the `thi24_live` cookie.
#[utoipa::path(post, path = "/api/v1/live/{id}/join", tag = "live",
    params(("id" = Uuid, Path, description = "The session")), request_body = LiveJoinInput,
    responses((status = 200, body = LiveMe, description = "Joined; `Set-Cookie: thi24_live=…`"), BadRequest, NotFound, Conflict, TooLarge, Invalid))]
async fn join(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<LiveJoinInput>,
) -> ApiResult<Response> {
    let (me, token) = live::join(&s, user.as_ref(), id, input).await?;
    let mut res = Json(me).into_response();
    if let Ok(v) = HeaderValue::from_str(&live::cookie(&token, s.config.cookie_secure)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// The caller as a player of the session (by the `thi24_live` cookie).
#[utoipa::path(get, path = "/api/v1/live/{id}/me", tag = "live", security(("live" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, body = LiveMe), BadRequest, NotFound))]
async fn me(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<LiveMe>> {
    let p = live::player(&s, &h, id).await?.ok_or_else(|| AppError::not_found(tl().err_not_joined))?;
    Ok(Json(live::me_of(&s, &p).await?))
}

/// Answers the running question (the first answer stands).
#[utoipa::path(post, path = "/api/v1/live/{id}/answers", tag = "live", security(("live" = [])),
    params(("id" = Uuid, Path, description = "The session")), request_body = LiveAnswerInputDto,
    responses((status = 200, body = LiveAnswerAck), BadRequest, Unauthorized, NotFound, Conflict, TooLarge, Invalid))]
async fn answer(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<LiveAnswerInputDto>,
) -> ApiResult<Json<LiveAnswerAck>> {
    let p = live::player(&s, &h, id).await?.ok_or_else(|| AppError::new(ErrorCode::Unauthorized, tl().err_not_joined))?;
    Ok(Json(live::answer(&s, &p, input).await?))
}
