//! Operations: a request id on every request and response (`x-request-id`, taken
//! from the proxy when it sends a sane one: tower-http's request-id layers), one
//! log line per failed or slow request (tower-http's trace layer), and counters
//! served at `/metrics` in Prometheus' text format (the `metrics` crate with its
//! Prometheus exporter; one recorder per app server, so that several servers in
//! one process, as in the tests, count apart).
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::time::{Duration, Instant};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

const REQUESTS: &str = "thi24_http_requests_total";
const DURATION: &str = "thi24_http_request_duration_seconds";

/// The counters of this server process (each app server exposes its own).
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    pub attempts_started: Counter,
    pub submissions: Counter,
    pub finalised_by_server: Counter,
    pub server_errors: Counter,
    active: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new().set_buckets(&BUCKETS).expect("buckets").build_recorder();
        let handle = recorder.handle();
        let (attempts_started, submissions, finalised_by_server, server_errors, active) = metrics::with_local_recorder(&recorder, || {
            use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, Unit};
            describe_counter!(REQUESTS, "HTTP requests by method, route and status.");
            describe_histogram!(DURATION, Unit::Seconds, "Time to the response's head, by route.");
            describe_counter!("thi24_attempts_started_total", "Attempts started on this server.");
            describe_counter!("thi24_submissions_total", "Attempts submitted by participants on this server.");
            describe_counter!("thi24_attempts_finalised_by_server_total", "Attempts finalised after their deadline by this server.");
            describe_counter!("thi24_http_server_errors_total", "Responses with a 5xx status.");
            describe_gauge!("thi24_active_attempts", "Attempts in progress (all servers).");
            (
                counter!("thi24_attempts_started_total"),
                counter!("thi24_submissions_total"),
                counter!("thi24_attempts_finalised_by_server_total"),
                counter!("thi24_http_server_errors_total"),
                gauge!("thi24_active_attempts"),
            )
        });
        Self { recorder, handle, attempts_started, submissions, finalised_by_server, server_errors, active }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(REQUESTS, "method" => method.to_string(), "route" => route.to_string(), "status" => status.to_string())
                .increment(1);
            metrics::histogram!(DURATION, "route" => route.to_string()).record(elapsed);
        });
        if status >= 500 {
            self.server_errors.increment(1);
        }
    }

    /// The Prometheus text exposition of every series; `active` is the number of
    /// attempts in progress (read from the database, shared by every server).
    pub fn render(&self, active: Option<i64>) -> String {
        if let Some(active) = active {
            self.active.set(active as f64);
        }
        self.handle.render()
    }
}

/// The request id header, set by the proxy or by us.
static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// New request ids: 32 hex digits.
#[derive(Clone, Copy, Default)]
struct NewId;

impl MakeRequestId for NewId {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string()).ok().map(RequestId::new)
    }
}

/// A proxy's request id is kept when short and plain, else replaced by a new one.
async fn drop_odd_request_id(mut req: Request, next: Next) -> Response {
    let sane = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if !sane {
        req.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(req).await
}

/// Every layer of operations, for the whole router: request ids in and out, a
/// span per request carrying its id (so every log line of the request does), one
/// log line per failed or slow request, and the counters.
pub fn layers(router: axum::Router<AppState>, state: &AppState) -> axum::Router<AppState> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or_default();
            let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str()).unwrap_or("other");
            tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
        })
        .on_request(())
        .on_response(|res: &Response, latency: Duration, _: &tracing::Span| {
            let (status, ms) = (res.status().as_u16(), latency.as_secs_f64() * 1000.0);
            if res.status().is_server_error() {
                tracing::error!(status, ms, "request failed");
            } else if latency > Duration::from_secs(1) {
                tracing::warn!(status, ms, "slow request");
            } else {
                tracing::debug!(status, ms, "request");
            }
        })
        .on_failure(());
    router
        .layer(axum::middleware::from_fn_with_state(state.clone(), count))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(X_REQUEST_ID.clone(), NewId))
        .layer(axum::middleware::from_fn(drop_odd_request_id))
}

/// Counts the request under its route (never the raw path: bounded labels).
async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let res = next.run(req).await;
    state.metrics.observe(method.as_str(), route.as_deref().unwrap_or("other"), res.status().as_u16(), started.elapsed());
    res
}

/// `GET /metrics`. With `METRICS_TOKEN` set, only for `Authorization: Bearer <token>`.
pub async fn endpoint(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = state.config.metrics_token.as_deref() {
        let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(token) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }

    let active = state.store.count_active_attempts().await.ok();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render(active)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/time", 200, Duration::from_millis(2));
        m.observe("GET", "/api/v1/time", 200, Duration::from_millis(200));
        m.observe("POST", "/api/v1/attempts/{attempt_id}/submit", 500, Duration::from_millis(10));
        m.submissions.increment(3);
        let text = m.render(Some(7));
        assert!(text.contains("thi24_http_requests_total{method=\"GET\",route=\"/api/v1/time\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("thi24_http_request_duration_seconds_bucket{route=\"/api/v1/time\",le=\"0.0025\"} 1"), "{text}");
        assert!(text.contains("thi24_http_request_duration_seconds_bucket{route=\"/api/v1/time\",le=\"0.25\"} 2"), "{text}");
        assert!(text.contains("thi24_http_request_duration_seconds_count{route=\"/api/v1/time\"} 2"), "{text}");
        assert!(text.contains("thi24_http_server_errors_total 1"), "{text}");
        assert!(text.contains("thi24_submissions_total 3"), "{text}");
        assert!(text.contains("thi24_attempts_started_total 0"), "a counter shows before its first count: {text}");
        assert!(text.contains("thi24_active_attempts 7"), "{text}");
        // every sample line is "name{labels} value" or "name value"
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            assert!(line.rsplit_once(' ').is_some_and(|(_, v)| v.parse::<f64>().is_ok()), "{line}");
        }
        // a second server in the same process counts apart
        assert!(Metrics::default().render(None).contains("thi24_submissions_total 0"));
    }
}
