//! Test harness: a fresh database per test on SQLite (a temporary file) and on
//! PostgreSQL (a database with a random name, dropped afterwards), and the whole
//! HTTP application served on a random port.
#![allow(dead_code)]
pub mod api;
pub mod process;
use std::sync::Arc;
use thi24::server::{clock::SystemClock, router, seed, state::Config, AppState};
use thi24::store::{AnyStore, PgStore, SqliteStore};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Removes the test database when dropped.
pub struct DbGuard {
    sqlite_path: Option<std::path::PathBuf>,
    pg: Option<(String, String)>,
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let Some(p) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        if let Some((base, name)) = self.pg.take() {
            // Drop happens outside async code: use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut c).await;
                    }
                })
            })
            .join();
        }
    }
}

pub fn pg_base_url() -> String {
    std::env::var("DATABASE_TEST_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The URL of a fresh, empty database (dropped with the guard), or `None` when
/// PostgreSQL is unreachable outside CI.
pub async fn fresh_url(backend: Backend) -> Option<(String, DbGuard)> {
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("thi24-test-{}.db", uuid::Uuid::new_v4()));
            Some((format!("sqlite:{}", path.display()), DbGuard { sqlite_path: Some(path), pg: None }))
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let base = pg_base_url();
            let mut admin = match sqlx::PgConnection::connect(&base).await {
                Ok(c) => c,
                Err(e) => {
                    if std::env::var_os("CI").is_some() {
                        panic!("PostgreSQL at {base} is unreachable and CI is set: {e}");
                    }
                    eprintln!("skipped PostgreSQL: {base} unreachable ({e})");
                    return None;
                }
            };
            let name = format!("thi24_test_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await.expect("create database");
            let url = format!("{}/{name}", &base[..base.rfind('/').expect("DATABASE_TEST_URL needs a database name")]);
            Some((url, DbGuard { sqlite_path: None, pg: Some((base, name)) }))
        }
    }
}

/// A fresh store, or `None` when PostgreSQL is unreachable outside CI (with a note).
/// In CI (`CI` set) an unreachable PostgreSQL fails the test.
pub async fn fresh_store(backend: Backend) -> Option<(AnyStore, DbGuard)> {
    let (url, guard) = fresh_url(backend).await?;
    let store = match backend {
        Backend::Sqlite => SqliteStore::connect(&url).await.expect("sqlite").into(),
        Backend::Postgres => PgStore::connect(&url).await.expect("postgres").into(),
    };
    Some((store, guard))
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<SystemClock>,
    pub admin_password: String,
    pub database_url: String,
    _guard: Option<DbGuard>,
}

/// The whole application, seeded, on a random port.
pub async fn spawn_app(backend: Backend, config: Config) -> Option<TestApp> {
    let (url, guard) = fresh_url(backend).await?;
    Some(spawn_app_on(&url, config, Some(guard)).await)
}

/// The application on an existing database (a second server, or the same one started again).
pub async fn spawn_app_on(url: &str, config: Config, guard: Option<DbGuard>) -> TestApp {
    let store = AnyStore::connect(url).await.expect("store");
    let clock = SystemClock::shared();
    let options = leptos::config::LeptosOptions::builder().output_name("thi24").site_root("target/site").build();
    let state = AppState::new(store, clock.clone(), options, config);
    let admin_password =
        seed::seed_if_empty(&state).await.expect("seed").unwrap_or_else(|| std::env::var("ADMIN_PASSWORD").unwrap_or_default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router::build(state.clone());
    thi24::server::live::spawn(&state);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    TestApp { base, state, clock, admin_password, database_url: url.to_string(), _guard: guard }
}

/// Registers an account in `unit` at the server `base` and returns its logged-in client.
pub async fn register_at(base: &str, phone: &str, unit: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(format!("{base}/api/v1/auth/register"))
        .json(&serde_json::json!({"full_name": format!("Cán bộ {}", &phone[6..]), "phone": phone, "unit_id": unit, "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED, "{}", r.text().await.unwrap());
    c
}

/// A server-sent event stream being read.
pub struct EventStream {
    res: reqwest::Response,
    buf: String,
}

impl EventStream {
    pub async fn open(c: &reqwest::Client, url: String) -> Self {
        let res = c.get(url).send().await.unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        Self { res, buf: String::new() }
    }

    /// The data of the next event, or `None` if none comes within `within`.
    pub async fn next(&mut self, within: std::time::Duration) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).unwrap());
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The first event whose data satisfies `f`, within `within`.
    pub async fn until(&mut self, within: std::time::Duration, f: impl Fn(&serde_json::Value) -> bool) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let v = self.next(left).await?;
            if f(&v) {
                return Some(v);
            }
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// Runs an async test body against both databases.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() { super::$name(crate::common::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() { super::$name(crate::common::Backend::Postgres).await }
            )*
        }
    };
}

/// A client logged in with this phone number and password.
pub async fn login(app: &TestApp, phone: &str, password: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({"phone": phone, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK, "{}", r.text().await.unwrap());
    c
}

/// The seeded administrator, logged in.
pub async fn admin(app: &TestApp) -> reqwest::Client {
    login(app, "0900000000", &app.admin_password).await
}

/// Starts an attempt, answers `correct` questions right and the rest wrong, and
/// submits unless `submit` is false. Returns the attempt's id (`None` when the
/// start is refused, e.g. attempts used up).
pub async fn take(
    app: &TestApp,
    c: &reqwest::Client,
    round: &str,
    correct: usize,
    submit: bool,
    prediction: Option<i64>,
) -> Option<String> {
    let b = &app.base;
    let r = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap();
    if !r.status().is_success() {
        return None;
    }
    let v: serde_json::Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    for (k, item) in v["items"].as_array().unwrap().iter().enumerate() {
        let q: uuid::Uuid = item["question_id"].as_str().unwrap().parse().unwrap();
        let opts = app.state.store.question_version(q).await.unwrap().unwrap().options;
        let pick = opts.iter().find(|o| o.2 == (k < correct)).unwrap().0;
        let r = c.put(format!("{b}/api/v1/attempts/{id}/answers/{q}")).json(&serde_json::json!({"option_id": pick})).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
    if submit {
        let body = match prediction {
            Some(p) => serde_json::json!({"prediction": p}),
            None => serde_json::json!({}),
        };
        let r = c.post(format!("{b}/api/v1/attempts/{id}/submit")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
    Some(id)
}
