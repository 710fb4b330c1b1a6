//! The whole HTTP application: JSON API, server functions, pages, static files.
//!
//! The browser bundle (`/pkg`, hashed names) is served precompressed (brotli or
//! gzip, made at build time) and cached for a year; the service worker is always
//! revalidated.
use super::state::AppState;
use crate::app::{shell, App};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::model::{BODY_LIMIT, UPLOAD_LIMIT};

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(state.assets.clone());
            provide_context(crate::api::ctx::RequestUser::default());
        }
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
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT));
    let small = Router::new()
        .route("/bai-thi/{id}/nop", axum::routing::post(super::forms::submit_quiz))
        .route("/api/{*fn_name}", axum::routing::post(server_fns.clone()).get(server_fns))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));
    let app = Router::new()
        .nest_service("/pkg", bundle(&state))
        .route_service("/sw.js", service_worker(&state))
        .merge(super::http::routes())
        .merge(uploads)
        .merge(small)
        .leptos_routes_with_context(&state, routes, ctx.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(ctx, shell))
        .route("/metrics", axum::routing::get(super::metrics::endpoint))
        .layer(axum::middleware::from_fn(super::csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn(super::security::headers));
    super::metrics::layers(app, &state).layer(CompressionLayer::new()).with_state(state)
}

/// `/pkg/*`: never changed once built (the names carry their hash).
fn bundle(state: &AppState) -> axum::routing::MethodRouter {
    use tower_http::set_header::SetResponseHeaderLayer;
    let dir = std::path::Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir);
    let files = tower_http::services::ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::routing::get_service(files).layer(SetResponseHeaderLayer::overriding(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=31536000, immutable"),
    ))
}

/// `/sw.js`: the browser checks for a new version at every visit.
fn service_worker(state: &AppState) -> axum::routing::MethodRouter {
    use tower_http::set_header::SetResponseHeaderLayer;
    let file = std::path::Path::new(&*state.leptos_options.site_root).join("sw.js");
    let file = tower_http::services::ServeFile::new(file).precompressed_br().precompressed_gzip();
    axum::routing::get_service(file)
        .layer(SetResponseHeaderLayer::overriding(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-cache")))
}
