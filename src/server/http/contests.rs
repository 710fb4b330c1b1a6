//! Contests and their rounds, for the staff: create, edit, clone, weekly rounds,
//! close, publish, export. Scope (the unit subtree) is checked by `server::admin`.
use super::doc::*;
use super::extract::*;
use crate::model::*;
use crate::server::{admin, state::AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contests_list, contest_create))
        .routes(routes!(contest_get, contest_update))
        .routes(routes!(contest_clone))
        .routes(routes!(contest_export))
        .routes(routes!(create_round))
        .routes(routes!(create_weekly))
        .routes(routes!(round_update))
        .routes(routes!(round_export))
        .routes(routes!(round_action))
}

/// The contests in the caller's scope.
#[utoipa::path(get, path = "/api/v1/admin/contests", tag = "contests", security(("session" = [])),
    responses((status = 200, body = Vec<ContestDto>), Unauthorized, Forbidden))]
async fn contests_list(State(s): State<AppState>, Staff(user): Staff) -> ApiResult<Json<Vec<ContestDto>>> {
    Ok(Json(admin::list_contests(&s, &user).await?))
}

/// Creates a contest (for the whole city: administrators only).
#[utoipa::path(post, path = "/api/v1/admin/contests", tag = "contests", security(("session" = [])), request_body = ContestInput,
    responses((status = 201, body = ContestDto), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid))]
async fn contest_create(
    State(s): State<AppState>,
    Staff(user): Staff,
    Body(input): Body<ContestInput>,
) -> ApiResult<(StatusCode, Json<ContestDto>)> {
    Ok((StatusCode::CREATED, Json(admin::save_contest(&s, &user, None, input).await?)))
}

/// One contest with its rounds.
#[utoipa::path(get, path = "/api/v1/admin/contests/{contest_id}", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")),
    responses((status = 200, body = ContestDto), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn contest_get(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ContestDto>> {
    Ok(Json(admin::get_contest(&s, &user, id).await?))
}

/// Edits a contest.
#[utoipa::path(put, path = "/api/v1/admin/contests/{contest_id}", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")), request_body = ContestInput,
    responses((status = 200, body = ContestDto), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn contest_update(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<ContestInput>,
) -> ApiResult<Json<ContestDto>> {
    Ok(Json(admin::save_contest(&s, &user, Some(id), input).await?))
}

/// Copies a contest and its rounds (dates kept, to be moved).
#[utoipa::path(post, path = "/api/v1/admin/contests/{contest_id}/clone", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")),
    responses((status = 201, body = ContestDto), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn contest_clone(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<ContestDto>)> {
    Ok((StatusCode::CREATED, Json(admin::clone_contest(&s, &user, id).await?)))
}

/// The contest's rankings and unit boards as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/admin/contests/{contest_id}/export.xlsx", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "The workbook"),
        BadRequest, Unauthorized, Forbidden, NotFound))]
async fn contest_export(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = admin::export_contest(&s, &user, id).await?;
    Ok(file_response((name, XLSX, bytes)))
}

/// Adds a round to a contest.
#[utoipa::path(post, path = "/api/v1/admin/contests/{contest_id}/rounds", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")), request_body = RoundInput,
    responses((status = 201, body = AdminRound), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid))]
async fn create_round(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath(contest_id): ApiPath<Uuid>,
    Body(input): Body<RoundInput>,
) -> ApiResult<(StatusCode, Json<AdminRound>)> {
    Ok((StatusCode::CREATED, Json(admin::create_round(&s, &user, contest_id, input).await?)))
}

/// Adds a series of weekly rounds from one template.
#[utoipa::path(post, path = "/api/v1/admin/contests/{contest_id}/weekly-rounds", tag = "contests", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")), request_body = WeeklyInput,
    responses((status = 201, body = Vec<AdminRound>), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid))]
async fn create_weekly(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath(contest_id): ApiPath<Uuid>,
    Body(input): Body<WeeklyInput>,
) -> ApiResult<(StatusCode, Json<Vec<AdminRound>>)> {
    Ok((StatusCode::CREATED, Json(admin::create_weekly(&s, &user, contest_id, input).await?)))
}

/// Edits a round (what may change once it opened is limited).
#[utoipa::path(put, path = "/api/v1/admin/rounds/{id}", tag = "contests", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The round")), request_body = RoundInput,
    responses((status = 200, body = AdminRound), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn round_update(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<RoundInput>,
) -> ApiResult<Json<AdminRound>> {
    Ok(Json(admin::update_round(&s, &user, id, input).await?))
}

/// The round's ranking and unit board as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/admin/rounds/{id}/export.xlsx", tag = "contests", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The round")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "The workbook"),
        BadRequest, Unauthorized, Forbidden, NotFound))]
async fn round_export(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = admin::export_round(&s, &user, id).await?;
    Ok(file_response((name, XLSX, bytes)))
}

/// `close` ends the round now (→ `AdminRound`); `clone` copies it (→ 201 `AdminRound`);
/// `publish` freezes and publishes its results (→ `PublishedResults`).
#[utoipa::path(post, path = "/api/v1/admin/rounds/{id}/{action}", tag = "contests", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The round"),
        ("action" = String, Path, pattern = "^(close|clone|publish)$", description = "`close`, `clone` or `publish`")),
    responses((status = 200, body = RoundActionResult, description = "Closed (`AdminRound`) or published (`PublishedResults`)"),
        (status = 201, body = AdminRound, description = "Cloned"),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn round_action(
    State(s): State<AppState>,
    Staff(user): Staff,
    ApiPath((id, action)): ApiPath<(Uuid, String)>,
) -> ApiResult<Response> {
    Ok(match action.as_str() {
        "close" => Json(admin::close_round(&s, &user, id).await?).into_response(),
        "clone" => (StatusCode::CREATED, Json(admin::clone_round(&s, &user, id).await?)).into_response(),
        "publish" => Json(admin::publish_round(&s, &user, id).await?).into_response(),
        _ => return Err(not_found()),
    })
}

/// What `close` or `publish` answer (for the document: the handler sends either type itself).
#[allow(dead_code)]
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RoundActionResult {
    Round(AdminRound),
    Results(PublishedResults),
}
