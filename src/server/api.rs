//! The public JSON API under /api/v1. Handlers parse, call a service function and
//! map the error; no rule lives here. Documented in docs/API.md.
use super::{auth, service, state::AppState};
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
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(serde_json::json!({ "error": self.0.code, "message": self.0.message })),
        )
            .into_response()
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
            Err(R::JsonDataError(e)) => {
                Err(
                    AppError::validation(format!("{}: {}", t().err_bad_request, e.body_text()))
                        .into(),
                )
            }
            Err(_) => Err(AppError::bad_request(t().err_bad_request).into()),
        }
    }
}

/// The TCP peer, when the server was started with connect info.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Path parameters whose rejection (a malformed id) is a JSON 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| ApiPath(v)).map_err(|_| AppError::bad_request(t().err_bad_request).into())
    }
}

/// Query parameters whose rejection is a JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|_| AppError::bad_request(t().err_bad_request).into())
    }
}

fn with_cookie<T: serde::Serialize>(status: StatusCode, cookie: String, body: T) -> Response {
    (status, [(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

async fn health(State(s): State<AppState>) -> Response {
    match crate::store::Store::ping(&s.store).await {
        Ok(()) => Json(
            serde_json::json!({"status": "ok", "database": crate::store::Store::backend(&s.store)}),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

async fn units(State(s): State<AppState>) -> ApiResult<Json<Vec<UnitDto>>> {
    Ok(Json(service::list_units(&s).await?))
}

async fn register(
    State(s): State<AppState>,
    Peer(peer): Peer,
    h: HeaderMap,
    Body(input): Body<RegisterInput>,
) -> ApiResult<Response> {
    let ip = auth::client_ip(&h, peer, s.config.trust_proxy);
    let (me, token) = service::register(&s, input, &ip).await?;
    Ok(with_cookie(
        StatusCode::CREATED,
        auth::session_cookie(&token, s.config.cookie_secure),
        me,
    ))
}

async fn login(
    State(s): State<AppState>,
    Peer(peer): Peer,
    h: HeaderMap,
    Body(input): Body<LoginInput>,
) -> ApiResult<Response> {
    let ip = auth::client_ip(&h, peer, s.config.trust_proxy);
    let (me, token) = service::login(&s, input, &ip).await?;
    Ok(with_cookie(
        StatusCode::OK,
        auth::session_cookie(&token, s.config.cookie_secure),
        me,
    ))
}

async fn logout(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Response> {
    service::logout(&s, auth::token_from(&h)).await?;
    Ok(with_cookie(
        StatusCode::OK,
        auth::clear_cookie(s.config.cookie_secure),
        serde_json::json!({"ok": true}),
    ))
}

async fn me(State(s): State<AppState>, h: HeaderMap) -> ApiResult<Json<Me>> {
    Ok(Json(service::me(&auth::require_user(&s, &h).await?)))
}

#[derive(Deserialize)]
struct RoundsQuery {
    status: Option<String>,
}

async fn rounds(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiQuery(q): ApiQuery<RoundsQuery>,
) -> ApiResult<Json<Vec<RoundSummary>>> {
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

async fn start(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(round_id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let user = auth::require_user(&s, &h).await?;
    let view = service::start_attempt(&s, &user, round_id).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn attempt(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AttemptView>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(service::attempt_view(&s, &user, id, None).await?))
}

#[derive(Deserialize)]
struct AnswerBody {
    option_id: Uuid,
}

async fn answer(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    Body(b): Body<AnswerBody>,
) -> ApiResult<Json<AnswerAck>> {
    let user = auth::require_user(&s, &h).await?;
    Ok(Json(
        service::save_answer(&s, &user, id, qid, b.option_id).await?,
    ))
}

#[derive(Deserialize, Default)]
struct SubmitBody {
    prediction: Option<i64>,
}

async fn submit(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AttemptView>> {
    let user = auth::require_user(&s, &h).await?;
    // The body is optional: an empty one means no prediction.
    let b: SubmitBody = if body.iter().all(u8::is_ascii_whitespace) {
        SubmitBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|_| ApiError(AppError::validation(t().err_prediction)))?
    };
    Ok(Json(service::submit(&s, &user, id, b.prediction).await?))
}

#[derive(Deserialize)]
struct BoardQuery {
    limit: Option<i64>,
}

async fn leaderboard(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<Leaderboard>> {
    Ok(Json(
        service::leaderboard(&s, id, q.limit.unwrap_or(100)).await?,
    ))
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
    let round = service::create_round(&s, &user, contest_id, input).await?;
    Ok((StatusCode::CREATED, Json(round)).into_response())
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
        .route(
            "/api/v1/attempts/{attempt_id}/answers/{question_id}",
            put(answer),
        )
        .route("/api/v1/attempts/{attempt_id}/submit", post(submit))
        .route("/api/v1/time", get(time))
        .route(
            "/api/v1/admin/contests/{contest_id}/rounds",
            post(create_round),
        )
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}
