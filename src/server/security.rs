//! Response headers that limit what a page may do: a Content Security Policy
//! (pages: scripts only with the page's nonce, WebAssembly allowed; everything
//! else: nothing at all), no framing, no MIME sniffing, no referrer to other sites.
//! Pages also name their viewer for the service worker, are never cached by the
//! browser's HTTP cache, and are made a valid document (see `close_document`).
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

fn is_json(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

/// For responses that are not pages (JSON, files, streams): nothing may run.
const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Makes a page rendered by Leptos a valid HTML document (the Nu checker finds no
/// error), without changing the DOM a browser builds from it:
/// - Leptos appends the data of its islands (`<script>` elements) after the app's
///   stream, that is after `</html>`: they belong at the end of the body. Every page
///   is rendered whole (`SsrMode::Async`), so the body is already one buffer.
/// - its hydration markers are `<!>`, which HTML parses as an empty comment but
///   reports as a "bogus comment": `<!---->` is the same empty comment, written
///   validly (never inside a `<script>`, whose text is not markup).
pub fn valid_document(html: &str) -> String {
    const END: &str = "</body></html>";
    let moved;
    let html = match html.find(END) {
        Some(at) if at + END.len() < html.len() && html[at + END.len()..].trim_start().starts_with("<script") => {
            moved = format!("{}{}{END}", &html[..at], &html[at + END.len()..]);
            moved.as_str()
        }
        _ => html,
    };
    let mut out = String::with_capacity(html.len() + html.len() / 50);
    let mut rest = html;
    while let Some(at) = rest.find("<!>").into_iter().chain(rest.find("<script")).min() {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<!>") {
            out.push_str("<!---->");
            rest = &rest[3..];
        } else {
            let end = rest.find("</script>").map(|e| e + "</script>".len()).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Who a page was made for, as the service worker sees it: a hash of the session
/// (`-` for nobody). When it changes, the pages it kept are dropped.
pub fn viewer(headers: &axum::http::HeaderMap) -> String {
    use sha2::{Digest, Sha256};
    match super::auth::token_from(headers) {
        Some(token) => hex::encode(&Sha256::digest(format!("viewer:{token}").as_bytes())[..8]),
        None => "-".into(),
    }
}

/// The largest page body rewritten in memory (pages are a few tens of kilobytes).
const PAGE_LIMIT: usize = 8 * 1024 * 1024;

/// The service worker's own policy: it may fetch this site's pages, nothing else.
const WORKER_POLICY: &str = "default-src 'none'; connect-src 'self'";

pub async fn headers(req: Request, next: Next) -> Response {
    let viewer = viewer(req.headers());
    let worker = req.uri().path() == "/sw.js";
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !is_json(&res) {
        // the body limit answers in plain text: say it like every other error
        let e = crate::error::AppError::new(crate::error::ErrorCode::TooLarge, crate::i18n::t().err_too_large);
        res = axum::response::IntoResponse::into_response(super::http::extract::ApiError(e));
    }
    let html = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html && !res.headers().contains_key(header::CONTENT_ENCODING) {
        let (mut parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, PAGE_LIMIT).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let fixed = valid_document(&text);
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        if let Ok(v) = HeaderValue::from_str(&viewer) {
            parts.headers.insert("x-thi24-viewer", v);
        }
        res = Response::from_parts(parts, axum::body::Body::from(fixed));
    }
    let h = res.headers_mut();
    if worker {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(WORKER_POLICY));
    } else if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        // a page without a nonce (an error page) gets no script at all
        let policy = if html { "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'" } else { OTHER_POLICY };
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_become_valid_documents_with_the_same_dom() {
        let page = "<!DOCTYPE html><html><head></head><body><p>x<!> y</p></body></html><script>a=1</script><script>b=\"<!>\"</script>";
        assert_eq!(
            valid_document(page),
            "<!DOCTYPE html><html><head></head><body><p>x<!----> y</p><script>a=1</script><script>b=\"<!>\"</script></body></html>"
        );
        let whole = "<!DOCTYPE html><html><body><!-- a comment --></body></html>";
        assert_eq!(valid_document(whole), whole);
    }

    #[test]
    fn the_viewer_is_a_hash_of_the_session_or_nobody() {
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(viewer(&h), "-");
        h.insert(header::COOKIE, format!("{}=abc", super::super::auth::SESSION_COOKIE).parse().unwrap());
        let v = viewer(&h);
        assert_eq!(v.len(), 16);
        assert!(!v.contains("abc"));
    }
}
