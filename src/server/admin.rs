//! The organizer console's operations: scope (a unit subtree), contests and
//! rounds and their lifecycle, publishing frozen results, exports, the audit
//! log. Every write is checked against the actor's scope and audited.
use super::ranking::leaderboard;
use super::service::{internal, require_organizer};
use super::state::AppState;
use crate::domain::round::{RoundRuleError as E, RoundRules};
use crate::domain::{time::DAY, RoundStatus};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::t;
use crate::model::*;
use crate::store::{AuditEntry, ContestRecord, RoundOptions, RoundRecord, StoreError, UserRecord};
use std::collections::HashSet;
use uuid::Uuid;

pub use super::exports::{audit_csv, export_contest, export_round, titled_sheet, xlsx_err};

/// What an organizer may touch: everything (administrators) or a unit subtree.
pub enum Scope {
    All,
    Units(HashSet<Uuid>),
}

impl Scope {
    pub fn covers(&self, unit: Option<Uuid>) -> bool {
        match self {
            Scope::All => true,
            // a contest for the whole city belongs to administrators only
            Scope::Units(units) => unit.is_some_and(|u| units.contains(&u)),
        }
    }
}

pub async fn scope_of(state: &AppState, user: &UserRecord) -> AppResult<Scope> {
    match Role::parse(&user.role) {
        Role::Admin => Ok(Scope::All),
        Role::Organizer | Role::Viewer => {
            let Some(root) = user.scope_unit_id else { return Ok(Scope::Units(HashSet::new())) };
            let units = state.store.list_units().await.map_err(internal)?;
            Ok(Scope::Units(crate::domain::units::subtree(&units, root).into_iter().collect()))
        }
        Role::Participant => Err(AppError::forbidden()),
    }
}

/// Records an organizer action with the state before and after it.
pub async fn audit<B: serde::Serialize, A: serde::Serialize>(
    state: &AppState,
    actor: &UserRecord,
    action: &str,
    entity: &str,
    entity_id: Uuid,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let json = |v: Option<String>| v;
    let entry = AuditEntry {
        id: Uuid::new_v4(),
        at: state.now(),
        actor_id: Some(actor.id),
        action: action.into(),
        entity: entity.into(),
        entity_id: entity_id.to_string(),
        before: json(before.and_then(|b| serde_json::to_string(b).ok())),
        after: json(after.and_then(|a| serde_json::to_string(a).ok())),
    };
    state.store.append_audit(&entry).await.map_err(internal)
}

fn round_input(r: &RoundRecord) -> RoundInput {
    RoundInput {
        title: r.title.clone(),
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        question_count: r.question_count,
        duration_ms: r.duration_ms,
        max_attempts: r.max_attempts,
        counting: r.counting,
        prediction_prompt: r.prediction_prompt.clone(),
        prediction_kind: r.options.prediction_kind.clone(),
        min_gap_ms: r.options.min_gap_ms,
        shuffle_options: r.options.shuffle_options,
        draw_rules: r.options.draw_rules.clone(),
    }
}

fn admin_round(r: &RoundRecord, now: i64) -> AdminRound {
    AdminRound {
        id: r.id,
        contest_id: r.contest_id,
        title: r.title.clone(),
        position: r.position,
        status: r.rules().status(now),
        published_at: r.published_at,
        input: round_input(r),
    }
}

pub(super) async fn contest_in_scope(state: &AppState, user: &UserRecord, id: Uuid, write: bool) -> AppResult<ContestRecord> {
    if write {
        require_organizer(user)?;
    }
    let c = state.store.contest(id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    if !scope_of(state, user).await?.covers(c.audience_unit_id) {
        // out of scope looks the same as missing: nothing to learn about other districts
        return Err(AppError::not_found(t().err_contest_not_found));
    }
    Ok(c)
}

async fn dto(state: &AppState, c: ContestRecord) -> AppResult<ContestDto> {
    let now = state.now();
    let rounds = state.store.list_rounds().await.map_err(internal)?;
    let mut rounds: Vec<AdminRound> = rounds.iter().filter(|r| r.contest_id == c.id).map(|r| admin_round(r, now)).collect();
    rounds.sort_by_key(|r| (r.position, r.input.opens_at));
    Ok(ContestDto {
        id: c.id,
        title: c.title,
        description: c.description,
        rules: c.rules,
        audience_unit_id: c.audience_unit_id,
        visibility: c.visibility,
        prizes: c.prizes,
        rounds,
    })
}

pub async fn list_contests(state: &AppState, user: &UserRecord) -> AppResult<Vec<ContestDto>> {
    let scope = scope_of(state, user).await?;
    let mut out = Vec::new();
    for c in state.store.list_contests().await.map_err(internal)? {
        if scope.covers(c.audience_unit_id) {
            out.push(dto(state, c).await?);
        }
    }
    Ok(out)
}

pub async fn get_contest(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<ContestDto> {
    let c = contest_in_scope(state, user, id, false).await?;
    dto(state, c).await
}

fn check_contest(input: &ContestInput) -> AppResult<()> {
    if input.title.trim().is_empty() || input.title.chars().count() > 200 {
        return Err(AppError::validation(t().err_contest_title));
    }
    if !matches!(input.visibility.as_str(), "public" | "private") {
        return Err(AppError::validation(t().err_contest_visibility));
    }
    if input.description.chars().count() > 5_000 || input.rules.chars().count() > 10_000 {
        return Err(AppError::validation(t().err_contest_text));
    }
    Ok(())
}

/// Creates (`id` None) or updates a contest within the actor's scope.
pub async fn save_contest(state: &AppState, user: &UserRecord, id: Option<Uuid>, input: ContestInput) -> AppResult<ContestDto> {
    require_organizer(user)?;
    check_contest(&input)?;
    let scope = scope_of(state, user).await?;
    if !scope.covers(input.audience_unit_id) {
        return Err(AppError::forbidden());
    }
    if let Some(unit) = input.audience_unit_id {
        if !state.store.list_units().await.map_err(internal)?.iter().any(|u| u.id == unit) {
            return Err(AppError::validation(t().err_unit_unknown));
        }
    }
    let before = match id {
        Some(id) => Some(contest_in_scope(state, user, id, true).await?),
        None => None,
    };
    let record = ContestRecord {
        id: id.unwrap_or_else(Uuid::new_v4),
        title: input.title.trim().into(),
        description: input.description.trim().into(),
        rules: input.rules.trim().into(),
        created_at: before.as_ref().map(|b| b.created_at).unwrap_or_else(|| state.now()),
        audience_unit_id: input.audience_unit_id,
        visibility: input.visibility.clone(),
        prizes: input.prizes.clone(),
    };
    state.store.save_contest(&record).await.map_err(internal)?;
    state.invalidate_rounds();
    audit(
        state,
        user,
        if before.is_some() { "contest.update" } else { "contest.create" },
        "contest",
        record.id,
        before.map(contest_audit).as_ref(),
        Some(&contest_audit(record.clone())),
    )
    .await?;
    dto(state, record).await
}

fn contest_audit(c: ContestRecord) -> serde_json::Value {
    serde_json::json!({"title": c.title, "description": c.description, "rules": c.rules, "audience_unit_id": c.audience_unit_id, "visibility": c.visibility})
}

fn check_round(input: &RoundInput) -> AppResult<()> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::validation(t().err_round_title));
    }
    let rules = RoundRules {
        opens_at: input.opens_at,
        closes_at: input.closes_at,
        question_count: input.question_count,
        duration_ms: input.duration_ms,
        max_attempts: input.max_attempts,
        counting: input.counting,
    };
    rules.check().map_err(|e| {
        AppError::validation(match e {
            E::ClosesBeforeOpens => t().err_round_window,
            E::QuestionCount => t().err_round_questions,
            E::Duration => t().err_round_duration,
            E::Attempts => t().err_round_attempts,
        })
    })?;
    if !matches!(input.prediction_kind.as_str(), "perfect_scores" | "attempts") {
        return Err(AppError::validation(t().err_prediction_kind));
    }
    if !(0..=30 * DAY).contains(&input.min_gap_ms) {
        return Err(AppError::validation(t().err_min_gap));
    }
    input.draw_rules.check(input.question_count).map_err(|e| AppError::validation(super::service::draw_error(&e)))
}

fn record_of(id: Uuid, contest: &ContestRecord, position: i64, input: &RoundInput, created_at: i64) -> RoundRecord {
    RoundRecord {
        id,
        contest_id: contest.id,
        contest_title: contest.title.clone(),
        title: input.title.trim().into(),
        position,
        opens_at: input.opens_at,
        closes_at: input.closes_at,
        question_count: input.question_count,
        duration_ms: input.duration_ms,
        max_attempts: input.max_attempts,
        counting: input.counting,
        prediction_prompt: input.prediction_prompt.clone().filter(|p| !p.trim().is_empty()),
        created_at,
        options: RoundOptions {
            min_gap_ms: input.min_gap_ms,
            shuffle_options: input.shuffle_options,
            prediction_kind: input.prediction_kind.clone(),
            draw_rules: input.draw_rules.clone(),
        },
        published_at: None,
    }
}

/// The bank must be able to serve the round's draw rules.
async fn check_drawable(state: &AppState, r: &RoundRecord) -> AppResult<()> {
    state.invalidate_question_pool().await;
    let pool = state.question_pool().await.map_err(internal)?;
    super::service::draw(&pool, r).map(|_| ()).map_err(|e| AppError::validation(e.message))
}

pub async fn create_round(state: &AppState, user: &UserRecord, contest_id: Uuid, input: RoundInput) -> AppResult<AdminRound> {
    let contest = contest_in_scope(state, user, contest_id, true).await?;
    check_round(&input)?;
    let count = state.store.list_rounds().await.map_err(internal)?.iter().filter(|r| r.contest_id == contest_id).count() as i64;
    let record = record_of(Uuid::new_v4(), &contest, count + 1, &input, state.now());
    check_drawable(state, &record).await?;
    state.store.save_round(&record).await.map_err(internal)?;
    state.invalidate_rounds();
    audit(state, user, "round.create", "round", record.id, None::<&RoundInput>, Some(&input)).await?;
    Ok(admin_round(&record, state.now()))
}

/// N weekly rounds from a start date, each like the template.
pub async fn create_weekly(state: &AppState, user: &UserRecord, contest_id: Uuid, w: WeeklyInput) -> AppResult<Vec<AdminRound>> {
    if !(1..=52).contains(&w.weeks) || !(1..=31).contains(&w.days) {
        return Err(AppError::validation(t().err_weekly));
    }
    let mut out = Vec::new();
    for k in 0..w.weeks {
        // far-off dates saturate, and the round's own check refuses them
        let opens = w.first_opens_at.saturating_add(k * w.days * DAY);
        let input = RoundInput {
            title: format!("{} {}", w.title_prefix.trim(), k + 1),
            opens_at: opens,
            closes_at: opens.saturating_add(w.days * DAY),
            ..w.template.clone()
        };
        out.push(create_round(state, user, contest_id, input).await?);
    }
    Ok(out)
}

pub(super) async fn round_in_scope(state: &AppState, user: &UserRecord, id: Uuid, write: bool) -> AppResult<(ContestRecord, RoundRecord)> {
    if write {
        require_organizer(user)?;
    }
    let r = state.store.get_round(id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    let c = contest_in_scope(state, user, r.contest_id, write).await.map_err(|_| AppError::not_found(t().err_round_not_found))?;
    Ok((c, r))
}

/// Edits a round: anything before it opens; once open, only its close (extend or close early); never once published.
pub async fn update_round(state: &AppState, user: &UserRecord, id: Uuid, input: RoundInput) -> AppResult<AdminRound> {
    let (contest, before) = round_in_scope(state, user, id, true).await?;
    if before.published_at.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, t().err_round_published));
    }
    let now = state.now();
    let started = before.rules().status(now) != RoundStatus::Upcoming;
    let record = if started {
        let same = RoundInput { closes_at: before.closes_at, ..input.clone() };
        if same != round_input(&before) {
            return Err(AppError::new(ErrorCode::Conflict, t().err_round_started));
        }
        if input.closes_at < now || input.closes_at <= before.opens_at {
            return Err(AppError::validation(t().err_round_close_past));
        }
        RoundRecord { closes_at: input.closes_at, ..before.clone() }
    } else {
        check_round(&input)?;
        let r = record_of(id, &contest, before.position, &input, before.created_at);
        check_drawable(state, &r).await?;
        r
    };
    state.store.save_round(&record).await.map_err(internal)?;
    state.invalidate_rounds();
    state.store.recut_deadlines(id).await.map_err(internal)?;
    let action = if !started {
        "round.update"
    } else if record.closes_at > before.closes_at {
        "round.extend"
    } else {
        "round.close_early"
    };
    audit(state, user, action, "round", id, Some(&round_input(&before)), Some(&round_input(&record))).await?;
    Ok(admin_round(&record, now))
}

/// Closes an open round now.
pub async fn close_round(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<AdminRound> {
    let (_, before) = round_in_scope(state, user, id, true).await?;
    let now = state.now();
    if before.rules().status(now) != RoundStatus::Open {
        return Err(AppError::new(ErrorCode::Conflict, t().err_round_not_open));
    }
    if before.published_at.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, t().err_round_published));
    }
    let record = RoundRecord { closes_at: now, ..before.clone() };
    state.store.save_round(&record).await.map_err(internal)?;
    state.invalidate_rounds();
    state.store.recut_deadlines(id).await.map_err(internal)?;
    audit(state, user, "round.close_early", "round", id, Some(&round_input(&before)), Some(&round_input(&record))).await?;
    Ok(admin_round(&record, now))
}

/// A copy of a round (same rules, a new window one week later), never its attempts.
pub async fn clone_round(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<AdminRound> {
    let (contest, r) = round_in_scope(state, user, id, true).await?;
    let span = r.closes_at - r.opens_at;
    let opens = r.opens_at.max(state.now()) + 7 * DAY;
    let input =
        RoundInput { title: format!("{} ({})", r.title, t().copy_suffix), opens_at: opens, closes_at: opens + span, ..round_input(&r) };
    create_round(state, user, contest.id, input).await
}

/// A copy of a contest and its rounds' settings (shifted to start a week after the original's last close).
pub async fn clone_contest(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<ContestDto> {
    let c = contest_in_scope(state, user, id, true).await?;
    let rounds: Vec<RoundRecord> = state.store.list_rounds().await.map_err(internal)?.into_iter().filter(|r| r.contest_id == id).collect();
    let input = ContestInput {
        title: format!("{} ({})", c.title, t().copy_suffix),
        description: c.description.clone(),
        rules: c.rules.clone(),
        audience_unit_id: c.audience_unit_id,
        visibility: c.visibility.clone(),
        prizes: c.prizes.clone(),
    };
    let copy = save_contest(state, user, None, input).await?;
    let first = rounds.iter().map(|r| r.opens_at).min().unwrap_or(state.now());
    let last = rounds.iter().map(|r| r.closes_at).max().unwrap_or(state.now());
    let shift = (last.max(state.now()) - first).max(0) + 7 * DAY;
    for r in &rounds {
        let input = RoundInput { opens_at: r.opens_at + shift, closes_at: r.closes_at + shift, ..round_input(r) };
        create_round(state, user, copy.id, input).await?;
    }
    get_contest(state, user, copy.id).await
}

/// Freezes a closed round's results and makes them public (phone numbers masked).
pub async fn publish_round(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<PublishedResults> {
    let (_, r) = round_in_scope(state, user, id, true).await?;
    if r.rules().status(state.now()) != RoundStatus::Closed {
        return Err(AppError::new(ErrorCode::Conflict, t().err_publish_open));
    }
    let board = leaderboard(state, id, None, 1_000, None).await?;
    let snapshot = serde_json::to_string(&board).map_err(internal)?;
    let now = state.now();
    state.store.publish_round(id, &snapshot, user.id, now).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::new(ErrorCode::Conflict, t().err_round_published),
        e => internal(e),
    })?;
    audit(
        state,
        user,
        "round.publish",
        "round",
        id,
        None::<&()>,
        Some(&serde_json::json!({"published_at": now, "entries": board.entries.len()})),
    )
    .await?;
    Ok(PublishedResults { round_id: id, published_at: now, leaderboard: board })
}

/// Published results, as frozen: public.
pub async fn published(state: &AppState, id: Uuid) -> AppResult<PublishedResults> {
    let (published_at, snapshot) =
        state.store.published_results(id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_not_published))?;
    let leaderboard = serde_json::from_str(&snapshot).map_err(internal)?;
    Ok(PublishedResults { round_id: id, published_at, leaderboard })
}

pub async fn audit_log(state: &AppState, user: &UserRecord, limit: i64) -> AppResult<Vec<AuditEntry>> {
    if Role::parse(&user.role) != Role::Admin {
        return Err(AppError::forbidden());
    }
    state.store.list_audit(limit.clamp(1, 10_000)).await.map_err(internal)
}

/// Administrators give roles; organizers and viewers need a unit subtree.
pub async fn set_role(state: &AppState, user: &UserRecord, target: Uuid, input: RoleInput) -> AppResult<()> {
    if Role::parse(&user.role) != Role::Admin {
        return Err(AppError::forbidden());
    }
    let before = state.store.user_by_id(target).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_user_not_found))?;
    if matches!(input.role, Role::Organizer | Role::Viewer) && input.scope_unit_id.is_none() {
        return Err(AppError::validation(t().err_scope_required));
    }
    state.store.set_user_role(target, input.role.as_str(), input.scope_unit_id).await.map_err(internal)?;
    audit(
        state,
        user,
        "user.role",
        "user",
        target,
        Some(&serde_json::json!({"role": before.role, "scope_unit_id": before.scope_unit_id})),
        Some(&input),
    )
    .await
}
