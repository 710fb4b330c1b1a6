//! Plain HTML forms posted by a browser without JavaScript (or before its
//! WebAssembly arrives): the quiz, posted whole.
use super::{auth, service, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;
use uuid::Uuid;

/// `POST /bai-thi/{id}/nop`: the quiz as one form (`answers[question]=option`,
/// `prediction`), then the attempt's page (its result, or the quiz again with
/// what was refused shown by the status).
pub async fn submit_quiz(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Ok(user) = auth::require_user(&s, &headers).await else {
        return Redirect::to("/dang-nhap").into_response();
    };
    let mut answers = Vec::new();
    let mut prediction = None;
    for (key, value) in &fields {
        if let Some(q) = key.strip_prefix("answers[").and_then(|k| k.strip_suffix(']')) {
            if let (Ok(q), Ok(o)) = (Uuid::parse_str(q), Uuid::parse_str(value.trim())) {
                answers.push((q, o));
            }
        } else if key == "prediction" {
            prediction = value.trim().parse::<i64>().ok();
        }
    }
    if let Err(e) = service::submit_with_answers(&s, &user, id, prediction, answers).await {
        tracing::info!(attempt = %id, error = %e.message, "quiz form refused");
    }
    Redirect::to(&format!("/bai-thi/{id}")).into_response()
}
