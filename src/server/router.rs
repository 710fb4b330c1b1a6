//! The whole HTTP application: JSON API, server functions, pages, static files.
use super::state::AppState;
use crate::app::{shell, App};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;

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
    Router::new()
        .merge(super::api::routes())
        .route(
            "/api/{*fn_name}",
            axum::routing::post(server_fns.clone()).get(server_fns),
        )
        .leptos_routes_with_context(&state, routes, ctx, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(super::csrf::refuse_cross_site))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024 * 1024))
        .layer(CompressionLayer::new())
        .with_state(state)
}
