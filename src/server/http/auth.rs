//! Accounts and sessions: register, sign in and out, activate a roster account, who am I.
use super::doc::*;
use super::extract::*;
use crate::model::*;
use crate::server::{auth, service, state::AppState, units};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(activate))
        .routes(routes!(me))
}

/// Creates a participant account under a unit and signs it in (sets the session cookie).
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterInput,
    responses((status = 201, body = Me, description = "Registered and signed in; `Set-Cookie: thi24_session=…`"),
        BadRequest, Conflict, TooLarge, Invalid, RateLimited))]
async fn register(State(s): State<AppState>, ClientIp(ip): ClientIp, Body(input): Body<RegisterInput>) -> ApiResult<Response> {
    let (me, token) = service::register(&s, input, &ip).await?;
    Ok(with_cookie(StatusCode::CREATED, auth::session_cookie(&token, s.config.cookie_secure), me))
}

/// Signs in with phone number and password (sets the session cookie). Failures
/// lock the phone number for a while, doubling; an address's failures are limited too.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = Me, description = "Signed in; `Set-Cookie: thi24_session=…`"),
        BadRequest, Unauthorized, TooLarge, Invalid, RateLimited))]
async fn login(State(s): State<AppState>, ClientIp(ip): ClientIp, Body(input): Body<LoginInput>) -> ApiResult<Response> {
    let (me, token) = service::login(&s, input, &ip).await?;
    Ok(with_cookie(StatusCode::OK, auth::session_cookie(&token, s.config.cookie_secure), me))
}

/// `{"ok": true}`: done, nothing more to say.
#[derive(serde::Serialize, ToSchema)]
pub struct Done {
    /// Always true.
    ok: bool,
}

impl Default for Done {
    fn default() -> Self {
        Self { ok: true }
    }
}

/// Ends the session (if any) and tells the browser to drop the site's caches and storage.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 200, body = Done, description = "Signed out; the cookie is cleared and `Clear-Site-Data` sent")))]
async fn logout(State(s): State<AppState>, h: axum::http::HeaderMap) -> ApiResult<Response> {
    service::logout(&s, auth::token_from(&h)).await?;
    let mut res = with_cookie(StatusCode::OK, auth::clear_cookie(s.config.cookie_secure), Done::default());
    res.headers_mut().insert("clear-site-data", axum::http::HeaderValue::from_static(auth::CLEAR_SITE_DATA));
    Ok(res)
}

/// A roster account's first sign-in: its one-time code and a new password.
#[derive(Deserialize, ToSchema)]
pub struct ActivateInput {
    /// The phone number on the roster.
    #[schema(pattern = r"^[0-9+ .()-]+$", min_length = 10, max_length = 32)]
    phone: String,
    /// The one-time activation code printed for the unit.
    #[schema(max_length = 64)]
    code: String,
    /// The new password.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
}

/// Activates a roster account with its one-time code and signs it in.
#[utoipa::path(post, path = "/api/v1/auth/activate", tag = "auth", request_body = ActivateInput,
    responses((status = 200, body = Me, description = "Activated and signed in; `Set-Cookie: thi24_session=…`"),
        BadRequest, Unauthorized, NotFound, Conflict, TooLarge, Invalid, RateLimited))]
async fn activate(State(s): State<AppState>, ClientIp(ip): ClientIp, Body(b): Body<ActivateInput>) -> ApiResult<Response> {
    let (me, token) = units::activate(&s, &b.phone, &b.code, b.password, &ip).await?;
    Ok(with_cookie(StatusCode::OK, auth::session_cookie(&token, s.config.cookie_secure), me))
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("session" = [])),
    responses((status = 200, body = Me), Unauthorized))]
async fn me(CurrentUser(user): CurrentUser) -> Json<Me> {
    Json(service::me(&user))
}
