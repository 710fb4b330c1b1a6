//! Study and practice: topics, the study notes, untimed questions with the answer at once.
use super::doc::*;
use super::extract::*;
use crate::model::*;
use crate::server::{bank, practice, service, state::AppState};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(topics))
        .routes(routes!(study))
        .routes(routes!(practice_next))
        .routes(routes!(practice_answer))
        .routes(routes!(my_practice))
}

/// The bank's topics.
#[utoipa::path(get, path = "/api/v1/topics", tag = "practice", responses((status = 200, body = Vec<TopicDto>)))]
async fn topics(State(s): State<AppState>) -> ApiResult<Json<Vec<TopicDto>>> {
    Ok(Json(bank::topics(&s).await?))
}

/// The study notes, section by section, each block citing its source.
#[utoipa::path(get, path = "/api/v1/study", tag = "practice", responses((status = 200, body = Vec<StudySection>)))]
async fn study() -> ApiResult<Json<Vec<StudySection>>> {
    Ok(Json(practice::study_sections().map_err(service::internal)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeQuery {
    /// A topic's slug (default: any topic).
    #[param(max_length = 40)]
    topic: Option<String>,
    /// Questions just seen, comma-separated ids, to avoid (at most 50 are read).
    recent: Option<String>,
}

/// A practice question (no key: the answer comes with `POST /practice/answer`).
#[utoipa::path(get, path = "/api/v1/practice/next", tag = "practice", params(PracticeQuery),
    responses((status = 200, body = PracticeQuestion), BadRequest, NotFound))]
async fn practice_next(State(s): State<AppState>, ApiQuery(q): ApiQuery<PracticeQuery>) -> ApiResult<Json<PracticeQuestion>> {
    let recent = q.recent.as_deref().unwrap_or("").split(',').filter_map(|r| Uuid::parse_str(r.trim()).ok()).take(50).collect();
    Ok(Json(practice::next(&s, q.topic, recent).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PracticeAnswer {
    question_id: Uuid,
    option_id: Uuid,
}

/// Checks a practice answer: right or wrong, the key, the explanation and its
/// source. Counted in the caller's practice summary when signed in.
#[utoipa::path(post, path = "/api/v1/practice/answer", tag = "practice", request_body = PracticeAnswer,
    responses((status = 200, body = PracticeFeedback), BadRequest, NotFound, TooLarge, Invalid))]
async fn practice_answer(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Body(b): Body<PracticeAnswer>,
) -> ApiResult<Json<PracticeFeedback>> {
    Ok(Json(practice::answer(&s, user.as_ref(), b.question_id, b.option_id).await?))
}

/// The caller's practice by topic (the weakest first).
#[utoipa::path(get, path = "/api/v1/me/practice", tag = "practice", security(("session" = [])),
    responses((status = 200, body = Vec<TopicStat>), Unauthorized))]
async fn my_practice(State(s): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Vec<TopicStat>>> {
    Ok(Json(practice::summary(&s, &user).await?))
}
