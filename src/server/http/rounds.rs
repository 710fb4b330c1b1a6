//! A participant's rounds: the list, starting an attempt, answering, submitting.
//! The rules live in `domain` and `service`; here only the wire.
use super::doc::*;
use super::extract::*;
use crate::domain::RoundStatus;
use crate::model::*;
use crate::server::{payload, service, state::AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rounds))
        .routes(routes!(start))
        .routes(routes!(attempt))
        .routes(routes!(answer))
        .routes(routes!(submit))
        .routes(routes!(my_attempts))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    All,
    Open,
    Upcoming,
    Closed,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundsQuery {
    /// Only rounds in this state (default: all).
    status: Option<StatusFilter>,
}

/// The rounds the caller may see (public contests, and private ones of their units).
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", params(RoundsQuery),
    responses((status = 200, body = Vec<RoundSummary>), BadRequest))]
async fn rounds(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiQuery(q): ApiQuery<RoundsQuery>,
) -> ApiResult<Json<Vec<RoundSummary>>> {
    let status = match q.status {
        None | Some(StatusFilter::All) => None,
        Some(StatusFilter::Open) => Some(RoundStatus::Open),
        Some(StatusFilter::Upcoming) => Some(RoundStatus::Upcoming),
        Some(StatusFilter::Closed) => Some(RoundStatus::Closed),
    };
    Ok(Json(service::list_rounds(&s, user.as_ref(), status).await?))
}

/// Starts an attempt: draws the questions (options shuffled, no key) and fixes the deadline.
#[utoipa::path(post, path = "/api/v1/rounds/{round_id}/attempts", tag = "rounds", security(("session" = [])),
    params(("round_id" = Uuid, Path, description = "The round")),
    responses((status = 201, body = AttemptView), BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn start(
    State(s): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(round_id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<AttemptView>)> {
    Ok((StatusCode::CREATED, Json(service::start_attempt(&s, &user, round_id).await?)))
}

/// One of the caller's attempts: its questions, chosen answers and remaining time
/// (and, once graded and the round closed, the keys and explanations).
#[utoipa::path(get, path = "/api/v1/attempts/{attempt_id}", tag = "rounds", security(("session" = [])),
    params(("attempt_id" = Uuid, Path, description = "The attempt")),
    responses((status = 200, body = AttemptView), BadRequest, Unauthorized, NotFound))]
async fn attempt(State(s): State<AppState>, CurrentUser(user): CurrentUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<AttemptView>> {
    Ok(Json(service::attempt_view(&s, &user, id).await?))
}

/// Saves (or changes) the answer to one question; refused after the deadline and its grace.
#[utoipa::path(put, path = "/api/v1/attempts/{attempt_id}/answers/{question_id}", tag = "rounds", security(("session" = [])),
    params(("attempt_id" = Uuid, Path, description = "The attempt"), ("question_id" = Uuid, Path, description = "The attempt's question")),
    request_body = payload::AnswerBody,
    responses((status = 200, body = AnswerAck), BadRequest, Unauthorized, NotFound, Conflict, TooLarge, Invalid))]
async fn answer(
    State(s): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath((id, qid)): ApiPath<(Uuid, Uuid)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<AnswerAck>> {
    let option = payload::answer_option(&body)?;
    Ok(Json(service::save_answer(&s, &user, id, qid, option).await?))
}

/// Submits and grades the attempt, with answers the browser held back while offline
/// (each refused one is listed) and the prediction. An empty body is allowed.
/// Submitting again returns the same result.
#[utoipa::path(post, path = "/api/v1/attempts/{attempt_id}/submit", tag = "rounds", security(("session" = [])),
    params(("attempt_id" = Uuid, Path, description = "The attempt")),
    request_body(content = Option<payload::SubmitBody>, description = "Optional: the prediction and held-back answers"),
    responses((status = 200, body = SubmitOutcome), BadRequest, Unauthorized, NotFound, Conflict, TooLarge, Invalid))]
async fn submit(
    State(s): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<SubmitOutcome>> {
    let (prediction, answers) = payload::submission(&body)?;
    Ok(Json(service::submit_with_answers(&s, &user, id, prediction, answers).await?))
}

/// The caller's attempts, newest first.
#[utoipa::path(get, path = "/api/v1/me/attempts", tag = "rounds", security(("session" = [])),
    responses((status = 200, body = Vec<MyAttempt>), Unauthorized))]
async fn my_attempts(State(s): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Vec<MyAttempt>>> {
    Ok(Json(service::my_attempts(&s, &user).await?))
}
