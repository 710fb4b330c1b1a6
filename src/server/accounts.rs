//! Accounts: registering, logging in and out (with the per-address and per-phone
//! limits), and who the caller is.
use super::auth;
use super::service::{internal, store_err};
use super::state::AppState;
use crate::domain::{phone::PhoneError, PhoneNumber};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::t;
use crate::model::*;
use crate::store::{NewUser, UserRecord};
use uuid::Uuid;

pub fn me(u: &UserRecord) -> Me {
    Me {
        id: u.id,
        full_name: u.full_name.clone(),
        phone_masked: crate::domain::phone::mask(&u.phone),
        unit_id: u.unit_id,
        unit_name: u.unit_name.clone(),
        role: Role::parse(&u.role),
    }
}

pub fn parse_phone(input: &str) -> AppResult<PhoneNumber> {
    PhoneNumber::parse(input).map_err(|e| {
        AppError::validation(match e {
            PhoneError::Empty => t().err_phone_empty,
            PhoneError::NotDigits => t().err_phone_digits,
            PhoneError::WrongLength => t().err_phone_length,
            PhoneError::UnknownPrefix => t().err_phone_prefix,
        })
    })
}

async fn rate_limit(state: &AppState, key: String, window_ms: i64, limit: i64) -> AppResult<()> {
    let hits = state.store.hit_rate_limit(&key, state.now(), window_ms).await.map_err(internal)?;
    if hits > limit {
        return Err(AppError::new(ErrorCode::RateLimited, t().err_rate_limited));
    }
    Ok(())
}

pub(super) async fn open_session(state: &AppState, user_id: Uuid) -> AppResult<String> {
    let (token, hash) = auth::new_token();
    let now = state.now();
    state.store.insert_session(&hash, user_id, now, now + auth::SESSION_TTL_MS).await.map_err(internal)?;
    Ok(token)
}

pub async fn list_units(state: &AppState) -> AppResult<Vec<UnitDto>> {
    let units = state.store.list_units().await.map_err(internal)?;
    Ok(crate::domain::units::flatten_tree(&units)
        .into_iter()
        .map(|n| UnitDto { id: n.unit.id, parent_id: n.unit.parent_id, name: n.unit.name, kind: n.unit.kind, headcount: n.unit.headcount })
        .collect())
}

/// Registers a participant and opens a session. Returns the user and the session token.
pub async fn register(state: &AppState, input: RegisterInput, ip: &str) -> AppResult<(Me, String)> {
    let name = input.full_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=100).contains(&name.chars().count()) || input.full_name.chars().count() > 100 {
        return Err(AppError::validation(t().err_full_name));
    }
    let phone = parse_phone(&input.phone)?;
    let pw_len = input.password.chars().count();
    if pw_len < 8 {
        return Err(AppError::validation(t().err_password_short));
    }
    if pw_len > 128 {
        return Err(AppError::validation(t().err_password_long));
    }
    let units = state.store.list_units().await.map_err(internal)?;
    if !units.iter().any(|u| u.id == input.unit_id) {
        return Err(AppError::validation(t().err_unit_unknown));
    }
    rate_limit(state, format!("register-ip:{ip}"), 3_600_000, state.config.register_per_ip).await?;
    if state.store.user_by_phone(phone.as_str()).await.map_err(internal)?.is_some() {
        return Err(AppError::new(ErrorCode::PhoneTaken, t().err_phone_taken));
    }
    let user = NewUser {
        id: Uuid::new_v4(),
        full_name: name,
        phone: phone.as_str().to_string(),
        unit_id: input.unit_id,
        password_hash: auth::hash_password(input.password).await?,
        role: Role::Participant,
        created_at: state.now(),
    };
    state.store.insert_user(&user).await.map_err(store_err)?;
    let record = state.store.user_by_id(user.id).await.map_err(internal)?.ok_or_else(AppError::internal)?;
    let token = open_session(state, user.id).await?;
    Ok((me(&record), token))
}

/// The window in which an address's failed logins and activations count.
const LOGIN_FAILURE_WINDOW_MS: i64 = 5 * 60_000;

fn login_failures_key(ip: &str) -> String {
    format!("login-fail-ip:{ip}")
}

/// Refuses a login (or activation) try from an address that failed too often in
/// the last minutes (a single address cannot try thousands of phones), or to a
/// phone number locked after failed tries. Only failures count against an address:
/// a hall of officials behind one address logs in freely.
pub async fn check_login_allowed(state: &AppState, phone: &str, ip: &str) -> AppResult<()> {
    let now = state.now();
    let failures = state.store.rate_limit_hits(&login_failures_key(ip), now, LOGIN_FAILURE_WINDOW_MS).await.map_err(internal)?;
    if failures >= state.config.login_per_ip {
        return Err(AppError::new(ErrorCode::RateLimited, t().err_rate_limited));
    }
    let until = state.store.login_locked_until(phone).await.map_err(internal)?;
    if until > now {
        return Err(locked(until, now));
    }
    Ok(())
}

fn locked(until: i64, now: i64) -> AppError {
    let minutes = crate::domain::lockout::minutes_left(until, now).max(1);
    AppError::new(ErrorCode::RateLimited, crate::i18n::locked_message(minutes))
}

/// A failed login or activation: it counts against the address, and after
/// `login_per_phone` in a row the phone number is locked for a minute, then twice
/// as long at each further failure (up to an hour).
pub async fn login_failed(state: &AppState, phone: &str, ip: &str) -> AppResult<()> {
    let now = state.now();
    state.store.hit_rate_limit(&login_failures_key(ip), now, LOGIN_FAILURE_WINDOW_MS).await.map_err(internal)?;
    state.store.record_login_failure(phone, now, state.config.login_per_phone).await.map_err(internal)?;
    Ok(())
}

pub async fn login(state: &AppState, input: LoginInput, ip: &str) -> AppResult<(Me, String)> {
    let phone = parse_phone(&input.phone).map_err(|_| AppError::new(ErrorCode::Unauthorized, t().err_login_failed))?;
    check_login_allowed(state, phone.as_str(), ip).await?;
    let user = state.store.user_by_phone(phone.as_str()).await.map_err(internal)?;
    let ok = auth::verify_password(input.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    match user {
        Some(u) if ok => {
            state.store.clear_login_failures(phone.as_str()).await.map_err(internal)?;
            let token = open_session(state, u.id).await?;
            Ok((me(&u), token))
        }
        Some(u) if u.password_hash.is_empty() => Err(AppError::new(ErrorCode::Unauthorized, t().err_not_activated)),
        _ => {
            login_failed(state, phone.as_str(), ip).await?;
            Err(AppError::new(ErrorCode::Unauthorized, t().err_login_failed))
        }
    }
}

pub async fn logout(state: &AppState, token: Option<String>) -> AppResult<()> {
    if let Some(token) = token {
        state.store.delete_session(&auth::hash_token(&token)).await.map_err(internal)?;
    }
    Ok(())
}
