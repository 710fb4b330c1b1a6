//! What every handler of the JSON API shares: the error response, extractors whose
//! rejections are that error, and the caller (`CurrentUser`, `Organizer`, `Staff`,
//! `Admin`, `ClientIp`) so that a handler states its check in its signature and
//! cannot forget it. Services check scope again (server functions call them too).
use crate::error::{AppError, ErrorCode};
use crate::i18n::t;
use crate::model::Role;
use crate::server::{auth, state::AppState};
use crate::store::UserRecord;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::net::SocketAddr;

/// An `AppError` as an HTTP response: `{"error": code, "message": text}`, the
/// same shape server functions send.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn bad_request() -> ApiError {
    AppError::bad_request(t().err_bad_request).into()
}

/// A JSON body whose rejections become API errors (400 malformed, 422 wrong shape).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection as R;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(R::JsonDataError(e)) => Err(AppError::validation(format!("{}: {}", t().err_bad_request, e.body_text())).into()),
            Err(_) => Err(bad_request()),
        }
    }
}

/// Path parameters whose rejection (a malformed id) is a JSON 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| ApiPath(v)).map_err(|_| bad_request())
    }
}

/// Query parameters whose rejection is a JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|_| bad_request())
    }
}

/// The client's address: the socket peer, or the proxy's `X-Forwarded-For` when
/// the server trusts its proxy (`TRUST_PROXY`).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(ClientIp(auth::client_ip(&parts.headers, peer, state.config.trust_proxy)))
    }
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<UserRecord>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(auth::current_user(&AppState::from_ref(state), &parts.headers).await?))
    }
}

/// A signed-in user (401 otherwise).
pub struct CurrentUser(pub UserRecord);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(CurrentUser(auth::require_user(&AppState::from_ref(state), &parts.headers).await?))
    }
}

/// A signed-in user whose role is one of `allowed` (401 signed out, 403 otherwise).
async fn with_role<S: Send + Sync>(parts: &mut Parts, state: &S, allowed: &[Role]) -> ApiResult<UserRecord>
where
    AppState: FromRef<S>,
{
    let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
    if allowed.contains(&Role::parse(&user.role)) {
        Ok(user)
    } else {
        Err(AppError::forbidden().into())
    }
}

/// An extractor for a signed-in user with one of the given roles.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, [$($role:ident),+]) => {
        $(#[$doc])*
        pub struct $name(pub UserRecord);

        impl<S: Send + Sync> FromRequestParts<S> for $name
        where
            AppState: FromRef<S>,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                with_role(parts, state, &[$(Role::$role),+]).await.map($name)
            }
        }
    };
}

role_extractor!(
    /// An organizer or administrator; the service checks the unit subtree.
    Organizer, [Organizer, Admin]
);
role_extractor!(
    /// Anyone with a role over units: an administrator, an organizer or a viewer.
    Staff, [Viewer, Organizer, Admin]
);
role_extractor!(
    /// An administrator.
    Admin, [Admin]
);

/// A number from the query within `range`, `default` when absent; outside it, a 400.
pub fn bounded(value: Option<i64>, default: i64, range: std::ops::RangeInclusive<i64>) -> ApiResult<i64> {
    match value {
        None => Ok(default),
        Some(n) if range.contains(&n) => Ok(n),
        Some(_) => Err(AppError::bad_request(t().err_bad_request).into()),
    }
}

pub fn with_cookie<T: serde::Serialize>(status: StatusCode, cookie: String, body: T) -> Response {
    (status, [(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download.
pub fn file_response((name, content_type, bytes): (String, &'static str, Vec<u8>)) -> Response {
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes)
        .into_response()
}

/// A JSON text already serialised (shared views).
pub fn json_text(text: &str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text.to_owned()).into_response()
}

/// The query of an upload: the file's name, whose extension says how to read it.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name (`.csv` or `.xlsx`).
    #[param(max_length = 255)]
    file_name: Option<String>,
}

impl ImportQuery {
    /// The file's name, or `default`; a name over 255 characters is refused.
    pub fn name<'a>(&'a self, default: &'a str) -> ApiResult<&'a str> {
        match self.file_name.as_deref() {
            Some(n) if n.chars().count() > 255 => Err(AppError::bad_request(t().err_bad_request).into()),
            Some(n) => Ok(n),
            None => Ok(default),
        }
    }
}

pub fn not_found() -> ApiError {
    AppError::new(ErrorCode::NotFound, t().not_found_text).into()
}
