//! The JSON API of live in-person sessions (documented in docs/API.md and the
//! OpenAPI document). Handlers parse and call `server::live`.
use super::api::{file_response, ApiError, ApiPath, ApiQuery, Body};
use super::{auth, live, state::AppState};
use crate::domain::live::Phase;
use crate::error::AppError;
use crate::i18n::tl;
use crate::model::*;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::time::Duration;
use uuid::Uuid;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/live", get(list).post(create))
        .route("/api/v1/admin/live/{id}/export.xlsx", get(export))
        .route("/api/v1/admin/live/{id}/ranking", get(results))
        .route("/api/v1/admin/live/{id}/{action}", post(control))
        .route("/api/v1/live/codes/{code}", get(lookup))
        .route("/api/v1/live/{id}", get(view))
        .route("/api/v1/live/{id}/events", get(events))
        .route("/api/v1/live/{id}/qr.svg", get(qr))
        .route("/api/v1/live/{id}/join", post(join))
        .route("/api/v1/live/{id}/me", get(me))
        .route("/api/v1/live/{id}/answers", post(answer))
}

async fn list(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Vec<LiveSummary>>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(live::list(&s, &user).await?))
}

async fn create(
    State(s): State<AppState>,
    h: HeaderMap,
    Body(input): Body<LiveCreateInput>,
) -> ApiResult<(axum::http::StatusCode, Json<LiveSummary>)> {
    let user = auth::require_user(&s, &h).await?;
    Ok((axum::http::StatusCode::CREATED, Json(live::create(&s, &user, input).await?)))
}

async fn control(State(s): State<AppState>, h: HeaderMap, ApiPath((id, action)): ApiPath<(Uuid, String)>) -> ApiResult<Json<LiveView>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(live::control(&s, &user, id, &action).await?))
}

#[derive(serde::Serialize)]
struct Results {
    people: Vec<LivePersonRow>,
    units: Vec<LiveUnitRow>,
    counted_round_id: Option<Uuid>,
}

async fn results(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Results>> {
    let user = auth::require_user(&s, &h).await?;
    let (session, people, units) = live::results(&s, &user, id).await?;
    Ok(Json(Results { people, units, counted_round_id: session.counted_round_id }))
}

async fn export(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let (name, bytes) = live::export(&s, &user, id).await?;
    Ok(file_response((name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes)))
}

async fn lookup(State(s): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Json<LiveLookup>> {
    Ok(Json(live::lookup(&s, &code).await?))
}

#[derive(Deserialize)]
struct ViewQuery {
    /// `host`: the host's view (standings always; the host only); `player`: fewer updates.
    view: Option<String>,
}

/// Whether the request asks for, and may see, the host's view.
async fn host_view(s: &AppState, h: &HeaderMap, id: Uuid, q: &ViewQuery) -> ApiResult<bool> {
    if q.view.as_deref() != Some("host") {
        return Ok(false);
    }
    let user = auth::require_user(s, h).await?;
    live::require_host(&user, &live::session(s, id).await?)?;
    Ok(true)
}

async fn view(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> ApiResult<Response> {
    let host = host_view(&s, &h, id, &q).await?;
    let v = live::view(&s, id, host).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], v.json.as_str().to_owned()).into_response())
}

/// How often a stream looks for changes it was not told about (a lost notification).
const POLL: Duration = Duration::from_secs(2);
/// A participant's screen gets counters at most this often (phase changes at once).
const PLAYER_EVERY: Duration = Duration::from_secs(1);

/// Server-sent events: the session's view (`state`), at once and whenever it changes.
async fn events(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> ApiResult<Response> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let host = host_view(&s, &h, id, &q).await?;
    let player = q.view.as_deref() == Some("player");
    live::session(&s, id).await?;
    let rx = s.hub.events.subscribe();
    let stop = s.shutdown.subscribe();
    struct St {
        s: AppState,
        rx: tokio::sync::broadcast::Receiver<Uuid>,
        stop: tokio::sync::watch::Receiver<bool>,
        last: Option<std::sync::Arc<String>>,
        last_key: (Phase, i64),
        /// When the last view sent turns stale by itself (its question's end), server time.
        stale_at: Option<i64>,
        sent_at: std::time::Instant,
        fresh: bool,
        /// When a held-back update is due.
        due: Option<std::time::Instant>,
    }
    let st = St {
        s,
        rx,
        stop,
        last: None,
        last_key: (Phase::Lobby, -2),
        stale_at: None,
        sent_at: std::time::Instant::now(),
        fresh: true,
        due: None,
    };
    let stream = futures_util::stream::unfold(st, move |mut st| async move {
        loop {
            if *st.stop.borrow() {
                return None; // shutting down: the browser reconnects (to another server)
            }
            if st.fresh {
                st.fresh = false;
                if let Ok(c) = live::view(&st.s, id, host).await {
                    let key = (c.view.phase, c.view.index);
                    if st.last.as_deref() != Some(&*c.json) {
                        // a participant's counters at most every PLAYER_EVERY; a new phase at once
                        let throttled = player && key == st.last_key && st.sent_at.elapsed() < PLAYER_EVERY;
                        if !throttled {
                            st.last = Some(c.json.clone());
                            st.last_key = key;
                            st.stale_at = c.stale_at;
                            st.sent_at = std::time::Instant::now();
                            let event = Event::default().event("state").data(c.json.as_str());
                            return Some((Ok::<_, std::convert::Infallible>(event), st));
                        }
                        st.due = Some(st.sent_at + PLAYER_EVERY);
                    }
                }
            }
            // the running question's end needs no announcement: each server wakes for it
            let mut wake =
                st.stale_at.map(|t| Duration::from_millis((t - st.s.now()).clamp(0, 600_000) as u64 + 5)).unwrap_or(POLL).min(POLL);
            if let Some(due) = st.due {
                wake = wake.min(due.saturating_duration_since(std::time::Instant::now()));
            }
            tokio::select! {
                _ = st.stop.changed() => {}
                r = st.rx.recv() => match r {
                    Ok(changed) if changed != id => continue,
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // let a burst of answers settle into one update (the shared view lives this long)
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        while st.rx.try_recv().is_ok() {}
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep(wake) => {}
            }
            if st.due.is_some_and(|d| d <= std::time::Instant::now()) {
                st.due = None;
            }
            st.fresh = true;
        }
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)));
    let mut res = sse.into_response();
    res.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(res)
}

/// The join address of the session as a QR code.
async fn qr(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let session = live::session(&s, id).await?;
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if s.config.cookie_secure { "https" } else { "http" };
    let svg = live::qr_svg(&format!("{scheme}://{host}/truc-tiep?ma={}", session.code))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")], svg).into_response())
}

async fn join(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<LiveJoinInput>,
) -> ApiResult<Response> {
    let user = auth::current_user(&s, &h).await?;
    let (me, token) = live::join(&s, user.as_ref(), id, input).await?;
    let mut res = Json(me).into_response();
    if let Ok(v) = HeaderValue::from_str(&live::cookie(&token, s.config.cookie_secure)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

async fn me(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<LiveMe>> {
    let p = live::player(&s, &h, id).await?.ok_or_else(|| AppError::not_found(tl().err_not_joined))?;
    Ok(Json(live::me_of(&s, &p).await?))
}

async fn answer(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<LiveAnswerInputDto>,
) -> ApiResult<Json<LiveAnswerAck>> {
    let p = live::player(&s, &h, id).await?.ok_or_else(|| AppError::new(crate::error::ErrorCode::Unauthorized, tl().err_not_joined))?;
    Ok(Json(live::answer(&s, &p, input).await?))
}
