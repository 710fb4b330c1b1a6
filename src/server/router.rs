//! The whole HTTP application: JSON API, server functions, pages, static files.
use super::state::AppState;
use crate::app::{shell, App};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// Request bodies are small everywhere but where files are uploaded.
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let server_fns = {
        let ctx = ctx.clone();
        move |req: axum::extract::Request| {
            let ctx = ctx.clone();
            async move { leptos_axum::handle_server_fns_with_context(ctx, req).await }
        }
    };
    // File uploads (server functions under /api/upload and the import endpoint) may be large.
    let uploads = Router::new()
        .route("/api/upload/{*fn_name}", axum::routing::post(server_fns.clone()))
        .merge(super::api::upload_routes())
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT));
    let small = Router::new()
        .merge(super::api::routes())
        .merge(super::live_api::routes())
        .route("/api/{*fn_name}", axum::routing::post(server_fns.clone()).get(server_fns))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));
    Router::new()
        .merge(uploads)
        .merge(small)
        .leptos_routes_with_context(&state, routes, ctx, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .route("/metrics", axum::routing::get(super::metrics::endpoint))
        .layer(axum::middleware::from_fn(super::csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn(super::security::headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::metrics::observe))
        .layer(CompressionLayer::new())
        .with_state(state)
}
