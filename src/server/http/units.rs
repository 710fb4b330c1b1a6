//! Units and people: the public unit list, units and rosters for organizers,
//! roles and the audit log for administrators.
use super::auth::Done;
use super::doc::*;
use super::extract::*;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::*;
use crate::server::{admin, service, state::AppState, units};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(merge))
        .routes(routes!(roster))
        .routes(routes!(user_role))
        .routes(routes!(audit))
        .routes(routes!(audit_csv))
}

/// Routes that take a file (a larger body limit).
pub fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(roster_import)).routes(routes!(units_import))
}

/// Every unit in use (the tree: `parent_id`), for registration and boards.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", responses((status = 200, body = Vec<UnitDto>)))]
async fn list(State(s): State<AppState>) -> ApiResult<Json<Vec<UnitDto>>> {
    Ok(Json(service::list_units(&s).await?))
}

/// Adds a unit under one in the caller's scope.
#[utoipa::path(post, path = "/api/v1/admin/units", tag = "units", security(("session" = [])), request_body = UnitInput,
    responses((status = 201, body = UnitDto), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn create(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    Body(input): Body<UnitInput>,
) -> ApiResult<(StatusCode, Json<UnitDto>)> {
    Ok((StatusCode::CREATED, Json(units::create_unit(&s, &user, input).await?)))
}

/// Renames, moves or re-counts a unit.
#[utoipa::path(put, path = "/api/v1/admin/units/{id}", tag = "units", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The unit")), request_body = UnitInput,
    responses((status = 200, body = UnitDto), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn update(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<UnitInput>,
) -> ApiResult<Json<UnitDto>> {
    Ok(Json(units::update_unit(&s, &user, id, input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeInput {
    /// The unit that takes the members, history and headcount.
    target: Uuid,
}

/// Merges a unit into another: members and history move, headcounts add up.
#[utoipa::path(post, path = "/api/v1/admin/units/{id}/merge", tag = "units", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The unit merged away")), request_body = MergeInput,
    responses((status = 200, body = UnitDto), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn merge(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiPath(id): ApiPath<Uuid>,
    Body(b): Body<MergeInput>,
) -> ApiResult<Json<UnitDto>> {
    Ok(Json(units::merge_units(&s, &user, id, b.target).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RosterMember {
    full_name: String,
    phone: String,
    position: String,
    /// Until the account is activated.
    activation_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Roster {
    unit_name: String,
    members: Vec<RosterMember>,
}

/// A unit's roster with the activation codes still unused (to print).
#[utoipa::path(get, path = "/api/v1/admin/units/{id}/roster", tag = "units", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The unit")),
    responses((status = 200, body = Roster), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn roster(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Roster>> {
    let (unit_name, rows) = units::roster(&s, &user, id).await?;
    let members = rows
        .into_iter()
        .map(|r| RosterMember { full_name: r.full_name, phone: r.phone, position: r.position, activation_code: r.activation_code })
        .collect();
    Ok(Json(Roster { unit_name, members }))
}

fn file(body: &[u8]) -> ApiResult<()> {
    if body.is_empty() {
        return Err(AppError::validation(t().err_file_missing).into());
    }
    Ok(())
}

/// Imports a roster (CSV or XLSX): all rows or none, every bad row listed.
#[utoipa::path(post, path = "/api/v1/admin/rosters/import", tag = "units", security(("session" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, body = RosterImport), BadRequest, Unauthorized, Forbidden, TooLarge, Invalid))]
async fn roster_import(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RosterImport>> {
    file(&body)?;
    Ok(Json(units::import_roster(&s, &user, q.name("danh-sach.csv")?, &body).await?))
}

/// Imports units (CSV or XLSX): all rows or none, every bad row listed.
#[utoipa::path(post, path = "/api/v1/admin/units/import", tag = "units", security(("session" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, body = RosterImport), BadRequest, Unauthorized, Forbidden, TooLarge, Invalid))]
async fn units_import(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RosterImport>> {
    file(&body)?;
    Ok(Json(units::import_units(&s, &user, q.name("don-vi.csv")?, &body).await?))
}

/// Gives an account a role (organizers and viewers over a unit subtree).
#[utoipa::path(put, path = "/api/v1/admin/users/{id}/role", tag = "units", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The account")), request_body = RoleInput,
    responses((status = 200, body = Done), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, Invalid))]
async fn user_role(
    State(s): State<AppState>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    Body(input): Body<RoleInput>,
) -> ApiResult<Json<Done>> {
    admin::set_role(&s, &user, id, input).await?;
    Ok(Json(Done::default()))
}

/// One organizer action.
#[derive(Serialize, ToSchema)]
pub struct AuditRow {
    id: Uuid,
    /// Milliseconds since the Unix epoch.
    at: i64,
    actor_id: Option<Uuid>,
    action: String,
    entity: String,
    entity_id: String,
    /// The object before, as JSON text.
    before: Option<String>,
    /// The object after, as JSON text.
    after: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many entries, newest first (default 200).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "units", security(("session" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditRow>), BadRequest, Unauthorized, Forbidden))]
async fn audit(State(s): State<AppState>, Admin(user): Admin, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult<Json<Vec<AuditRow>>> {
    let limit = bounded(q.limit, 200, 1..=10_000)?;
    let rows = admin::audit_log(&s, &user, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| AuditRow {
                id: e.id,
                at: e.at,
                actor_id: e.actor_id,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: e.before,
                after: e.after,
            })
            .collect(),
    ))
}

/// The audit log as CSV (UTF-8 with BOM, for Excel).
#[utoipa::path(get, path = "/api/v1/admin/audit.csv", tag = "units", security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String, description = "The log"), Unauthorized, Forbidden))]
async fn audit_csv(State(s): State<AppState>, Admin(user): Admin) -> ApiResult<Response> {
    Ok(file_response(("nhat-ky.csv".into(), "text/csv; charset=utf-8", admin::audit_csv(&s, &user).await?)))
}
