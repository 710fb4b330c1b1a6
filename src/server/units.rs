//! Units and rosters for organizers: create, rename, move, merge units (within
//! their scope); import rosters from CSV/XLSX as accounts with one-time
//! activation codes; and activation by the official.
use super::admin::{audit, scope_of, Scope};
use super::bank_io::{read_table, Layout, RowError};
use super::service::{internal, parse_phone, require_organizer};
use super::state::AppState;
use crate::domain::units::{subtree, Unit, UnitKind};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::t;
use crate::model::*;
use crate::store::{RosterRow, RosterUser, StoreError, UserRecord};
use std::collections::HashMap;
use uuid::Uuid;

pub const UNITS: Layout = Layout {
    columns: &["ma_don_vi", "ten_don_vi", "ma_don_vi_cap_tren", "loai", "so_can_bo"],
    required: &["ma_don_vi", "ten_don_vi", "ma_don_vi_cap_tren"],
};

pub const ROSTER: Layout =
    Layout { columns: &["ho_ten", "dien_thoai", "chuc_vu", "ma_don_vi"], required: &["ho_ten", "dien_thoai", "ma_don_vi"] };

fn in_scope(scope: &Scope, unit: Uuid) -> AppResult<()> {
    if scope.covers(Some(unit)) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

async fn units(state: &AppState) -> AppResult<Vec<Unit>> {
    state.store.list_units().await.map_err(internal)
}

fn check_name(name: &str, headcount: i64) -> AppResult<()> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation(t().err_unit_name));
    }
    if !(0..=10_000_000).contains(&headcount) {
        return Err(AppError::validation(t().err_headcount));
    }
    Ok(())
}

pub async fn create_unit(state: &AppState, user: &UserRecord, input: UnitInput) -> AppResult<UnitDto> {
    require_organizer(user)?;
    check_name(&input.name, input.headcount)?;
    let scope = scope_of(state, user).await?;
    let parent = input.parent_id.ok_or_else(|| AppError::validation(t().err_unit_unknown))?;
    in_scope(&scope, parent)?;
    if !units(state).await?.iter().any(|u| u.id == parent) {
        return Err(AppError::validation(t().err_unit_unknown));
    }
    let unit =
        Unit { id: Uuid::new_v4(), parent_id: Some(parent), name: input.name.trim().into(), kind: input.kind, headcount: input.headcount };
    let code = input.code.map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty());
    state.store.insert_unit(&unit, code.as_deref(), state.now()).await.map_err(|e| match e {
        StoreError::Db(ref d) if d.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            AppError::validation(t().err_unit_code_taken)
        }
        e => internal(e),
    })?;
    state.invalidate_units().await;
    audit(state, user, "unit.create", "unit", unit.id, None::<&()>, Some(&unit)).await?;
    Ok(dto(unit))
}

fn dto(u: Unit) -> UnitDto {
    UnitDto { id: u.id, parent_id: u.parent_id, name: u.name, kind: u.kind, headcount: u.headcount }
}

/// Renames, moves (never under itself) or changes the headcount of a unit.
pub async fn update_unit(state: &AppState, user: &UserRecord, id: Uuid, input: UnitInput) -> AppResult<UnitDto> {
    require_organizer(user)?;
    check_name(&input.name, input.headcount)?;
    let scope = scope_of(state, user).await?;
    in_scope(&scope, id)?;
    let all = units(state).await?;
    let before = all.iter().find(|u| u.id == id).cloned().ok_or_else(|| AppError::not_found(t().err_unit_unknown))?;
    if let Some(p) = input.parent_id {
        in_scope(&scope, p)?;
        if !all.iter().any(|u| u.id == p) {
            return Err(AppError::validation(t().err_unit_unknown));
        }
        if subtree(&all, id).contains(&p) {
            return Err(AppError::validation(t().err_unit_cycle));
        }
    } else if before.parent_id.is_some() {
        return Err(AppError::validation(t().err_unit_unknown));
    }
    let after =
        Unit { parent_id: input.parent_id, name: input.name.trim().into(), headcount: input.headcount, kind: input.kind, ..before.clone() };
    state.store.update_unit(&after).await.map_err(internal)?;
    state.invalidate_units().await;
    audit(state, user, "unit.update", "unit", id, Some(&before), Some(&after)).await?;
    Ok(dto(after))
}

/// Merges `source` into `target`: members, children and history move; the headcounts add up.
pub async fn merge_units(state: &AppState, user: &UserRecord, source: Uuid, target: Uuid) -> AppResult<UnitDto> {
    require_organizer(user)?;
    let scope = scope_of(state, user).await?;
    in_scope(&scope, source)?;
    in_scope(&scope, target)?;
    let all = units(state).await?;
    if source == target || subtree(&all, source).contains(&target) {
        return Err(AppError::validation(t().err_unit_cycle));
    }
    let (s, tg) = match (all.iter().find(|u| u.id == source), all.iter().find(|u| u.id == target)) {
        (Some(s), Some(t)) => (s.clone(), t.clone()),
        _ => return Err(AppError::not_found(t().err_unit_unknown)),
    };
    if s.parent_id.is_none() {
        return Err(AppError::validation(t().err_unit_cycle));
    }
    state.store.merge_units(source, target).await.map_err(internal)?;
    state.invalidate_units().await;
    audit(state, user, "unit.merge", "unit", source, Some(&s), Some(&serde_json::json!({"merged_into": target, "target_name": tg.name})))
        .await?;
    let merged = units(state).await?.into_iter().find(|u| u.id == target).ok_or_else(AppError::internal)?;
    Ok(dto(merged))
}

/// A one-time code: 8 characters without look-alikes (0/O, 1/I/L).
fn activation_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Imports a roster: every row an account with an activation code, or nothing and every bad row.
pub async fn import_roster(state: &AppState, user: &UserRecord, file_name: &str, bytes: &[u8]) -> AppResult<RosterImport> {
    require_organizer(user)?;
    let scope = scope_of(state, user).await?;
    let mut result = RosterImport { created: 0, by_unit: vec![], file_error: None, row_errors: vec![] };
    let rows = match read_table(file_name, bytes, ROSTER) {
        Ok(r) => r,
        Err(e) => {
            result.file_error = Some(e.to_string());
            return Ok(result);
        }
    };
    let codes: HashMap<String, Uuid> =
        state.store.unit_codes().await.map_err(internal)?.into_iter().filter_map(|u| u.code.map(|c| (c.to_uppercase(), u.id))).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut users = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    for (row, m) in rows {
        let cell = |c: &str| m.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut reasons = Vec::new();
        let name = cell("ho_ten");
        if !(2..=100).contains(&name.chars().count()) {
            reasons.push(t().err_full_name.to_string());
        }
        let phone = match parse_phone(&cell("dien_thoai")) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(e) => {
                reasons.push(format!("{}: {}", cell("dien_thoai"), e.message));
                None
            }
        };
        if let Some(p) = &phone {
            if let Some(first) = seen.insert(p.clone(), row) {
                reasons.push(format!("{} {first}", t().err_roster_duplicate_phone));
            } else if state.store.user_by_phone(p).await.map_err(internal)?.is_some() {
                reasons.push(t().err_phone_taken.to_string());
            }
        }
        let code = cell("ma_don_vi").to_uppercase();
        let unit = match codes.get(&code) {
            Some(u) if scope.covers(Some(*u)) => Some(*u),
            Some(_) => {
                reasons.push(format!("{} {code}", t().err_roster_unit_scope));
                None
            }
            None => {
                reasons.push(format!("{} \"{code}\"", t().err_roster_unit_code));
                None
            }
        };
        let position = cell("chuc_vu");
        if position.chars().count() > 200 {
            reasons.push(t().err_roster_position.to_string());
        }
        match (reasons.is_empty(), phone, unit) {
            (true, Some(phone), Some(unit_id)) => {
                users.push(RosterUser { id: Uuid::new_v4(), full_name: name, phone, position, unit_id, activation_code: activation_code() })
            }
            _ => errors.push(RowError { row, reasons }),
        }
    }
    if !errors.is_empty() {
        result.row_errors = errors.into_iter().map(|e| RowProblem { row: e.row, reasons: e.reasons }).collect();
        return Ok(result);
    }
    state.store.insert_roster(&users, state.now()).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::new(ErrorCode::PhoneTaken, t().err_phone_taken),
        e => internal(e),
    })?;
    let mut by_unit: HashMap<Uuid, i64> = HashMap::new();
    for u in &users {
        *by_unit.entry(u.unit_id).or_default() += 1;
    }
    let names: HashMap<Uuid, String> = units(state).await?.into_iter().map(|u| (u.id, u.name)).collect();
    result.created = users.len();
    result.by_unit = by_unit.into_iter().map(|(id, n)| (id, names.get(&id).cloned().unwrap_or_default(), n)).collect();
    result.by_unit.sort_by(|a, b| a.1.cmp(&b.1));
    audit(
        state,
        user,
        "roster.import",
        "file",
        Uuid::new_v4(),
        None::<&()>,
        Some(&serde_json::json!({"file": file_name, "created": users.len()})),
    )
    .await?;
    Ok(result)
}

/// The printable list of a unit: members with their activation codes (until used).
pub async fn roster(state: &AppState, user: &UserRecord, unit_id: Uuid) -> AppResult<(String, Vec<RosterRow>)> {
    require_organizer(user)?;
    in_scope(&scope_of(state, user).await?, unit_id)?;
    let name = units(state)
        .await?
        .into_iter()
        .find(|u| u.id == unit_id)
        .map(|u| u.name)
        .ok_or_else(|| AppError::not_found(t().err_unit_unknown))?;
    Ok((name, state.store.roster(unit_id).await.map_err(internal)?))
}

/// An official sets a password with the code from the roster list, and is logged in.
pub async fn activate(state: &AppState, phone: &str, code: &str, password: String, ip: &str) -> AppResult<(Me, String)> {
    let phone = parse_phone(phone)?;
    let pw = password.chars().count();
    if pw < 8 {
        return Err(AppError::validation(t().err_password_short));
    }
    if pw > 128 {
        return Err(AppError::validation(t().err_password_long));
    }
    // the same limits as logging in: codes cannot be guessed faster than passwords
    super::service::check_login_allowed(state, phone.as_str(), ip).await?;
    let hash = super::auth::hash_password(password).await?;
    let code = code.trim().to_uppercase();
    if !state.store.activate(phone.as_str(), &code, &hash).await.map_err(internal)? {
        super::service::login_failed(state, phone.as_str(), ip).await?;
        return Err(AppError::new(ErrorCode::Unauthorized, t().err_activation));
    }
    // activated: signed in at once (one try, not a second login)
    state.store.clear_login_failures(phone.as_str()).await.map_err(internal)?;
    let user = state.store.user_by_phone(phone.as_str()).await.map_err(internal)?.ok_or_else(AppError::internal)?;
    let token = super::accounts::open_session(state, user.id).await?;
    Ok((super::service::me(&user), token))
}

fn parse_kind(s: &str) -> Option<UnitKind> {
    let f = crate::domain::text::fold(s);
    UnitKind::parse(&f).or(match f.as_str() {
        "" | "xa" | "phuong" | "thi tran" | "xa, phuong" => Some(UnitKind::Commune),
        "quan" | "huyen" | "thi xa" | "quan, huyen" => Some(UnitKind::District),
        "co quan" | "don vi" | "co quan, don vi" => Some(UnitKind::Agency),
        _ => None,
    })
}

/// Imports units (code, name, parent's code, kind, headcount): a known code updates
/// that unit, a new one creates it under its parent (given in the file or already
/// there). All or nothing, every bad row listed.
pub async fn import_units(state: &AppState, user: &UserRecord, file_name: &str, bytes: &[u8]) -> AppResult<RosterImport> {
    require_organizer(user)?;
    let mut scope = scope_of(state, user).await?;
    let mut result = RosterImport { created: 0, by_unit: vec![], file_error: None, row_errors: vec![] };
    let rows = match read_table(file_name, bytes, UNITS) {
        Ok(r) => r,
        Err(e) => {
            result.file_error = Some(e.to_string());
            return Ok(result);
        }
    };
    let all = units(state).await?;
    let mut codes: HashMap<String, Uuid> =
        state.store.unit_codes().await.map_err(internal)?.into_iter().filter_map(|u| u.code.map(|c| (c.to_uppercase(), u.id))).collect();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let (mut creates, mut updates, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (row, m) in rows {
        let cell = |c: &str| m.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut reasons = Vec::new();
        let code = cell("ma_don_vi").to_uppercase();
        let name = cell("ten_don_vi");
        let parent_code = cell("ma_don_vi_cap_tren").to_uppercase();
        if code.is_empty() || code.len() > 40 {
            reasons.push(t().err_unit_code_invalid.to_string());
        }
        if let Some(first) = in_file.insert(code.clone(), row) {
            reasons.push(format!("{} {first}", t().err_unit_code_duplicate));
        }
        if name.is_empty() || name.chars().count() > 200 {
            reasons.push(t().err_unit_name.to_string());
        }
        let kind = parse_kind(&cell("loai"));
        if kind.is_none() {
            reasons.push(format!("{}: {}", t().err_unit_kind, cell("loai")));
        }
        let headcount = match cell("so_can_bo").as_str() {
            "" => Some(0),
            h => h.parse::<i64>().ok().filter(|h| (0..=10_000_000).contains(h)),
        };
        if headcount.is_none() {
            reasons.push(t().err_headcount.to_string());
        }
        let parent = codes.get(&parent_code).copied();
        match parent {
            None => reasons.push(format!("{} \"{parent_code}\"", t().err_roster_unit_code)),
            Some(p) if !scope.covers(Some(p)) => reasons.push(format!("{} {parent_code}", t().err_roster_unit_scope)),
            _ => {}
        }
        if !reasons.is_empty() {
            errors.push(RowError { row, reasons });
            continue;
        }
        let (kind, headcount, parent) = (kind.unwrap_or(UnitKind::Commune), headcount.unwrap_or(0), parent);
        match codes.get(&code).copied() {
            Some(id) => {
                if !scope.covers(Some(id)) || parent.is_some_and(|p| subtree(&all, id).contains(&p)) {
                    errors.push(RowError { row, reasons: vec![t().err_unit_cycle.to_string()] });
                    continue;
                }
                updates.push(Unit { id, parent_id: parent, name, kind, headcount });
            }
            None => {
                let unit = Unit { id: Uuid::new_v4(), parent_id: parent, name, kind, headcount };
                // later rows may hang under this one
                codes.insert(code.clone(), unit.id);
                if let Scope::Units(s) = &mut scope {
                    s.insert(unit.id);
                }
                creates.push((unit, code));
            }
        }
    }
    if !errors.is_empty() {
        result.row_errors = errors.into_iter().map(|e| RowProblem { row: e.row, reasons: e.reasons }).collect();
        return Ok(result);
    }
    state.store.apply_units(&creates, &updates, state.now()).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::validation(t().err_unit_code_taken),
        e => internal(e),
    })?;
    state.invalidate_units().await;
    result.created = creates.len();
    result.by_unit = creates.iter().map(|(u, _)| (u.id, u.name.clone(), 0)).collect();
    audit(
        state,
        user,
        "units.import",
        "file",
        Uuid::new_v4(),
        None::<&()>,
        Some(&serde_json::json!({"file": file_name, "created": creates.len(), "updated": updates.len()})),
    )
    .await?;
    Ok(result)
}
