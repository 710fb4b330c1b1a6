//! Cross-site request refusal for every state-changing request (forms, server
//! functions, the JSON API): browsers say where a request comes from in
//! `Sec-Fetch-Site` and `Origin`; a request from another site is refused.
//! Clients that send neither (curl, scripts, apps) are not browsers and cannot
//! be driven by another site, so they need no token.
use axum::{extract::Request, middleware::Next, response::IntoResponse, response::Response};
use http::{HeaderMap, Method};

pub fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    false
}

pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if is_cross_site(req.method(), req.headers()) {
        let err = crate::error::AppError::new(crate::error::ErrorCode::Forbidden, crate::i18n::t().err_cross_site);
        return super::http::extract::ApiError(err).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn decides_by_fetch_metadata_then_origin() {
        let post = Method::POST;
        assert!(!is_cross_site(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_cross_site(&post, &headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&post, &headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&post, &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&post, &headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&post, &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
        assert!(!is_cross_site(&post, &headers(&[])));
    }
}
