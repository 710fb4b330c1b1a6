//! Operations: a request id on every request and response (`x-request-id`, taken
//! from the proxy when it sends a sane one), one log line per failed or slow
//! request, and counters served at `/metrics` in Prometheus' text format.
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use tracing::Instrument;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters of this server process (each app server exposes its own).
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → requests
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → latency
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub attempts_started: AtomicU64,
    pub submissions: AtomicU64,
    pub finalised_by_server: AtomicU64,
    pub server_errors: AtomicU64,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *self.requests.lock().expect("metrics").entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        let mut lat = self.latency.lock().expect("metrics");
        let h = lat.entry(route.to_string()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text exposition of every counter; `active` is the number of
    /// attempts in progress (read from the database, shared by every server).
    pub fn render(&self, active: Option<i64>) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(
            "# HELP thi24_http_requests_total HTTP requests by method, route and status.\n# TYPE thi24_http_requests_total counter\n",
        );
        for ((m, r, s), n) in self.requests.lock().expect("metrics").iter() {
            let _ = writeln!(out, "thi24_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}", esc(r));
        }
        out.push_str(
            "# HELP thi24_http_request_duration_seconds Time to the response's head, by route.\n# TYPE thi24_http_request_duration_seconds histogram\n",
        );
        for (r, h) in self.latency.lock().expect("metrics").iter() {
            let r = esc(r);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "thi24_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}", h.counts[i]);
            }
            let _ = writeln!(out, "thi24_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "thi24_http_request_duration_seconds_sum{{route=\"{r}\"}} {}", h.sum);
            let _ = writeln!(out, "thi24_http_request_duration_seconds_count{{route=\"{r}\"}} {}", h.count);
        }
        let counters = [
            ("thi24_attempts_started_total", "Attempts started on this server.", &self.attempts_started),
            ("thi24_submissions_total", "Attempts submitted by participants on this server.", &self.submissions),
            (
                "thi24_attempts_finalised_by_server_total",
                "Attempts finalised after their deadline by this server.",
                &self.finalised_by_server,
            ),
            ("thi24_http_server_errors_total", "Responses with a 5xx status.", &self.server_errors),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", v.load(Ordering::Relaxed));
        }
        if let Some(active) = active {
            let _ = writeln!(
                out,
                "# HELP thi24_active_attempts Attempts in progress (all servers).\n# TYPE thi24_active_attempts gauge\nthi24_active_attempts {active}"
            );
        }
        out
    }
}

/// A request id from the client (a proxy's) if it is short and plain, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

/// Times the request, counts it under its route (never the raw path: bounded
/// labels), tags its log lines with the request id and returns the id.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "other".into());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut res = next.run(req).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status();
    state.metrics.observe(&method, &route, status.as_u16(), seconds);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ms = seconds * 1000.0, "request failed");
        } else if seconds > 1.0 {
            tracing::warn!(status = status.as_u16(), ms = seconds * 1000.0, "slow request");
        } else {
            tracing::debug!(status = status.as_u16(), ms = seconds * 1000.0, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
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
    use crate::store::Store;
    let active = state.store.count_active_attempts().await.ok();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render(active)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/time", 200, 0.002);
        m.observe("GET", "/api/v1/time", 200, 0.2);
        m.observe("POST", "/api/v1/attempts/{attempt_id}/submit", 500, 0.01);
        m.submissions.fetch_add(3, Ordering::Relaxed);
        let text = m.render(Some(7));
        assert!(text.contains("thi24_http_requests_total{method=\"GET\",route=\"/api/v1/time\",status=\"200\"} 2"));
        assert!(text.contains("thi24_http_request_duration_seconds_bucket{route=\"/api/v1/time\",le=\"0.0025\"} 1"));
        assert!(text.contains("thi24_http_request_duration_seconds_bucket{route=\"/api/v1/time\",le=\"0.25\"} 2"));
        assert!(text.contains("thi24_http_request_duration_seconds_count{route=\"/api/v1/time\"} 2"));
        assert!(text.contains("thi24_http_server_errors_total 1"));
        assert!(text.contains("thi24_submissions_total 3"));
        assert!(text.contains("thi24_active_attempts 7"));
        // every sample line is "name{labels} value" or "name value"
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.rsplit_once(' ').is_some_and(|(_, v)| v.parse::<f64>().is_ok()), "{line}");
        }
    }
}
