//! Sessions, passwords and the client's address.
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::store::UserRecord;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "thi24_session";
/// Sent with a logout: the browser drops this site's caches and storage.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"storage\"";
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3_600_000;

/// A new random session token (sent in the cookie) and its hash (stored).
pub fn new_token() -> (String, String) {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_TTL_MS / 1000,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", if secure { "; Secure" } else { "" })
}

/// The session token from the request's cookies.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    cookie_token(headers, SESSION_COOKIE)
}

/// A token-sized value of the named cookie.
pub fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty() && v.len() <= 128)
        .map(|(_, v)| v.to_string())
}

/// The logged-in user of a request, if any.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> AppResult<Option<UserRecord>> {
    let Some(token) = token_from(headers) else {
        return Ok(None);
    };
    state.store.session_user(&hash_token(&token), state.now()).await.map_err(super::service::internal)
}

pub async fn require_user(state: &AppState, headers: &HeaderMap) -> AppResult<UserRecord> {
    current_user(state, headers).await?.ok_or_else(AppError::unauthorized)
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop
/// when the server is configured to trust its proxy.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return ip.to_string();
        }
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Hashes a password with argon2, off the async runtime.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await.map_err(super::service::internal)
}

/// Verifies a password with argon2, off the async runtime. With no stored hash,
/// a dummy one is checked so that unknown numbers take as long as known ones.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY.get_or_init(|| password_auth::generate_hash("không-dùng")).clone());
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok()).await.unwrap_or(false) && known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trip() {
        let (token, hash) = new_token();
        assert_eq!(hash, hash_token(&token));
        let mut h = HeaderMap::new();
        h.insert(http::header::COOKIE, format!("a=b; {SESSION_COOKIE}={token}; c=d").parse().unwrap());
        assert_eq!(token_from(&h), Some(token));
        assert!(session_cookie("x", true).contains("HttpOnly; SameSite=Lax"));
        assert!(session_cookie("x", true).ends_with("; Secure"));
    }

    #[test]
    fn client_ip_respects_proxy_setting() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().unwrap());
        let peer = Some("127.0.0.1:5000".parse().unwrap());
        assert_eq!(client_ip(&h, peer, false), "127.0.0.1");
        assert_eq!(client_ip(&h, peer, true), "203.0.113.9");
    }
}
