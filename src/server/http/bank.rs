//! The question bank, for organizers: search, create, edit (each edit a new
//! version), retire and restore, topics, import (all or nothing, previewed) and export.
use super::doc::*;
use super::extract::*;
use crate::domain::question::QuestionDraft;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::*;
use crate::server::{bank, state::AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(topic_create))
        .routes(routes!(bank_list, bank_create))
        .routes(routes!(bank_get, bank_update))
        .routes(routes!(bank_status))
        .routes(routes!(bank_file))
        .routes(routes!(bank_commit))
}

/// Routes that take a file (a larger body limit).
pub fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bank_import))
}

#[derive(Deserialize, ToSchema)]
pub struct TopicInput {
    /// Lowercase ASCII letters, digits and hyphens, at most 40.
    #[schema(pattern = "^[a-z0-9-]{1,40}$")]
    slug: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
}

/// Adds a topic; returns every topic.
#[utoipa::path(post, path = "/api/v1/admin/topics", tag = "bank", security(("session" = [])), request_body = TopicInput,
    responses((status = 201, body = Vec<TopicDto>), BadRequest, Unauthorized, Forbidden, Conflict, TooLarge, Invalid))]
async fn topic_create(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    Body(b): Body<TopicInput>,
) -> ApiResult<(StatusCode, Json<Vec<TopicDto>>)> {
    bank::add_topic(&s, &user, b.slug, b.name).await?;
    Ok((StatusCode::CREATED, Json(bank::topics(&s).await?)))
}

/// The bank, filtered and paged (20 a page).
#[utoipa::path(get, path = "/api/v1/admin/questions", tag = "bank", security(("session" = [])), params(BankFilter),
    responses((status = 200, body = BankPage), BadRequest, Unauthorized, Forbidden))]
async fn bank_list(State(s): State<AppState>, Organizer(user): Organizer, ApiQuery(f): ApiQuery<BankFilter>) -> ApiResult<Json<BankPage>> {
    Ok(Json(bank::list(&s, &user, f).await?))
}

/// Adds a question.
#[utoipa::path(post, path = "/api/v1/admin/questions", tag = "bank", security(("session" = [])), request_body = QuestionDraft,
    responses((status = 201, body = BankItem), BadRequest, Unauthorized, Forbidden, Conflict, TooLarge, Invalid))]
async fn bank_create(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    Body(d): Body<QuestionDraft>,
) -> ApiResult<(StatusCode, Json<BankItem>)> {
    let id = bank::save(&s, &user, None, d).await?;
    s.invalidate_question_pool().await;
    Ok((StatusCode::CREATED, Json(bank::get(&s, &user, id).await?)))
}

/// One question with its current version.
#[utoipa::path(get, path = "/api/v1/admin/questions/{id}", tag = "bank", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The question")),
    responses((status = 200, body = BankItem), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn bank_get(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<BankItem>> {
    Ok(Json(bank::get(&s, &user, id).await?))
}

/// Edits a question: a new version (attempts keep the version they were served).
#[utoipa::path(put, path = "/api/v1/admin/questions/{id}", tag = "bank", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The question")), request_body = QuestionDraft,
    responses((status = 200, body = BankItem), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, Invalid))]
async fn bank_update(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiPath(id): ApiPath<Uuid>,
    Body(d): Body<QuestionDraft>,
) -> ApiResult<Json<BankItem>> {
    bank::save(&s, &user, Some(id), d).await?;
    s.invalidate_question_pool().await;
    Ok(Json(bank::get(&s, &user, id).await?))
}

/// Retires a question (no longer drawn) or restores it.
#[utoipa::path(post, path = "/api/v1/admin/questions/{id}/{action}", tag = "bank", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The question"),
        ("action" = String, Path, pattern = "^(retire|restore)$", description = "`retire` or `restore`")),
    responses((status = 200, body = BankItem), BadRequest, Unauthorized, Forbidden, NotFound))]
async fn bank_status(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiPath((id, action)): ApiPath<(Uuid, String)>,
) -> ApiResult<Json<BankItem>> {
    let retired = match action.as_str() {
        "retire" => true,
        "restore" => false,
        _ => return Err(not_found()),
    };
    bank::set_status(&s, &user, id, retired).await?;
    s.invalidate_question_pool().await;
    Ok(Json(bank::get(&s, &user, id).await?))
}

fn format_of(name: &str) -> ApiResult<bank::Format> {
    match name.rsplit('.').next() {
        Some("csv") => Ok(bank::Format::Csv),
        Some("xlsx") => Ok(bank::Format::Xlsx),
        _ => Err(not_found()),
    }
}

/// The import template or the whole bank, as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/admin/questions/files/{file}", tag = "bank", security(("session" = [])),
    params(("file" = String, Path, pattern = "^(template|export)\\.(csv|xlsx)$", description = "`template.csv`, `template.xlsx`, `export.csv` or `export.xlsx`")),
    responses((status = 200, description = "The file",
        content((Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, Unauthorized, Forbidden, NotFound))]
async fn bank_file(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(file): ApiPath<String>) -> ApiResult<Response> {
    let format = format_of(&file)?;
    match file.split_once('.').map(|(stem, _)| stem) {
        Some("template") => Ok(file_response(bank::template(format)?)),
        Some("export") => Ok(file_response(bank::export(&s, &user, format).await?)),
        _ => Err(not_found()),
    }
}

/// Reads an import file (the body, CSV or XLSX) and previews it: every bad row
/// listed, nothing changed until committed.
#[utoipa::path(post, path = "/api/v1/admin/questions/import", tag = "bank", security(("session" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, body = ImportPreview), BadRequest, Unauthorized, Forbidden, TooLarge, Invalid))]
async fn bank_import(
    State(s): State<AppState>,
    Organizer(user): Organizer,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ImportPreview>> {
    if body.is_empty() {
        return Err(AppError::validation(t().err_file_missing).into());
    }
    Ok(Json(bank::preview_import(&s, &user, q.name("tep.csv")?, &body).await?))
}

/// Commits a previewed import without errors: all of it or nothing.
#[utoipa::path(post, path = "/api/v1/admin/questions/imports/{id}/commit", tag = "bank", security(("session" = [])),
    params(("id" = Uuid, Path, description = "The preview")),
    responses((status = 200, body = ImportDone), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
async fn bank_commit(State(s): State<AppState>, Organizer(user): Organizer, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<ImportDone>> {
    Ok(Json(bank::commit_import(&s, &user, id).await?))
}
