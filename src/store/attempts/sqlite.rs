//! SQLite's hot path: a start, an answer or a grading is one request to the
//! writer thread (`sqlite_writer.rs`), which runs it with cached statements and
//! commits whatever queued meanwhile in one transaction. The rules come from the
//! pure functions in `domain::attempt`, the same as PostgreSQL's (`grading.rs`);
//! the store contract tests run both databases.
use super::HotPath;
use crate::domain::attempt::{self, Outcome};
use crate::domain::{AttemptStatus, CountingRule, Millis};
use crate::store::rows::{new_attempt, ATTEMPT_COLUMNS, PARTICIPATION_COLUMNS};
use crate::store::sql::Sql;
use crate::store::types::*;
use crate::store::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, Row};
use sqlx::Sqlite;
use std::sync::LazyLock;
use uuid::Uuid;

#[async_trait::async_trait]
impl HotPath for Sql<Sqlite> {
    async fn start_attempt(&self, req: &StartRequest) -> StoreResult<StartOutcome> {
        let req = req.clone();
        self.hot.run(move |c| start(c, &req)).await
    }

    async fn save_answer(&self, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()> {
        self.hot.run(move |c| answer(c, attempt_id, user_id, version_id, option_id, now)).await
    }

    async fn finalise_attempt(
        &self,
        attempt_id: Uuid,
        now: Millis,
        by_participant: bool,
        prediction: Option<i64>,
    ) -> StoreResult<Option<AttemptRecord>> {
        self.hot.run(move |c| finalise(c, attempt_id, now, by_participant, prediction)).await
    }
}

fn attempt_row(r: &Row) -> rusqlite::Result<AttemptRecord> {
    Ok(AttemptRecord {
        id: r.get(0)?,
        round_id: r.get(1)?,
        user_id: r.get(2)?,
        seq: r.get(3)?,
        status: {
            let s: String = r.get(4)?;
            AttemptStatus::parse(&s).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, format!("attempt status {s:?}").into())
            })?
        },
        started_at: r.get(5)?,
        deadline_at: r.get(6)?,
        finished_at: r.get(7)?,
        score: r.get(8)?,
        max_score: r.get(9)?,
        time_used_ms: r.get(10)?,
        prediction: r.get(11)?,
    })
}

fn participation_row(r: &Row) -> rusqlite::Result<ParticipationRecord> {
    Ok(ParticipationRecord {
        round_id: r.get(0)?,
        user_id: r.get(1)?,
        unit_id: r.get(2)?,
        attempts_started: r.get(3)?,
        active_attempt_id: r.get(4)?,
        best_attempt_id: r.get(5)?,
        best_score: r.get(6)?,
        best_time_ms: r.get(7)?,
        best_finished_at: r.get(8)?,
        prediction: r.get(9)?,
        distance: r.get(10)?,
    })
}

/// Statements built from the shared column lists, once.
static ATTEMPT_BY_ID: LazyLock<String> = LazyLock::new(|| format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = ?1"));
static PARTICIPATION_BY_KEY: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = ?1 AND user_id = ?2"));

fn fetch_attempt(c: &Connection, id: Uuid) -> StoreResult<Option<AttemptRecord>> {
    Ok(c.prepare_cached(&ATTEMPT_BY_ID)?.query_row(params![id], attempt_row).optional()?)
}

fn participation(c: &Connection, round_id: Uuid, user_id: Uuid) -> StoreResult<ParticipationRecord> {
    Ok(c.prepare_cached(&PARTICIPATION_BY_KEY)?.query_row(params![round_id, user_id], participation_row)?)
}

fn start(c: &Connection, req: &StartRequest) -> StoreResult<StartOutcome> {
    let (max_attempts, duration_ms, closes_at, min_gap_ms, contest_id): (i64, i64, i64, i64, Uuid) = c
        .prepare_cached("SELECT max_attempts, duration_ms, closes_at, min_gap_ms, contest_id FROM rounds WHERE id = ?1")?
        .query_row(params![req.round_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    c.prepare_cached(
        "INSERT INTO participations (round_id, user_id, unit_id) VALUES (?1, ?2, ?3) ON CONFLICT (round_id, user_id) DO NOTHING",
    )?
    .execute(params![req.round_id, req.user_id, req.unit_id])?;
    let p = participation(c, req.round_id, req.user_id)?;
    if let Some(active) = p.active_attempt_id {
        let a = fetch_attempt(c, active)?.ok_or(StoreError::NotFound)?;
        if a.status == AttemptStatus::InProgress && req.now < a.deadline_at {
            return Ok(StartOutcome { attempt_id: active, resumed: true, attempt: a });
        }
        finalise(c, active, req.now, false, None)?;
    }
    if p.attempts_started >= max_attempts {
        return Err(StoreError::AttemptsExhausted);
    }
    if min_gap_ms > 0 {
        let last: Option<i64> = c
            .prepare_cached("SELECT MAX(finished_at) FROM attempts WHERE round_id = ?1 AND user_id = ?2")?
            .query_row(params![req.round_id, req.user_id], |r| r.get(0))?;
        if let Some(last) = last.filter(|l| req.now < l + min_gap_ms) {
            return Err(StoreError::TooSoon(last + min_gap_ms - req.now));
        }
    }
    let deadline = attempt::deadline(req.now, duration_ms, closes_at);
    c.prepare_cached(
        "INSERT INTO attempts (id, round_id, user_id, seq, status, started_at, deadline_at, max_score) \
         VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, ?6, ?7)",
    )?
    .execute(params![req.attempt_id, req.round_id, req.user_id, p.attempts_started + 1, req.now, deadline, req.items.len() as i64])?;
    {
        let mut item =
            c.prepare_cached("INSERT INTO attempt_items (attempt_id, position, version_id, option_order) VALUES (?1, ?2, ?3, ?4)")?;
        for (i, it) in req.items.iter().enumerate() {
            let order = it.option_order.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
            item.execute(params![req.attempt_id, i as i64 + 1, it.version_id, order])?;
        }
    }
    c.prepare_cached(
        "UPDATE participations SET attempts_started = attempts_started + 1, active_attempt_id = ?3 WHERE round_id = ?1 AND user_id = ?2",
    )?
    .execute(params![req.round_id, req.user_id, req.attempt_id])?;
    count_start(c, &p, contest_id, req.now)?;
    Ok(StartOutcome { attempt_id: req.attempt_id, resumed: false, attempt: new_attempt(req, p.attempts_started + 1, deadline) })
}

/// Counts a started attempt in the aggregates, as `count_start` in `grading.rs`.
fn count_start(c: &Connection, p: &ParticipationRecord, contest_id: Uuid, now: Millis) -> StoreResult<()> {
    let new_participant = i64::from(p.attempts_started == 0);
    c.prepare_cached(
        "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts) VALUES (?1, ?2, ?3, 1) \
         ON CONFLICT (round_id, unit_id) DO UPDATE SET participants = participants + excluded.participants, attempts = attempts + 1",
    )?
    .execute(params![p.round_id, p.unit_id, new_participant])?;
    c.prepare_cached(
        "INSERT INTO unit_daily (round_id, unit_id, day, attempts, new_participants) VALUES (?1, ?2, ?3, 1, ?4) \
         ON CONFLICT (round_id, unit_id, day) DO UPDATE SET attempts = attempts + 1, new_participants = new_participants + excluded.new_participants",
    )?
    .execute(params![p.round_id, p.unit_id, crate::domain::time::hanoi_day(now), new_participant])?;
    // A participant joining after some prediction rounds were settled misses their predictions.
    let created = c
        .prepare_cached(
            "INSERT INTO contest_entries (contest_id, user_id, unit_id, distance) \
             SELECT ?1, ?2, ?3, ?4 * COUNT(*) FROM round_settlements s JOIN rounds r ON r.id = s.round_id WHERE r.contest_id = ?1 \
             ON CONFLICT (contest_id, user_id) DO NOTHING",
        )?
        .execute(params![contest_id, p.user_id, p.unit_id, crate::domain::ranking::MISSING_PREDICTION])?;
    let entry_unit: Uuid = c
        .prepare_cached("UPDATE contest_entries SET attempts = attempts + 1 WHERE contest_id = ?1 AND user_id = ?2 RETURNING unit_id")?
        .query_row(params![contest_id, p.user_id], |r| r.get(0))?;
    c.prepare_cached(
        "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts) VALUES (?1, ?2, ?3, 1) \
         ON CONFLICT (contest_id, unit_id) DO UPDATE SET participants = participants + excluded.participants, attempts = attempts + 1",
    )?
    .execute(params![contest_id, entry_unit, i64::from(created == 1)])?;
    Ok(())
}

fn answer(c: &Connection, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()> {
    let (status, deadline, owner): (String, i64, Uuid) = c
        .prepare_cached("SELECT status, deadline_at, user_id FROM attempts WHERE id = ?1")?
        .query_row(params![attempt_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if owner != user_id {
        return Err(StoreError::NotFound);
    }
    let status = AttemptStatus::parse(&status).ok_or_else(|| StoreError::BadRow(format!("attempt status {status:?}")))?;
    match attempt::check_answer(status, deadline, now) {
        Err(attempt::AttemptError::Finished) => return Err(StoreError::AttemptFinished),
        Err(attempt::AttemptError::DeadlinePassed) => return Err(StoreError::DeadlinePassed),
        Ok(()) => {}
    }
    let updated = c
        .prepare_cached(
            "UPDATE attempt_items SET chosen_option_id = ?3, answered_at = ?4 WHERE attempt_id = ?1 AND version_id = ?2 \
             AND EXISTS (SELECT 1 FROM question_options o WHERE o.id = ?3 AND o.version_id = ?2)",
        )?
        .execute(params![attempt_id, version_id, option_id, now])?;
    if updated == 0 {
        let in_attempt: Option<i64> = c
            .prepare_cached("SELECT position FROM attempt_items WHERE attempt_id = ?1 AND version_id = ?2")?
            .query_row(params![attempt_id, version_id], |r| r.get(0))
            .optional()?;
        return Err(if in_attempt.is_none() { StoreError::QuestionNotInAttempt } else { StoreError::OptionNotInQuestion });
    }
    Ok(())
}

/// Grades and closes an attempt, as `finalise_in` in `grading.rs`; `None` if already final.
fn finalise(
    c: &Connection,
    attempt_id: Uuid,
    now: Millis,
    by_participant: bool,
    prediction: Option<i64>,
) -> StoreResult<Option<AttemptRecord>> {
    let a = fetch_attempt(c, attempt_id)?.ok_or(StoreError::NotFound)?;
    let Ok(status) = attempt::finalise(a.status, a.deadline_at, now, by_participant) else { return Ok(None) };
    let p = participation(c, a.round_id, a.user_id)?;
    let score = {
        let mut st = c.prepare_cached(
            "SELECT ai.chosen_option_id, o.id FROM attempt_items ai \
             JOIN question_options o ON o.version_id = ai.version_id AND o.is_correct WHERE ai.attempt_id = ?1",
        )?;
        let answers = st.query_map(params![attempt_id], |r| Ok((r.get::<_, Option<Uuid>>(0)?, r.get::<_, Uuid>(1)?)))?;
        attempt::score(answers.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let finished_at = now.min(a.deadline_at);
    let time_used = attempt::time_used(a.started_at, finished_at, a.deadline_at);
    let prediction = if status == AttemptStatus::Submitted { prediction } else { None };
    c.prepare_cached("UPDATE attempts SET status = ?2, finished_at = ?3, score = ?4, time_used_ms = ?5, prediction = ?6 WHERE id = ?1")?
        .execute(params![attempt_id, status.as_str(), finished_at, score, time_used, prediction])?;

    let (counting, max_score, contest_id): (String, i64, Uuid) = c
        .prepare_cached("SELECT counting, question_count, contest_id FROM rounds WHERE id = ?1")?
        .query_row(params![a.round_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let new = Outcome { score, time_used_ms: time_used, finished_at };
    let old = match (p.best_score, p.best_time_ms, p.best_finished_at) {
        (Some(score), Some(time_used_ms), Some(finished_at)) => Some(Outcome { score, time_used_ms, finished_at }),
        _ => None,
    };
    let replaces = attempt::replaces(
        CountingRule::parse(&counting).ok_or_else(|| StoreError::BadRow(format!("counting rule {counting:?}")))?,
        &new,
        old.as_ref(),
    );
    // The prediction is fixed by the participant's first submitted attempt.
    let first_submission = status == AttemptStatus::Submitted
        && c.prepare_cached("SELECT COUNT(*) FROM attempts WHERE round_id = ?1 AND user_id = ?2 AND status = 'submitted' AND id <> ?3")?
            .query_row(params![a.round_id, a.user_id, attempt_id], |r| r.get::<_, i64>(0))?
            == 0;
    c.prepare_cached(
        "UPDATE participations SET \
           active_attempt_id = CASE WHEN active_attempt_id = ?3 THEN NULL ELSE active_attempt_id END, \
           best_attempt_id = CASE WHEN ?4 THEN ?3 ELSE best_attempt_id END, \
           best_score = CASE WHEN ?4 THEN ?5 ELSE best_score END, \
           best_time_ms = CASE WHEN ?4 THEN ?6 ELSE best_time_ms END, \
           best_finished_at = CASE WHEN ?4 THEN ?7 ELSE best_finished_at END, \
           prediction = CASE WHEN ?8 THEN ?9 ELSE prediction END \
         WHERE round_id = ?1 AND user_id = ?2",
    )?
    .execute(params![a.round_id, a.user_id, attempt_id, replaces, score, time_used, finished_at, first_submission, prediction])?;
    if replaces {
        count_result(c, &p, contest_id, max_score, old.as_ref(), &new)?;
    }
    if replaces || first_submission {
        // a settled prediction ranking no longer holds: the next read settles again
        c.prepare_cached("DELETE FROM round_settlements WHERE round_id = ?1")?.execute(params![a.round_id])?;
    }
    Ok(Some(AttemptRecord { status, finished_at: Some(finished_at), score: Some(score), time_used_ms: Some(time_used), prediction, ..a }))
}

/// Moves a participant's counted result from `old` to `new` in every aggregate, as
/// `count_result` in `grading.rs`.
fn count_result(
    c: &Connection,
    p: &ParticipationRecord,
    contest_id: Uuid,
    max_score: i64,
    old: Option<&Outcome>,
    new: &Outcome,
) -> StoreResult<()> {
    let graded = i64::from(old.is_none());
    let score_delta = new.score - old.map(|o| o.score).unwrap_or(0);
    let time_delta = new.time_used_ms - old.map(|o| o.time_used_ms).unwrap_or(0);
    let perfect_delta = i64::from(new.score == max_score) - old.map(|o| i64::from(o.score == max_score)).unwrap_or(0);
    c.prepare_cached(
        "UPDATE unit_round_stats SET graded = graded + ?3, score_sum = score_sum + ?4, perfect = perfect + ?5 WHERE round_id = ?1 AND unit_id = ?2",
    )?
    .execute(params![p.round_id, p.unit_id, graded, score_delta, perfect_delta])?;
    // the entry's values before this change come back with the old row's image
    let (entry_unit, rounds, total): (Uuid, i64, i64) = c
        .prepare_cached(
            "UPDATE contest_entries SET rounds = rounds + ?3, score = score + ?4, time_used_ms = time_used_ms + ?5, \
               last_finished_at = MAX(last_finished_at, ?6), perfect = perfect + ?7 \
             WHERE contest_id = ?1 AND user_id = ?2 RETURNING unit_id, rounds - ?3, score - ?4",
        )?
        .query_row(params![contest_id, p.user_id, graded, score_delta, time_delta, new.finished_at, perfect_delta], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    c.prepare_cached(
        "UPDATE unit_contest_stats SET graded = graded + ?3, score_sum = score_sum + ?4, perfect = perfect + ?5 WHERE contest_id = ?1 AND unit_id = ?2",
    )?
    .execute(params![contest_id, entry_unit, i64::from(rounds == 0), score_delta, perfect_delta])?;
    let mut round_moves = vec![(new.score, 1)];
    if let Some(o) = old {
        round_moves.push((o.score, -1));
    }
    bump_hist(c, p.round_id, round_moves)?;
    let mut contest_moves = vec![(total + score_delta, 1)];
    if rounds > 0 {
        contest_moves.push((total, -1));
    }
    bump_hist(c, contest_id, contest_moves)?;
    Ok(())
}

fn bump_hist(c: &Connection, scope: Uuid, mut moves: Vec<(i64, i64)>) -> StoreResult<()> {
    moves.sort();
    if moves.len() == 2 && moves[0].0 == moves[1].0 {
        return Ok(()); // -1 and +1 on the same bucket
    }
    let mut st = c.prepare_cached(
        "INSERT INTO score_hist (scope_id, score, n) VALUES (?1, ?2, ?3) ON CONFLICT (scope_id, score) DO UPDATE SET n = n + excluded.n",
    )?;
    for (score, delta) in moves {
        st.execute(params![scope, score, delta])?;
    }
    Ok(())
}
