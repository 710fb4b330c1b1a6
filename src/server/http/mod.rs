//! The JSON API under `/api/v1`, by resource. Each handler names its caller in
//! its signature (`extract`), calls a service and maps the error; no rule lives
//! here. The OpenAPI document is generated from these handlers and their types
//! (utoipa), served at `/api/v1/openapi.json` with a reference at `/api/v1/docs`.
mod analysis;
mod auth;
mod bank;
mod boards;
mod contests;
pub mod doc;
pub mod extract;
mod live;
mod ops;
mod practice;
mod rounds;
pub mod sse;
mod units;

use crate::server::state::AppState;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use crate::model::{BODY_LIMIT, UPLOAD_LIMIT};

/// The API's routes and the document that describes them.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let small = OpenApiRouter::new()
        .merge(ops::routes())
        .merge(auth::routes())
        .merge(rounds::routes())
        .merge(boards::routes())
        .merge(practice::routes())
        .merge(bank::routes())
        .merge(contests::routes())
        .merge(analysis::routes())
        .merge(units::routes())
        .merge(live::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));
    let uploads = OpenApiRouter::new()
        .merge(bank::uploads())
        .merge(units::uploads())
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT));
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi()).merge(small).merge(uploads).split_for_parts()
}

/// `/api/v1/…`: the API, its document, its reference page, and a JSON 404 for anything else.
pub fn routes() -> Router<AppState> {
    use tower_http::set_header::SetResponseHeaderLayer;
    let (api, document) = api();
    let docs: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", document).into();
    // the vendored reference page loads its own scripts and styles
    let docs = docs.layer(SetResponseHeaderLayer::if_not_present(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    ));
    api.merge(docs).route("/api/v1/{*rest}", axum::routing::any(ops::unknown))
}
