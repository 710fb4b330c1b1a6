//! Health, the server's clock, and this API's own document and reference.
use super::extract::*;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(time))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    #[schema(pattern = "^(ok|unavailable)$")]
    status: String,
    /// `sqlite`, `postgres`, or `unreachable`.
    database: String,
}

/// Whether the server and its database answer (for load balancers and monitors).
#[utoipa::path(get, path = "/api/v1/health", tag = "ops",
    responses((status = 200, body = Health), (status = 503, body = Health, description = "The database does not answer")))]
async fn health(State(s): State<AppState>) -> Response {
    match s.store.ping().await {
        Ok(()) => Json(Health { status: "ok".into(), database: s.store.backend().into() }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable".into(), database: "unreachable".into() })).into_response()
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServerTime {
    /// The server's clock, milliseconds since the Unix epoch (countdowns correct by it).
    now: i64,
}

/// The server's clock.
#[utoipa::path(get, path = "/api/v1/time", tag = "ops", responses((status = 200, body = ServerTime)))]
async fn time(State(s): State<AppState>) -> Json<ServerTime> {
    Json(ServerTime { now: s.now() })
}

/// An unknown address under `/api/v1`.
pub async fn unknown() -> ApiError {
    not_found()
}
