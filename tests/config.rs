//! The configuration as an operator meets it: the real binary, its environment
//! and its subcommands.
mod common;

use common::process::{free_port, wait_healthy, Server, ADMIN_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::{Command, Stdio};

fn thi24() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thi24"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_OUTPUT_NAME", "thi24")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("RUST_LOG", "error");
    c
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("thi24-config-{}-{name}", uuid::Uuid::new_v4()))
}

/// Any SQLite URL sqlx accepts works, and the writer thread opens the very file
/// the pool opened (it used to open `…/thi24.db?mode=rwc`, an empty second file).
#[tokio::test]
async fn sqlite_url_with_options_serves_attempts() {
    let dir = temp("dir");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("thi24.db");
    let port = free_port();
    let child = thi24()
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    wait_healthy(&base).await;
    let c = common::client();
    let units: Vec<Value> = c.get(format!("{base}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    let r = c
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"full_name": "Người cấu hình", "phone": "0917000101", "unit_id": units[1]["id"], "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let rounds: Vec<Value> = c.get(format!("{base}/api/v1/rounds?status=open")).send().await.unwrap().json().await.unwrap();
    let r = c.post(format!("{base}/api/v1/rounds/{}/attempts", rounds[0]["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let files: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(files.iter().all(|f| !f.contains('?')), "a second database file: {files:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bad value stops the server before anything starts, naming the variable.
#[test]
fn bad_values_stop_the_server_and_name_the_variable() {
    for (var, value) in [
        ("LOGIN_LIMIT_PER_IP", "ba trăm"),
        ("REGISTER_LIMIT_PER_IP", "-1"),
        ("SEED_DEMO", "có lẽ"),
        ("COOKIE_SECURE", "2"),
        ("DATABASE_URL", "sqlite::memory:"),
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("ADMIN_PHONE", "12345"),
        ("ADMIN_PASSWORD", "ngan"),
        ("LOG_FORMAT", "xml"),
        ("LEPTOS_SITE_ADDR", "khong-phai-dia-chi"),
    ] {
        let out = thi24().env(var, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(var), "{var}={value}: {err}");
    }
}

/// `thi24 backup` copies the database as it is: it never migrates it.
#[test]
fn backup_never_migrates() {
    let src = temp("old.db");
    {
        let conn = rusqlite::Connection::open(&src).unwrap();
        conn.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('trước khi nâng cấp');").unwrap();
    }
    let dest = temp("copy.db");
    let out = thi24().env("DATABASE_URL", format!("sqlite:{}", src.display())).arg("backup").arg(&dest).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for db in [&src, &dest] {
        let conn = rusqlite::Connection::open(db).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(tables, vec!["notes".to_string()], "{}", db.display());
    }
    // an existing file is never overwritten
    let out = thi24().env("DATABASE_URL", format!("sqlite:{}", src.display())).arg("backup").arg(&dest).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for f in [src, dest] {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", f.display()));
        }
    }
}
