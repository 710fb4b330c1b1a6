//! The OpenAPI document's frame: its title, the session cookie, tags, and the
//! error responses handlers list (each names the statuses its route can answer).
//! Everything else in the document comes from the handlers' `#[utoipa::path]`
//! and the types they take and return. (The error responses exist for the
//! document only: handlers answer `ApiError`.)
#![allow(dead_code)]
use crate::error::AppError;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Thi tìm hiểu Chỉ thị 24-CT/TU — API",
        version = "1",
        description = "The JSON API of the contest platform. Sign in with `POST /api/v1/auth/login` (or register, or activate): \
the response sets the `thi24_session` cookie that every other call sends. Errors are `{\"error\": code, \"message\": text}` \
with the message in Vietnamese. Writes from a browser must be same-origin (Sec-Fetch-Site or Origin)."
    ),
    modifiers(&Session),
    components(schemas(AppError, crate::error::ErrorCode)),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "rounds", description = "Rounds, attempts and answers"),
        (name = "practice", description = "Study and practice (never counted)"),
        (name = "boards", description = "Leaderboards, unit boards, charts, published results"),
        (name = "bank", description = "The question bank (organizers)"),
        (name = "contests", description = "Contests and rounds (organizers)"),
        (name = "analysis", description = "Item analysis of closed rounds (organizers)"),
        (name = "units", description = "Units, rosters, roles and the audit log"),
        (name = "live", description = "Live in-person sessions"),
        (name = "ops", description = "Health, time, this document")
    )
)]
pub struct ApiDoc;

/// The session cookie as the security scheme of signed-in operations.
struct Session;

impl Modify for Session {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("thi24_session"))));
        components.add_security_scheme("live", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("thi24_live"))));
    }
}

/// 400: a malformed path, query or body (not JSON, a bad id).
#[derive(IntoResponses)]
#[response(status = 400, description = "Malformed request: a bad id in the path, a bad query parameter or a body that is not JSON")]
pub struct BadRequest(#[to_schema] AppError);

/// 401: not signed in.
#[derive(IntoResponses)]
#[response(status = 401, description = "Not signed in (no valid session cookie)")]
pub struct Unauthorized(#[to_schema] AppError);

/// 403: signed in without the role or scope.
#[derive(IntoResponses)]
#[response(status = 403, description = "The account lacks the role or the unit scope")]
pub struct Forbidden(#[to_schema] AppError);

#[derive(IntoResponses)]
#[response(status = 404, description = "No such object, or not visible to the caller")]
pub struct NotFound(#[to_schema] AppError);

#[derive(IntoResponses)]
#[response(status = 409, description = "The change conflicts with the object's state (see `error`)")]
pub struct Conflict(#[to_schema] AppError);

#[derive(IntoResponses)]
#[response(status = 413, description = "The body is over the limit")]
pub struct TooLarge(#[to_schema] AppError);

#[derive(IntoResponses)]
#[response(status = 422, description = "The body has the wrong shape or breaks a rule (the message says which)")]
pub struct Invalid(#[to_schema] AppError);

#[derive(IntoResponses)]
#[response(status = 429, description = "Too many tries from this phone number or address; wait and retry")]
pub struct RateLimited(#[to_schema] AppError);
