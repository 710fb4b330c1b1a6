//! The real server binary as a child process, for tests of restarts, signals and
//! several servers sharing one database.
use super::client;
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const ADMIN_PASSWORD: &str = "process-admin-password";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The server process, killed if the test ends early.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `thi24` on `url` at `port` (seeded, with `ADMIN_PASSWORD`).
pub fn start(url: &str, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_thi24"))
        .env("DATABASE_URL", url)
        .env("LEPTOS_OUTPUT_NAME", "thi24")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_RELOAD_PORT", "3999")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("REGISTER_LIMIT_PER_IP", "1000000")
        .env("LOGIN_LIMIT_PER_IP", "1000000")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary");
    Server(child)
}

pub async fn wait_healthy(base: &str) {
    for _ in 0..600 {
        if let Ok(r) = client().get(format!("{base}/api/v1/health")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become healthy");
}
