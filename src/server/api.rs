//! The public JSON API under /api/v1. Handlers parse, call a service function and
//! map the error; no rule lives here. Documented in docs/API.md.
use super::{auth, ranking, service, state::AppState};
use crate::domain::RoundStatus;
use crate::error::{AppError, ErrorCode};
use crate::i18n::t;
use crate::model::*;
use axum::extract::{ConnectInfo, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

/// An `AppError` as an HTTP response: `{"error": code, "message": text}`.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A JSON body whose rejections become API errors (400 malformed, 422 wrong shape).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection as R;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(R::JsonDataError(e)) => Err(AppError::validation(format!("{}: {}", t().err_bad_request, e.body_text())).into()),
            Err(_) => Err(AppError::bad_request(t().err_bad_request).into()),
        }
    }
}

/// The TCP peer, when the server was started with connect info.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

/// Path parameters whose rejection (a malformed id) is a JSON 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| AppError::bad_request(t().err_bad_request).into())
    }
}

/// Query parameters whose rejection is a JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|_| AppError::bad_request(t().err_bad_request).into())
    }
}

fn with_cookie<T: serde::Serialize>(status: StatusCode, cookie: String, body: T) -> Response {
    (status, [(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

async fn health(State(s): State<AppState>) -> Response {
    match crate::store::Store::ping(&s.store).await {
        Ok(()) => Json(serde_json::json!({"status": "ok", "database": crate::store::Store::backend(&s.store)})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "unavailable", "database": "unreachable"}))).into_response()
        }
    }
}

async fn units(State(s): State<AppState>) -> ApiResult<Json<Vec<UnitDto>>> {
    Ok(Json(service::list_units(&s).await?))
}

async fn register(State(s): State<AppState>, Peer(peer): Peer, h: HeaderMap, Body(input): Body<RegisterInput>) -> ApiResult<Response> {
    let ip = auth::client_ip(&h, peer, s.config.trust_proxy);
    let (me, token) = service::register(&s, input, &ip).await?;
    Ok(with_cookie(StatusCode::CREATED, auth::session_cookie(&token, s.config.cookie_secure), me))
}

async fn login(State(s): State<AppState>, Peer(peer): Peer, h: HeaderMap, Body(input): Body<LoginInput>) -> ApiResult<Response> {
    let ip = auth::client_ip(&h, peer, s.config.trust_proxy);
    let (me, token) = service::login(&s, input, &ip).await?;
    Ok(with_cookie(StatusCode::OK, auth::session_cookie(&token, s.config.cookie_secure), me))
}

async fn logout(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Response> {
    service::logout(&s, auth::token_from(&h)).await?;
    let mut res = with_cookie(StatusCode::OK, auth::clear_cookie(s.config.cookie_secure), serde_json::json!({"ok": true}));
    res.headers_mut().insert("clear-site-data", http::HeaderValue::from_static(auth::CLEAR_SITE_DATA));
    Ok(res)
}

async fn me(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Me>> {
    Ok(Json(service::me(&auth::require_user(&s, &h).await?)))
}

#[derive(Deserialize)]
struct RoundsQuery {
    status: Option<String>,
}

async fn rounds(State(s): State<AppState>, h: HeaderMap, ApiQuery(q): ApiQuery<RoundsQuery>) -> ApiResult<Json<Vec<RoundSummary>>> {
    let status = match q.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some("open") => Some(RoundStatus::Open),
        Some("upcoming") => Some(RoundStatus::Upcoming),
        Some("closed") => Some(RoundStatus::Closed),
        Some(_) => return Err(AppError::bad_request(t().err_bad_request).into()),
    };
    let user = auth::current_user(&s, &h).await?;
    Ok(Json(service::list_rounds(&s, user.as_ref(), status).await?))
}

async fn start(State(s): State<AppState>, h: HeaderMap, ApiPath(round_id): ApiPath<Uuid>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let view = service::start_attempt(&s, &user, round_id).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn attempt(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<AttemptView>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(service::attempt_view(&s, &user, id).await?))
}

async fn answer(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AnswerAck>> {
    let user = auth::require_user(&s, &h).await?;
    let option = super::payload::answer_option(&body)?;
    Ok(Json(service::save_answer(&s, &user, id, qid, option).await?))
}

async fn submit(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<SubmitOutcome>> {
    let user = auth::require_user(&s, &h).await?;
    // The body is optional: an empty one means no prediction and no held-back answers.
    let (prediction, answers) = super::payload::submission(&body)?;
    Ok(Json(service::submit_with_answers(&s, &user, id, prediction, answers).await?))
}

#[derive(Deserialize)]
struct BoardQuery {
    limit: Option<i64>,
    unit: Option<Uuid>,
}

async fn leaderboard(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<Leaderboard>> {
    let user = auth::current_user(&s, &h).await?;
    service::check_round_visible(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::leaderboard(&s, id, q.unit, q.limit.unwrap_or(100).clamp(1, 1_000), user.as_ref()).await?))
}

async fn my_attempts(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Vec<MyAttempt>>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(service::my_attempts(&s, &user).await?))
}

async fn time(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "now": s.now() }))
}

async fn create_round(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(contest_id): ApiPath<Uuid>,
    Body(input): Body<RoundInput>,
) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let round = super::admin::create_round(&s, &user, contest_id, input).await?;
    Ok((StatusCode::CREATED, Json(round)).into_response())
}

async fn create_weekly(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(contest_id): ApiPath<Uuid>,
    Body(input): Body<WeeklyInput>,
) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let rounds = super::admin::create_weekly(&s, &user, contest_id, input).await?;
    Ok((StatusCode::CREATED, Json(rounds)).into_response())
}

async fn contests_list(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Vec<ContestDto>>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::admin::list_contests(&s, &user).await?))
}

async fn contest_create(State(s): State<AppState>, h: HeaderMap, Body(input): Body<ContestInput>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    Ok((StatusCode::CREATED, Json(super::admin::save_contest(&s, &user, None, input).await?)).into_response())
}

async fn contest_get(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ContestDto>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::admin::get_contest(&s, &user, id).await?))
}

async fn contest_update(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<ContestInput>,
) -> ApiResult<Json<ContestDto>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::admin::save_contest(&s, &user, Some(id), input).await?))
}

async fn contest_clone(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    Ok((StatusCode::CREATED, Json(super::admin::clone_contest(&s, &user, id).await?)).into_response())
}

async fn round_update(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<RoundInput>,
) -> ApiResult<Json<AdminRound>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::admin::update_round(&s, &user, id, input).await?))
}

async fn round_action(State(s): State<AppState>, h: HeaderMap, ApiPath((id, action)): ApiPath<(Uuid, String)>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    Ok(match action.as_str() {
        "close" => Json(super::admin::close_round(&s, &user, id).await?).into_response(),
        "clone" => (StatusCode::CREATED, Json(super::admin::clone_round(&s, &user, id).await?)).into_response(),
        "publish" => Json(super::admin::publish_round(&s, &user, id).await?).into_response(),
        _ => return Err(AppError::new(ErrorCode::NotFound, t().not_found_text).into()),
    })
}

async fn round_export(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let (name, bytes) = super::admin::export_round(&s, &user, id).await?;
    Ok(file_response((name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes)))
}

async fn contest_export(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let (name, bytes) = super::admin::export_contest(&s, &user, id).await?;
    Ok(file_response((name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes)))
}

async fn audit_csv(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    Ok(file_response(("nhat-ky.csv".into(), "text/csv; charset=utf-8", super::admin::audit_csv(&s, &user).await?)))
}

/// A public contest's ranking (phone numbers masked); private contests are not public.
async fn visible_contest(s: &AppState, h: &HeaderMap, id: Uuid) -> ApiResult<Option<crate::store::UserRecord>> {
    let user = auth::current_user(s, h).await?;
    service::check_contest_id_visible(s, user.as_ref(), id).await?;
    Ok(user)
}

async fn contest_ranking(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<ContestRanking>> {
    let user = visible_contest(&s, &h, id).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1_000) as usize;
    Ok(Json(ranking::contest_ranking(&s, id, q.unit, limit, user.as_ref()).await?))
}

async fn contest_units(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ranking::BoardParams>,
) -> ApiResult<Json<UnitBoard>> {
    visible_contest(&s, &h, id).await?;
    Ok(Json(ranking::unit_board(&s, id, None, q).await?))
}

async fn round_contest(s: &AppState, h: &HeaderMap, round_id: Uuid) -> ApiResult<Uuid> {
    Ok(service::check_round_visible(s, auth::current_user(s, h).await?.as_ref(), round_id).await?.contest_id)
}

async fn round_units(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ranking::BoardParams>,
) -> ApiResult<Json<UnitBoard>> {
    let contest_id = round_contest(&s, &h, id).await?;
    Ok(Json(ranking::unit_board(&s, contest_id, Some(id), q).await?))
}

#[derive(Deserialize)]
struct ChartQuery {
    round: Option<Uuid>,
    unit: Option<Uuid>,
}

async fn contest_charts(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ChartQuery>,
) -> ApiResult<Json<Charts>> {
    visible_contest(&s, &h, id).await?;
    Ok(Json(ranking::charts(&s, id, q.round, q.unit).await?))
}

async fn round_charts(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ChartQuery>,
) -> ApiResult<Json<Charts>> {
    let contest_id = round_contest(&s, &h, id).await?;
    Ok(Json(ranking::charts(&s, contest_id, Some(id), q.unit).await?))
}

/// The projector board, shared by every screen for `LIVE_TTL` (it is what they all poll).
async fn round_live(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    round_contest(&s, &h, id).await?;
    let json = s.live_json(id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json.as_str().to_owned()).into_response())
}

/// Server-sent events: the round's projector board, sent at once and again
/// whenever it changes (an attempt starts or is graded here or, announced through
/// PostgreSQL LISTEN/NOTIFY, on another server; a lost announcement, from another
/// server, at the latest within `LIVE_POLL`).
async fn round_events(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    round_contest(&s, &h, id).await?;
    let first = s.live_json(id).await?;
    let rx = s.events.subscribe();
    let stop = s.shutdown.subscribe();
    let stream = futures_util::stream::unfold(
        (s, rx, stop, None::<Arc<String>>, Some(first)),
        move |(s, mut rx, mut stop, last, pending)| async move {
            let mut pending = pending;
            loop {
                if *stop.borrow() {
                    return None; // the server is shutting down: end the stream, the browser reconnects elsewhere
                }
                if let Some(json) = pending.take() {
                    if last.as_deref() != Some(&*json) {
                        let event = Event::default().event("board").data(json.as_str());
                        return Some((Ok::<_, std::convert::Infallible>(event), (s, rx, stop, Some(json), None)));
                    }
                }
                tokio::select! {
                    _ = stop.changed() => continue,
                    r = rx.recv() => match r {
                        Ok(round) if round != id => continue,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            // let a burst of gradings settle into one update
                            tokio::time::sleep(super::state::LIVE_TTL).await;
                            while rx.try_recv().is_ok() {}
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = tokio::time::sleep(LIVE_POLL) => {}
                }
                pending = s.live_json(id).await.ok();
            }
        },
    );
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)));
    let mut res = sse.into_response();
    // proxies must not buffer the stream
    res.headers_mut().insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    Ok(res)
}

/// How often a live board looks for changes made by other servers.
const LIVE_POLL: std::time::Duration = std::time::Duration::from_secs(2);

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], super::openapi::DOCUMENT).into_response()
}

async fn unit_create(State(s): State<AppState>, h: HeaderMap, Body(input): Body<UnitInput>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    Ok((StatusCode::CREATED, Json(super::units::create_unit(&s, &user, input).await?)).into_response())
}

async fn unit_update(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<UnitInput>,
) -> ApiResult<Json<UnitDto>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::units::update_unit(&s, &user, id, input).await?))
}

#[derive(Deserialize)]
struct MergeBody {
    target: Uuid,
}

async fn unit_merge(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(b): Body<MergeBody>,
) -> ApiResult<Json<UnitDto>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::units::merge_units(&s, &user, id, b.target).await?))
}

async fn unit_roster(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<serde_json::Value>> {
    let user = auth::require_user(&s, &h).await?;
    let (name, rows) = super::units::roster(&s, &user, id).await?;
    let rows: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| serde_json::json!({"full_name": r.full_name, "phone": r.phone, "position": r.position, "activation_code": r.activation_code}))
        .collect();
    Ok(Json(serde_json::json!({"unit_name": name, "members": rows})))
}

async fn roster_import(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RosterImport>> {
    let user = auth::require_user(&s, &h).await?;
    if body.is_empty() {
        return Err(AppError::validation(t().err_file_missing).into());
    }
    Ok(Json(super::units::import_roster(&s, &user, q.file_name.as_deref().unwrap_or("danh-sach.csv"), &body).await?))
}

async fn units_import(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RosterImport>> {
    let user = auth::require_user(&s, &h).await?;
    if body.is_empty() {
        return Err(AppError::validation(t().err_file_missing).into());
    }
    Ok(Json(super::units::import_units(&s, &user, q.file_name.as_deref().unwrap_or("don-vi.csv"), &body).await?))
}

#[derive(Deserialize)]
struct ActivateBody {
    phone: String,
    code: String,
    password: String,
}

async fn activate(State(s): State<AppState>, Peer(peer): Peer, h: HeaderMap, Body(b): Body<ActivateBody>) -> ApiResult<Response> {
    let ip = auth::client_ip(&h, peer, s.config.trust_proxy);
    let (me, token) = super::units::activate(&s, &b.phone, &b.code, b.password, &ip).await?;
    Ok(with_cookie(StatusCode::OK, auth::session_cookie(&token, s.config.cookie_secure), me))
}

async fn results(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<PublishedResults>> {
    service::check_round_visible(&s, auth::current_user(&s, &h).await?.as_ref(), id).await?;
    Ok(Json(super::admin::published(&s, id).await?))
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<crate::store::AuditEntry>>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::admin::audit_log(&s, &user, q.limit.unwrap_or(200)).await?))
}

async fn user_role(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<RoleInput>,
) -> ApiResult<Json<serde_json::Value>> {
    let user = auth::require_user(&s, &h).await?;
    super::admin::set_role(&s, &user, id, input).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

async fn topics(State(s): State<AppState>) -> ApiResult<Json<Vec<TopicDto>>> {
    Ok(Json(super::bank::topics(&s).await?))
}

async fn study() -> ApiResult<Json<Vec<StudySection>>> {
    Ok(Json(super::practice::study_sections().map_err(service::internal)?))
}

#[derive(Deserialize)]
struct PracticeQuery {
    topic: Option<String>,
    /// Questions just seen, comma-separated, to avoid (at most 50 are read).
    recent: Option<String>,
}

async fn practice_next(State(s): State<AppState>, ApiQuery(q): ApiQuery<PracticeQuery>) -> ApiResult<Json<PracticeQuestion>> {
    let recent = q.recent.as_deref().unwrap_or("").split(',').filter_map(|r| Uuid::parse_str(r.trim()).ok()).take(50).collect();
    Ok(Json(super::practice::next(&s, q.topic, recent).await?))
}

#[derive(Deserialize)]
struct PracticeAnswerBody {
    question_id: Uuid,
    option_id: Uuid,
}

async fn practice_answer(State(s): State<AppState>, h: HeaderMap, Body(b): Body<PracticeAnswerBody>) -> ApiResult<Json<PracticeFeedback>> {
    let user = auth::current_user(&s, &h).await?;
    Ok(Json(super::practice::answer(&s, user.as_ref(), b.question_id, b.option_id).await?))
}

async fn my_practice(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Vec<TopicStat>>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::practice::summary(&s, &user).await?))
}

async fn bank_list(State(s): State<AppState>, h: HeaderMap, ApiQuery(f): ApiQuery<BankFilter>) -> ApiResult<Json<BankPage>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::bank::list(&s, &user, f).await?))
}

async fn bank_get(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<BankItem>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::bank::get(&s, &user, id).await?))
}

async fn bank_create(
    State(s): State<AppState>,
    h: HeaderMap,
    Body(d): Body<crate::domain::question::QuestionDraft>,
) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let id = super::bank::save(&s, &user, None, d).await?;
    s.invalidate_question_pool().await;
    Ok((StatusCode::CREATED, Json(super::bank::get(&s, &user, id).await?)).into_response())
}

async fn bank_update(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    Body(d): Body<crate::domain::question::QuestionDraft>,
) -> ApiResult<Json<BankItem>> {
    let user = auth::require_user(&s, &h).await?;
    super::bank::save(&s, &user, Some(id), d).await?;
    s.invalidate_question_pool().await;
    Ok(Json(super::bank::get(&s, &user, id).await?))
}

async fn bank_retire(State(s): State<AppState>, h: HeaderMap, ApiPath((id, action)): ApiPath<(Uuid, String)>) -> ApiResult<Json<BankItem>> {
    let user = auth::require_user(&s, &h).await?;
    let retired = match action.as_str() {
        "retire" => true,
        "restore" => false,
        _ => return Err(AppError::new(ErrorCode::NotFound, t().not_found_text).into()),
    };
    super::bank::set_status(&s, &user, id, retired).await?;
    s.invalidate_question_pool().await;
    Ok(Json(super::bank::get(&s, &user, id).await?))
}

pub(crate) fn file_response((name, content_type, bytes): (String, &'static str, Vec<u8>)) -> Response {
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes)
        .into_response()
}

fn format_of(name: &str) -> Result<super::bank::Format, ApiError> {
    match name.rsplit('.').next() {
        Some("csv") => Ok(super::bank::Format::Csv),
        Some("xlsx") => Ok(super::bank::Format::Xlsx),
        _ => Err(AppError::new(ErrorCode::NotFound, t().not_found_text).into()),
    }
}

async fn bank_export(State(s): State<AppState>, h: HeaderMap, ApiPath(file): ApiPath<String>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let format = format_of(&file)?;
    if file.starts_with("template.") {
        service::require_organizer(&user)?;
        return Ok(file_response(super::bank::template(format)?));
    }
    if !file.starts_with("export.") {
        return Err(AppError::new(ErrorCode::NotFound, t().not_found_text).into());
    }
    Ok(file_response(super::bank::export(&s, &user, format).await?))
}

#[derive(Deserialize)]
struct ImportQuery {
    file_name: Option<String>,
}

async fn bank_import(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ImportPreview>> {
    let user = auth::require_user(&s, &h).await?;
    if body.is_empty() {
        return Err(AppError::validation(t().err_file_missing).into());
    }
    Ok(Json(super::bank::preview_import(&s, &user, q.file_name.as_deref().unwrap_or("tep.csv"), &body).await?))
}

async fn bank_commit(State(s): State<AppState>, h: HeaderMap, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ImportDone>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(super::bank::commit_import(&s, &user, id).await?))
}

#[derive(Deserialize)]
struct TopicBody {
    slug: String,
    name: String,
}

async fn topic_create(State(s): State<AppState>, h: HeaderMap, Body(b): Body<TopicBody>) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    super::bank::add_topic(&s, &user, b.slug, b.name).await?;
    Ok((StatusCode::CREATED, Json(super::bank::topics(&s).await?)).into_response())
}

/// Routes that accept large bodies (file uploads).
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/questions/import", post(bank_import))
        .route("/api/v1/admin/rosters/import", post(roster_import))
        .route("/api/v1/admin/units/import", post(units_import))
        .layer(axum::extract::DefaultBodyLimit::max(super::router::UPLOAD_LIMIT))
}

async fn not_found() -> ApiError {
    ApiError(AppError::new(ErrorCode::NotFound, t().not_found_text))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/units", get(units))
        .route("/api/v1/auth/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/attempts", get(my_attempts))
        .route("/api/v1/rounds", get(rounds))
        .route("/api/v1/rounds/{round_id}/attempts", post(start))
        .route("/api/v1/rounds/{round_id}/leaderboard", get(leaderboard))
        .route("/api/v1/attempts/{attempt_id}", get(attempt))
        .route("/api/v1/attempts/{attempt_id}/answers/{question_id}", put(answer))
        .route("/api/v1/attempts/{attempt_id}/submit", post(submit))
        .route("/api/v1/time", get(time))
        .route("/api/v1/topics", get(topics))
        .route("/api/v1/study", get(study))
        .route("/api/v1/practice/next", get(practice_next))
        .route("/api/v1/practice/answer", post(practice_answer))
        .route("/api/v1/me/practice", get(my_practice))
        .route("/api/v1/admin/topics", post(topic_create))
        .route("/api/v1/admin/questions", get(bank_list).post(bank_create))
        .route("/api/v1/admin/questions/files/{file}", get(bank_export))
        .route("/api/v1/admin/questions/imports/{id}/commit", post(bank_commit))
        .route("/api/v1/admin/questions/{id}", get(bank_get).put(bank_update))
        .route("/api/v1/admin/questions/{id}/{action}", post(bank_retire))
        .route("/api/v1/admin/contests", get(contests_list).post(contest_create))
        .route("/api/v1/admin/contests/{contest_id}", get(contest_get).put(contest_update))
        .route("/api/v1/admin/contests/{contest_id}/clone", post(contest_clone))
        .route("/api/v1/admin/contests/{contest_id}/rounds", post(create_round))
        .route("/api/v1/admin/contests/{contest_id}/weekly-rounds", post(create_weekly))
        .route("/api/v1/admin/rounds/{id}", put(round_update))
        .route("/api/v1/admin/rounds/{id}/export.xlsx", get(round_export))
        .route("/api/v1/admin/rounds/{id}/{action}", post(round_action))
        .route("/api/v1/auth/activate", post(activate))
        .route("/api/v1/admin/units", post(unit_create))
        .route("/api/v1/admin/units/{id}", put(unit_update))
        .route("/api/v1/admin/units/{id}/merge", post(unit_merge))
        .route("/api/v1/admin/units/{id}/roster", get(unit_roster))
        .route("/api/v1/admin/audit", get(audit))
        .route("/api/v1/admin/audit.csv", get(audit_csv))
        .route("/api/v1/admin/contests/{contest_id}/export.xlsx", get(contest_export))
        .route("/api/v1/contests/{contest_id}/ranking", get(contest_ranking))
        .route("/api/v1/contests/{contest_id}/units", get(contest_units))
        .route("/api/v1/contests/{contest_id}/charts", get(contest_charts))
        .route("/api/v1/rounds/{round_id}/units", get(round_units))
        .route("/api/v1/rounds/{round_id}/charts", get(round_charts))
        .route("/api/v1/rounds/{round_id}/live", get(round_live))
        .route("/api/v1/rounds/{round_id}/events", get(round_events))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/admin/users/{id}/role", put(user_role))
        .route("/api/v1/rounds/{round_id}/results", get(results))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}
