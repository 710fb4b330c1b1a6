//! The one error type that crosses the wire: a stable code and a message for people
//! (in Vietnamese). Internal details go to the log, never to the browser.
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    Unauthorized,
    Forbidden,
    NotFound,
    PhoneTaken,
    RoundNotOpen,
    AttemptsExhausted,
    AttemptFinished,
    DeadlinePassed,
    TooSoon,
    /// The change conflicts with the object's state (a started or published round…).
    Conflict,
    Validation,
    RateLimited,
    /// The request body is over the limit.
    TooLarge,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidInput => 400,
            Unauthorized => 401,
            Forbidden => 403,
            NotFound => 404,
            PhoneTaken | RoundNotOpen | AttemptsExhausted | AttemptFinished | DeadlinePassed | TooSoon | Conflict => 409,
            Validation => 422,
            RateLimited => 429,
            TooLarge => 413,
            Internal => 500,
        }
    }
}

/// On the wire, for REST and server functions alike: `{"error": code, "message": text}`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    #[serde(rename = "error")]
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, m)
    }
    pub fn validation(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, m)
    }
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, crate::i18n::t().err_unauthorized)
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, crate::i18n::t().err_forbidden)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, m)
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, crate::i18n::t().err_internal)
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(_) | E::Deserialization(_) | E::MissingArg(_) => Self::bad_request(crate::i18n::t().err_bad_request),
            E::Request(_) | E::Response(_) => Self::new(ErrorCode::Internal, crate::i18n::t().err_network),
            _ => Self::internal(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
