//! Service functions: the one place the application's operations live. The JSON
//! API and the Leptos server functions both call these.
use super::state::AppState;
use crate::domain::RoundStatus;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::t;
use crate::model::*;
use crate::store::{DrawnItem, RoundRecord, StartRequest, StoreError, UserRecord};
use uuid::Uuid;

pub use super::accounts::{check_login_allowed, list_units, login, login_failed, logout, me, parse_phone, register};

/// Logs an internal error and returns the generic message: details never reach a client.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::internal()
}

pub(super) fn store_err(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::not_found(t().err_attempt_not_found),
        StoreError::Conflict("phone") => AppError::new(ErrorCode::PhoneTaken, t().err_phone_taken),
        StoreError::AttemptsExhausted => AppError::new(ErrorCode::AttemptsExhausted, t().err_attempts_exhausted),
        StoreError::AttemptFinished => AppError::new(ErrorCode::AttemptFinished, t().err_attempt_finished),
        StoreError::DeadlinePassed => AppError::new(ErrorCode::DeadlinePassed, t().err_deadline_passed),
        StoreError::QuestionNotInAttempt => AppError::not_found(t().err_question_not_in_attempt),
        StoreError::OptionNotInQuestion => AppError::validation(t().err_option_not_in_question),
        StoreError::TooSoon(wait_ms) => {
            AppError::new(ErrorCode::TooSoon, format!("{} {}", t().err_too_soon, crate::domain::time::format_duration(wait_ms)))
        }
        other => internal(other),
    }
}

fn summary(r: &RoundRecord, now: i64, mine: Option<MyRound>, contest_rules: String) -> RoundSummary {
    RoundSummary {
        id: r.id,
        contest_id: r.contest_id,
        contest_title: r.contest_title.clone(),
        title: r.title.clone(),
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        question_count: r.question_count,
        duration_ms: r.duration_ms,
        max_attempts: r.max_attempts,
        status: r.rules().status(now),
        prediction_prompt: r.prediction_prompt.clone(),
        contest_rules,
        mine,
    }
}

/// Rounds, optionally only those with `status`; with the caller's own figures when logged in.
pub async fn list_rounds(state: &AppState, user: Option<&UserRecord>, status: Option<RoundStatus>) -> AppResult<Vec<RoundSummary>> {
    let now = state.now();
    let rounds = state.store.list_rounds().await.map_err(internal)?;
    let contests = state.store.list_contests().await.map_err(internal)?;
    let units = state.store.list_units().await.map_err(internal)?;
    // public contests, and private ones whose audience includes the caller
    let visible = |contest_id: uuid::Uuid| {
        contests.iter().find(|c| c.id == contest_id).is_some_and(|c| {
            c.visibility == "public"
                || match (c.audience_unit_id, user) {
                    (None, Some(_)) => true,
                    (Some(root), Some(u)) => crate::domain::units::subtree(&units, root).contains(&u.unit_id),
                    _ => false,
                }
        })
    };
    let parts = match user {
        Some(u) => state.store.user_participations(u.id).await.map_err(internal)?,
        None => vec![],
    };
    Ok(rounds
        .iter()
        .filter(|r| status.is_none_or(|s| r.rules().status(now) == s) && visible(r.contest_id))
        .map(|r| {
            let mine = user.map(|_| {
                let p = parts.iter().find(|p| p.round_id == r.id);
                MyRound {
                    attempts_used: p.map(|p| p.attempts_started).unwrap_or(0),
                    active_attempt_id: p.and_then(|p| p.active_attempt_id),
                    best_score: p.and_then(|p| p.best_score),
                    best_time_ms: p.and_then(|p| p.best_time_ms),
                }
            });
            summary(r, now, mine, contests.iter().find(|c| c.id == r.contest_id).map(|c| c.rules.clone()).unwrap_or_default())
        })
        .collect())
}

/// Draws the round's questions for one participant by its rules, and shuffles
/// their options unless the round keeps them in order.
pub fn draw(pool: &[crate::store::PoolEntry], round: &RoundRecord) -> AppResult<Vec<DrawnItem>> {
    use rand::{seq::SliceRandom, Rng};
    let cands: Vec<crate::domain::draw::Candidate> =
        pool.iter().map(|p| crate::domain::draw::Candidate { topic: &p.topic, difficulty: p.difficulty, group: &p.group }).collect();
    let mut rng = rand::thread_rng();
    let picked = crate::domain::draw::plan(&cands, &round.options.draw_rules, round.question_count as usize, &mut |k| rng.gen_range(0..k))
        .map_err(|e| AppError::new(ErrorCode::RoundNotOpen, draw_error(&e)))?;
    Ok(picked
        .into_iter()
        .map(|i| {
            let mut order: Vec<usize> = (0..pool[i].option_count as usize).collect();
            if round.options.shuffle_options {
                order.shuffle(&mut rng);
            }
            DrawnItem { version_id: pool[i].version_id, option_order: order }
        })
        .collect())
}

pub fn draw_error(e: &crate::domain::draw::DrawError) -> String {
    use crate::domain::draw::DrawError::*;
    match e {
        QuotasExceedCount => t().err_draw_quotas.to_string(),
        TopicShort(topic) => format!("{} ({topic})", t().err_draw_topic_short),
        DifficultyShort(d) => format!("{} ({})", t().err_draw_difficulty_short, crate::i18n::difficulty_label(*d)),
        BankShort => t().err_no_questions.to_string(),
    }
}

/// Starts an attempt (or resumes the one in progress) and returns it.
pub async fn start_attempt(state: &AppState, user: &UserRecord, round_id: Uuid) -> AppResult<AttemptView> {
    let round = state.round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    let now = state.now();
    if round.rules().status(now) != RoundStatus::Open {
        return Err(AppError::new(ErrorCode::RoundNotOpen, t().err_round_not_open));
    }
    let contest = state.contest(round.contest_id).await.map_err(internal)?;
    if let Some(root) = contest.and_then(|c| c.audience_unit_id) {
        let units = state.units().await.map_err(internal)?;
        if !crate::domain::units::subtree(&units, root).contains(&user.unit_id) {
            return Err(AppError::new(ErrorCode::Forbidden, t().err_not_audience));
        }
    }
    let pool = state.question_pool().await.map_err(internal)?;
    let items = draw(&pool, &round)?;
    let req = StartRequest { attempt_id: Uuid::new_v4(), round_id, user_id: user.id, unit_id: user.unit_id, now, items };
    let out = state.store.start_attempt(&req).await.map_err(store_err)?;
    // a new attempt is exactly what was drawn, nothing chosen yet: no need to read it back
    let choices = if out.resumed {
        None
    } else {
        state.metrics.attempts_started.increment(1);
        state.graded(round_id);
        Some(
            req.items
                .iter()
                .enumerate()
                .map(|(i, it)| crate::store::ChoiceRecord {
                    position: i as i64 + 1,
                    version_id: it.version_id,
                    option_order: it.option_order.clone(),
                    chosen_option_id: None,
                })
                .collect(),
        )
    };
    view_of(state, out.attempt, Some(round), choices).await
}

async fn own_attempt(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<crate::store::AttemptRecord> {
    match state.store.attempt(id).await.map_err(internal)? {
        Some(a) if a.user_id == user.id => Ok(a),
        _ => Err(AppError::not_found(t().err_attempt_not_found)),
    }
}

/// The attempt as its participant sees it; finalised first if its deadline has passed.
pub async fn attempt_view(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<AttemptView> {
    let a = own_attempt(state, user, id).await?;
    view_of(state, a, None, None).await
}

/// The view of an attempt the caller owns, as just read or written; `choices`
/// when already known, else read.
async fn view_of(
    state: &AppState,
    mut a: crate::store::AttemptRecord,
    round: Option<RoundRecord>,
    choices: Option<Vec<crate::store::ChoiceRecord>>,
) -> AppResult<AttemptView> {
    let now = state.now();
    if a.status == crate::domain::AttemptStatus::InProgress && now > a.deadline_at + crate::domain::GRACE_MS {
        if let Some(done) = state.store.finalise_attempt(a.id, now, false, None).await.map_err(store_err)? {
            state.graded(done.round_id);
            a = done;
        } else {
            a = state.store.attempt(a.id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_attempt_not_found))?;
        }
    }
    let round = match round {
        Some(r) => r,
        None => state.round(a.round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?,
    };
    let choices = match choices {
        Some(c) => c,
        None => state.store.attempt_choices(a.id).await.map_err(internal)?,
    };
    let items = state.items(&choices).await.map_err(internal)?;
    let result = if a.status.is_final() { Some(result_of(state, &a, &round).await?) } else { None };
    Ok(AttemptView {
        id: a.id,
        round_id: a.round_id,
        round_title: round.title.clone(),
        contest_title: round.contest_title.clone(),
        seq: a.seq,
        status: a.status,
        started_at: a.started_at,
        deadline_at: a.deadline_at,
        server_now: state.now(),
        prediction_prompt: round.prediction_prompt.clone(),
        items: items
            .into_iter()
            .map(|it| ItemView {
                question_id: it.version_id,
                position: it.position,
                stem: it.stem,
                options: it.options.into_iter().map(|(id, text)| OptionView { id, text }).collect(),
                chosen_option_id: it.chosen_option_id,
            })
            .collect(),
        result,
    })
}

/// Score, time and current rank of a graded attempt; the review only once the round is closed.
async fn result_of(state: &AppState, a: &crate::store::AttemptRecord, round: &RoundRecord) -> AppResult<AttemptResult> {
    let p = state.store.participation(a.round_id, a.user_id).await.map_err(internal)?;
    let (rank, ranked) = match p.as_ref().and_then(|p| Some((p.best_score?, p.best_time_ms?, p.best_finished_at?))) {
        Some((s, t, f)) => {
            let (better, total) = state.store.rank_of(a.round_id, s, p.as_ref().and_then(|p| p.distance), t, f).await.map_err(internal)?;
            (Some(better + 1), total)
        }
        None => (None, 0),
    };
    let closed = round.rules().status(state.now()) == RoundStatus::Closed;
    let review = if closed {
        Some(
            state
                .store
                .review_items(a.id)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|r| ReviewItem {
                    question_id: r.version_id,
                    correct_option_id: r.correct_option_id,
                    chosen_option_id: r.chosen_option_id,
                    explanation: r.explanation,
                    source: r.source,
                    passage: r.passage,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(AttemptResult {
        score: a.score.unwrap_or(0),
        max_score: a.max_score,
        time_used_ms: a.time_used_ms.unwrap_or(0),
        finished_at: a.finished_at.unwrap_or(a.deadline_at),
        prediction: p.and_then(|p| p.prediction),
        rank,
        ranked,
        round_closes_at: round.closes_at,
        review,
    })
}

pub async fn save_answer(
    state: &AppState,
    user: &UserRecord,
    attempt_id: Uuid,
    question_id: Uuid,
    option_id: Uuid,
) -> AppResult<AnswerAck> {
    let now = state.now();
    state.store.save_answer(attempt_id, user.id, question_id, option_id, now).await.map_err(store_err)?;
    Ok(AnswerAck { question_id, option_id, saved_at: now, server_now: state.now() })
}

pub const MAX_PREDICTION: i64 = 10_000_000;

/// Submits an attempt: graded exactly once, however many times it is sent.
pub async fn submit(state: &AppState, user: &UserRecord, attempt_id: Uuid, prediction: Option<i64>) -> AppResult<AttemptView> {
    if prediction.is_some_and(|p| !(0..=MAX_PREDICTION).contains(&p)) {
        return Err(AppError::validation(t().err_prediction));
    }
    let a = own_attempt(state, user, attempt_id).await?;
    if a.status != crate::domain::AttemptStatus::InProgress {
        return view_of(state, a, None, None).await;
    }
    match state.store.finalise_attempt(attempt_id, state.now(), true, prediction).await.map_err(store_err)? {
        Some(done) => {
            state.metrics.submissions.increment(1);
            state.graded(done.round_id);
            view_of(state, done, None, None).await
        }
        // graded meanwhile (a second submit, the deadline): as it stands now
        None => attempt_view(state, user, attempt_id).await,
    }
}

/// Saves the answers sent with a submission (each within the deadline's grace, or
/// refused with the reason), then submits. A refused answer never stops the submission.
pub async fn submit_with_answers(
    state: &AppState,
    user: &UserRecord,
    attempt_id: Uuid,
    prediction: Option<i64>,
    answers: Vec<(Uuid, Uuid)>,
) -> AppResult<crate::model::SubmitOutcome> {
    let mut refused = Vec::new();
    for (question_id, option_id) in answers.into_iter().take(super::payload::MAX_SUBMITTED_ANSWERS) {
        if let Err(e) = save_answer(state, user, attempt_id, question_id, option_id).await {
            if e.code == crate::error::ErrorCode::Internal {
                return Err(e);
            }
            refused.push(crate::model::RefusedAnswer { question_id, option_id, message: e.message });
        }
    }
    let view = submit(state, user, attempt_id, prediction).await?;
    Ok(crate::model::SubmitOutcome { view, refused })
}

pub async fn my_attempts(state: &AppState, user: &UserRecord) -> AppResult<Vec<MyAttempt>> {
    let rounds = state.store.list_rounds().await.map_err(internal)?;
    let attempts = state.store.user_attempts(user.id).await.map_err(internal)?;
    Ok(attempts
        .into_iter()
        .map(|a| MyAttempt {
            id: a.id,
            round_id: a.round_id,
            round_title: rounds.iter().find(|r| r.id == a.round_id).map(|r| r.title.clone()).unwrap_or_default(),
            seq: a.seq,
            status: a.status,
            started_at: a.started_at,
            deadline_at: a.deadline_at,
            score: a.score,
            max_score: a.max_score,
            time_used_ms: a.time_used_ms,
        })
        .collect())
}

/// The participant's own row of a round's ranking (rank in the whole round), if ranked.
pub async fn user_entry(state: &AppState, round: &RoundRecord, user: &UserRecord) -> AppResult<Option<LeaderboardEntry>> {
    let Some(p) = state.store.participation(round.id, user.id).await.map_err(internal)? else { return Ok(None) };
    let (Some(score), Some(time), Some(finished)) = (p.best_score, p.best_time_ms, p.best_finished_at) else { return Ok(None) };
    let (better, _) = state.store.rank_of(round.id, score, p.distance, time, finished).await.map_err(internal)?;
    let unit_name = state.units().await.map_err(internal)?.iter().find(|u| u.id == p.unit_id).map(|u| u.name.clone()).unwrap_or_default();
    Ok(Some(LeaderboardEntry {
        rank: better + 1,
        full_name: user.full_name.clone(),
        phone_masked: crate::domain::phone::mask(&user.phone),
        unit_name,
        score,
        max_score: round.question_count,
        time_used_ms: time,
        submitted_at: finished,
        prize: None,
        is_me: true,
    }))
}

/// Finalises attempts whose deadline has passed; returns how many it closed.
pub async fn finalise_overdue(state: &AppState) -> AppResult<usize> {
    let ids = state.store.overdue_attempts(state.now(), 500).await.map_err(internal)?;
    let mut n = 0;
    for id in ids {
        if let Some(done) = state.store.finalise_attempt(id, state.now(), false, None).await.map_err(internal)? {
            state.metrics.finalised_by_server.increment(1);
            state.graded(done.round_id);
            n += 1;
        }
    }
    Ok(n)
}

/// Organizers and administrators only.
pub fn require_organizer(user: &UserRecord) -> AppResult<()> {
    match Role::parse(&user.role) {
        Role::Admin | Role::Organizer => Ok(()),
        Role::Participant | Role::Viewer => Err(AppError::forbidden()),
    }
}

/// A private contest's rounds (leaderboards, results, statistics) are seen only by
/// its audience and by organizers and viewers whose scope covers it; public ones by all.
/// Returns the round.
pub async fn check_round_visible(state: &AppState, user: Option<&UserRecord>, round_id: Uuid) -> AppResult<RoundRecord> {
    let round = state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    if let Some(contest) = state.store.contest(round.contest_id).await.map_err(internal)? {
        check_contest_visible(state, user, &contest).await.map_err(|_| AppError::not_found(t().err_round_not_found))?;
    }
    Ok(round)
}

/// `check_contest_visible` for a contest known by its id (404 when there is none).
pub async fn check_contest_id_visible(state: &AppState, user: Option<&UserRecord>, contest_id: Uuid) -> AppResult<()> {
    let contest = state.store.contest(contest_id).await.map_err(internal)?;
    let contest = contest.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    check_contest_visible(state, user, &contest).await
}

/// A private contest (its rankings and statistics) is seen only by its audience and
/// by organizers and viewers whose scope covers it; a public one by all.
pub async fn check_contest_visible(state: &AppState, user: Option<&UserRecord>, contest: &crate::store::ContestRecord) -> AppResult<()> {
    if contest.visibility == "public" {
        return Ok(());
    }
    let hidden = || AppError::not_found(t().err_contest_not_found);
    let user = user.ok_or_else(hidden)?;
    let units = state.units().await.map_err(internal)?;
    let in_audience = contest.audience_unit_id.is_none_or(|root| crate::domain::units::subtree(&units, root).contains(&user.unit_id));
    let in_scope = match Role::parse(&user.role) {
        Role::Participant => false,
        _ => super::admin::scope_of(state, user).await?.covers(contest.audience_unit_id),
    };
    if in_audience || in_scope {
        Ok(())
    } else {
        Err(hidden())
    }
}
