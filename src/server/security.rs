//! Response headers that limit what a page may do: a Content Security Policy
//! (pages: scripts only with the page's nonce, WebAssembly allowed; everything
//! else: nothing at all), no framing, no MIME sniffing, no referrer to other sites.
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of an HTML page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn is_json(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

/// For responses that are not pages (JSON, files, streams): nothing may run.
const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !is_json(&res) {
        // the body limit answers in plain text: say it like every other error
        let e = crate::error::AppError::new(crate::error::ErrorCode::TooLarge, crate::i18n::t().err_too_large);
        res = axum::response::IntoResponse::into_response(super::api::ApiError(e));
    }
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
        // a page without a nonce (an error page) gets no script at all
        let policy = if html { "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'" } else { OTHER_POLICY };
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}
