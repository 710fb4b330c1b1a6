//! Item analysis for the staff: how each question of a closed round, or of a
//! contest's closed rounds, worked (`server::analysis`), as JSON or as a workbook.
use super::doc::*;
use super::extract::*;
use crate::model::ItemAnalysis;
use crate::server::{analysis, state::AppState};
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(round_items))
        .routes(routes!(round_items_xlsx))
        .routes(routes!(contest_items))
        .routes(routes!(contest_items_xlsx))
}

/// A closed round's item analysis: per question, how often served, the share right,
/// discrimination (point-biserial on the rest of the test, and upper − lower 27 %),
/// the options chosen (overall, upper and lower groups), time, and flags explained.
/// 409 while the round is open or its last attempts are being graded.
#[utoipa::path(get, path = "/api/v1/admin/rounds/{id}/items", tag = "analysis", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The round")),
    responses((status = 200, body = ItemAnalysis), BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn round_items(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ItemAnalysis>> {
    Ok(Json(analysis::round_items(&s, &user, id).await?))
}

/// The same as a workbook.
#[utoipa::path(get, path = "/api/v1/admin/rounds/{id}/items.xlsx", tag = "analysis", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The round")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "The workbook"),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn round_items_xlsx(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = analysis::xlsx(&analysis::round_items(&s, &user, id).await?)?;
    Ok(file_response((name, XLSX, bytes)))
}

/// The item analysis of a contest's closed rounds together. 409 before any round closed.
#[utoipa::path(get, path = "/api/v1/admin/contests/{contest_id}/items", tag = "analysis", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")),
    responses((status = 200, body = ItemAnalysis), BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn contest_items(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ItemAnalysis>> {
    Ok(Json(analysis::contest_items(&s, &user, id).await?))
}

/// The same as a workbook.
#[utoipa::path(get, path = "/api/v1/admin/contests/{contest_id}/items.xlsx", tag = "analysis", security(("session" = [])),
    params(("contest_id" = Uuid, Path, description = "The contest")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>, description = "The workbook"),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict))]
async fn contest_items_xlsx(State(s): State<AppState>, Staff(user): Staff, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = analysis::xlsx(&analysis::contest_items(&s, &user, id).await?)?;
    Ok(file_response((name, XLSX, bytes)))
}
