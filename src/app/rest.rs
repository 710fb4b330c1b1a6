//! The participant's islands talk to the JSON API (`/api/v1`) through this one
//! small client: a single generic `fetch` path instead of a server function's
//! client per call keeps their WebAssembly small (the server-function client,
//! its encodings and streams stay in the console's module).
//! Errors arrive as the API sends them (`{"error": code, "message"}`); a request
//! that never reached the server is `internal` with the network message, which
//! the outbox retries.
use crate::error::{AppError, ErrorCode};
use serde::{de::DeserializeOwned, Serialize};

/// An API error body, or the network error when the body is not one.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn error_from(body: &str) -> AppError {
    serde_json::from_str::<AppError>(body).unwrap_or_else(|_| AppError::new(ErrorCode::Internal, crate::i18n::t().err_network))
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, AppError> {
    decode(call("GET", path, None).await?)
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, AppError> {
    decode(call("POST", path, Some(encode(body)?)).await?)
}

/// The answer's text, for a caller that reads it in parts.
pub async fn post_text<B: Serialize>(path: &str, body: &B) -> Result<String, AppError> {
    call("POST", path, Some(encode(body)?)).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, AppError> {
    decode(call("PUT", path, Some(encode(body)?)).await?)
}

fn encode<B: Serialize>(body: &B) -> Result<String, AppError> {
    serde_json::to_string(body).map_err(|_| AppError::internal())
}

fn decode<T: DeserializeOwned>(text: String) -> Result<T, AppError> {
    serde_json::from_str(&text).map_err(|_| AppError::internal())
}

/// The response's text when it succeeded, its error otherwise.
#[cfg(feature = "hydrate")]
async fn call(method: &str, path: &str, body: Option<String>) -> Result<String, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let network = |_| AppError::new(ErrorCode::Internal, crate::i18n::t().err_network);
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(network)?;
    headers.append("accept", "application/json").map_err(network)?;
    if let Some(body) = body {
        headers.append("content-type", "application/json").map_err(network)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(AppError::internal)?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(network)?.dyn_into().map_err(network)?;
    let text = JsFuture::from(response.text().map_err(network)?).await.map_err(network)?.as_string().unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(error_from(&text))
    }
}

/// Islands call the API from the browser only.
#[cfg(not(feature = "hydrate"))]
async fn call(method: &str, path: &str, body: Option<String>) -> Result<String, AppError> {
    let _ = (method, path, body);
    Err(AppError::internal())
}

#[cfg(test)]
mod tests {
    #[test]
    fn api_errors_keep_their_code_and_message() {
        let e = super::error_from(r#"{"error":"deadline_passed","message":"Đã hết giờ"}"#);
        assert_eq!((e.code, e.message.as_str()), (super::ErrorCode::DeadlinePassed, "Đã hết giờ"));
        // a proxy's HTML page or a cut connection: the network message, to be retried
        assert_eq!(super::error_from("<html>502</html>").code, super::ErrorCode::Internal);
    }
}
