//! Operations and hardening: request ids, Prometheus metrics, security headers
//! (a Content Security Policy with a fresh nonce per page), the health check.
mod common;

use common::{client, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;

async fn request_ids_metrics_and_headers(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let c = client();
    // every response carries a request id: the proxy's when sane, else a new one
    let r = c.get(format!("{b}/api/v1/time")).header("x-request-id", "proxy-42").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "proxy-42");
    let r = c.get(format!("{b}/api/v1/time")).header("x-request-id", "bad id\twith spaces").send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");

    // the health check names the database
    let health: Value = c.get(format!("{b}/api/v1/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["database"],
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );

    // a participant starts and submits: the counters follow
    let units: Vec<Value> = c.get(format!("{b}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    let unit = units.iter().find(|u| u["kind"] == "commune").unwrap()["id"].as_str().unwrap().to_string();
    let r = c
        .post(format!("{b}/api/v1/auth/register"))
        .json(&json!({"full_name": "Người đo", "phone": "0917000001", "unit_id": unit, "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let rounds: Vec<Value> = c.get(format!("{b}/api/v1/rounds?status=open")).send().await.unwrap().json().await.unwrap();
    let round = rounds[0]["id"].as_str().unwrap();
    let a: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let metrics = c.get(format!("{b}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("thi24_active_attempts 1"), "{metrics}");
    assert!(metrics.contains("thi24_attempts_started_total 1"), "{metrics}");
    let r = c.post(format!("{b}/api/v1/attempts/{}/submit", a["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(format!("{b}/api/v1/nowhere")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.get(format!("{b}/metrics")).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let metrics = r.text().await.unwrap();
    for line in [
        "thi24_http_requests_total{method=\"GET\",route=\"/api/v1/time\",status=\"200\"} 2",
        "thi24_http_requests_total{method=\"POST\",route=\"/api/v1/attempts/{attempt_id}/submit\",status=\"200\"} 1",
        "thi24_http_requests_total{method=\"GET\",route=\"/api/v1/{*rest}\",status=\"404\"} 1",
        "thi24_http_request_duration_seconds_count{route=\"/api/v1/rounds/{round_id}/attempts\"} 1",
        "thi24_submissions_total 1",
        "thi24_active_attempts 0",
        "thi24_http_server_errors_total 0",
    ] {
        assert!(metrics.contains(line), "missing {line}\n{metrics}");
    }

    // pages: a policy with a fresh nonce that every inline script carries; JSON: nothing runs
    let page = c.get(format!("{b}/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
    assert!(script_src.contains("'wasm-unsafe-eval'") && !script_src.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries the nonce");
    let again = c.get(format!("{b}/")).send().await.unwrap();
    assert!(!again.headers()["content-security-policy"].to_str().unwrap().contains(&nonce), "a new nonce per page");
    let json_csp = c.get(format!("{b}/api/v1/time")).send().await.unwrap().headers()["content-security-policy"].clone();
    assert_eq!(json_csp, "default-src 'none'; frame-ancestors 'none'");

    // a body over the limit gets the API's JSON error, and changes nothing
    let big = "x".repeat(2 * 1024 * 1024);
    let r = client().post(format!("{b}/api/v1/auth/register")).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "too_large");
    assert!(e["message"].as_str().unwrap().contains("quá lớn"));
}

async fn metrics_token(backend: Backend) {
    let config = Config { metrics_token: Some("bi-mat".into()), ..Config::default() };
    let Some(app) = spawn_app(backend, config).await else { return };
    let c = client();
    assert_eq!(c.get(format!("{}/metrics", app.base)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = c.get(format!("{}/metrics", app.base)).bearer_auth("sai").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(format!("{}/metrics", app.base)).bearer_auth("bi-mat").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The online backup of the embedded database: a consistent copy that opens on its own.
async fn backup(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let dest = std::env::temp_dir().join(format!("thi24-backup-{}.db", uuid::Uuid::new_v4()));
    let dest_s = dest.display().to_string();
    let result = app.state.store.backup_to(&dest_s).await;
    match backend {
        Backend::Postgres => assert!(result.is_err(), "PostgreSQL is backed up with pg_dump"),
        Backend::Sqlite => {
            result.unwrap();
            let copy: thi24::store::AnyStore = thi24::store::SqliteStore::connect(&format!("sqlite:{dest_s}")).await.unwrap().into();
            assert_eq!(copy.count_users().await.unwrap(), app.state.store.count_users().await.unwrap());
            assert_eq!(copy.list_units().await.unwrap().len(), app.state.store.list_units().await.unwrap().len());
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{dest_s}{s}"));
            }
        }
    }
}

both_backends!(request_ids_metrics_and_headers, metrics_token, backup);
