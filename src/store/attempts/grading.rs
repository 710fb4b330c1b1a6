//! Grading inside a write transaction through sqlx, and counting a start or a
//! result in the aggregates: PostgreSQL's hot path, and the counting of a live
//! session into a round on both databases. (SQLite's hot path does the same on its
//! writer thread, `sqlite.rs`, from the same rules in `domain::attempt`.)
use crate::domain::{AttemptStatus, CountingRule, Millis};
use crate::store::rows::*;
use crate::store::sql::{Affected, Col, Dialect};
use crate::store::types::*;
use crate::store::{StoreError, StoreResult};
use uuid::Uuid;

/// Grading and counting inside one write transaction.
pub(crate) struct Grader<'t, D: Dialect>(pub(crate) &'t mut sqlx::Transaction<'static, D>);

impl<D: Dialect> Grader<'_, D>
where
    for<'c> &'c mut D::Connection: sqlx::Executor<'c, Database = D>,
    for<'a> &'a str: sqlx::Encode<'a, D> + sqlx::Type<D> + sqlx::ColumnIndex<D::Row>,
    usize: sqlx::ColumnIndex<D::Row>,
    for<'q> D::Arguments<'q>: sqlx::IntoArguments<'q, D>,
    for<'a> Option<&'a str>: sqlx::Encode<'a, D> + sqlx::Type<D>,
    Uuid: Col<D>,
    Option<Uuid>: Col<D>,
    i64: Col<D>,
    Option<i64>: Col<D>,
    String: Col<D>,
    Option<String>: Col<D>,
    bool: Col<D>,
{
    pub(crate) async fn fetch_attempt(&mut self, id: Uuid) -> StoreResult<Option<AttemptRecord>> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = $1{}", D::LOCK);
        convert_opt(sqlx::query_as::<_, AttemptRow>(&sql).bind(id).fetch_optional(&mut **self.0).await?)
    }

    /// Grades and closes an attempt inside a write transaction; `None` if already final.
    pub(crate) async fn finalise(
        &mut self,
        attempt_id: Uuid,
        now: Millis,
        by_participant: bool,
        prediction: Option<i64>,
    ) -> StoreResult<Option<AttemptRecord>> {
        use crate::domain::attempt;
        // Lock order everywhere: the participation row, then the attempt row.
        let owner: Option<(Uuid, Uuid)> =
            sqlx::query_as("SELECT round_id, user_id FROM attempts WHERE id = $1").bind(attempt_id).fetch_optional(&mut **self.0).await?;
        let Some((round_id, user_id)) = owner else { return Err(StoreError::NotFound) };
        let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2{}", D::LOCK);
        let p: ParticipationRecord = sqlx::query_as(&sql).bind(round_id).bind(user_id).fetch_one(&mut **self.0).await?;
        let Some(a) = self.fetch_attempt(attempt_id).await? else { return Err(StoreError::NotFound) };
        let Ok(status) = attempt::finalise(a.status, a.deadline_at, now, by_participant) else { return Ok(None) };
        let answers: Vec<(Option<Uuid>, Uuid)> = sqlx::query_as(
            "SELECT ai.chosen_option_id, o.id FROM attempt_items ai \
             JOIN question_options o ON o.version_id = ai.version_id AND o.is_correct \
             WHERE ai.attempt_id = $1",
        )
        .bind(attempt_id)
        .fetch_all(&mut **self.0)
        .await?;
        let score = attempt::score(answers);
        let finished_at = now.min(a.deadline_at);
        let time_used = attempt::time_used(a.started_at, finished_at, a.deadline_at);
        let prediction = if status == AttemptStatus::Submitted { prediction } else { None };
        sqlx::query("UPDATE attempts SET status = $2, finished_at = $3, score = $4, time_used_ms = $5, prediction = $6 WHERE id = $1")
            .bind(attempt_id)
            .bind(status.as_str())
            .bind(finished_at)
            .bind(score)
            .bind(time_used)
            .bind(prediction)
            .execute(&mut **self.0)
            .await?;

        // The counted result and the prediction of the participant in this round.
        let (counting, max_score, contest_id): (String, i64, Uuid) =
            sqlx::query_as("SELECT counting, question_count, contest_id FROM rounds WHERE id = $1")
                .bind(a.round_id)
                .fetch_one(&mut **self.0)
                .await?;
        let new = attempt::Outcome { score, time_used_ms: time_used, finished_at };
        let old = match (p.best_score, p.best_time_ms, p.best_finished_at) {
            (Some(score), Some(time_used_ms), Some(finished_at)) => Some(attempt::Outcome { score, time_used_ms, finished_at }),
            _ => None,
        };
        let replaces = attempt::replaces(
            CountingRule::parse(&counting).ok_or_else(|| StoreError::BadRow(format!("counting rule {counting:?}")))?,
            &new,
            old.as_ref(),
        );
        // The prediction is fixed by the participant's first submitted attempt.
        let first_submission: bool = status == AttemptStatus::Submitted
            && sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM attempts WHERE round_id = $1 AND user_id = $2 AND status = 'submitted' AND id <> $3",
            )
            .bind(a.round_id)
            .bind(a.user_id)
            .bind(attempt_id)
            .fetch_one(&mut **self.0)
            .await?
                == 0;
        sqlx::query(
            "UPDATE participations SET \
               active_attempt_id = CASE WHEN active_attempt_id = $3 THEN NULL ELSE active_attempt_id END, \
               best_attempt_id = CASE WHEN $4 THEN $3 ELSE best_attempt_id END, \
               best_score = CASE WHEN $4 THEN $5 ELSE best_score END, \
               best_time_ms = CASE WHEN $4 THEN $6 ELSE best_time_ms END, \
               best_finished_at = CASE WHEN $4 THEN $7 ELSE best_finished_at END, \
               prediction = CASE WHEN $8 THEN $9 ELSE prediction END \
             WHERE round_id = $1 AND user_id = $2",
        )
        .bind(a.round_id)
        .bind(a.user_id)
        .bind(attempt_id)
        .bind(replaces)
        .bind(score)
        .bind(time_used)
        .bind(finished_at)
        .bind(first_submission)
        .bind(prediction)
        .execute(&mut **self.0)
        .await?;
        if replaces {
            self.count_result(&p, contest_id, max_score, old.as_ref(), &new).await?;
        }
        if replaces || first_submission {
            // a settled prediction ranking no longer holds: the next read settles again
            sqlx::query("DELETE FROM round_settlements WHERE round_id = $1").bind(a.round_id).execute(&mut **self.0).await?;
        }
        Ok(Some(AttemptRecord {
            status,
            finished_at: Some(finished_at),
            score: Some(score),
            time_used_ms: Some(time_used),
            prediction,
            ..a
        }))
    }

    /// Moves a participant's counted result from `old` to `new` in every aggregate:
    /// the unit's round and contest statistics, the contest entry and the score
    /// distributions. Rows are locked in one order everywhere (unit round row,
    /// contest entry, unit contest row, distribution rows by score) so that
    /// concurrent gradings cannot deadlock.
    async fn count_result(
        &mut self,
        p: &ParticipationRecord,
        contest_id: Uuid,
        max_score: i64,
        old: Option<&crate::domain::attempt::Outcome>,
        new: &crate::domain::attempt::Outcome,
    ) -> StoreResult<()> {
        let graded = i64::from(old.is_none());
        let score_delta = new.score - old.map(|o| o.score).unwrap_or(0);
        let time_delta = new.time_used_ms - old.map(|o| o.time_used_ms).unwrap_or(0);
        let perfect_delta = i64::from(new.score == max_score) - old.map(|o| i64::from(o.score == max_score)).unwrap_or(0);
        sqlx::query(
            "UPDATE unit_round_stats SET graded = graded + $3, score_sum = score_sum + $4, perfect = perfect + $5 \
             WHERE round_id = $1 AND unit_id = $2",
        )
        .bind(p.round_id)
        .bind(p.unit_id)
        .bind(graded)
        .bind(score_delta)
        .bind(perfect_delta)
        .execute(&mut **self.0)
        .await?;
        let sql = format!("SELECT unit_id, rounds, score FROM contest_entries WHERE contest_id = $1 AND user_id = $2{}", D::LOCK);
        let (entry_unit, rounds, total): (Uuid, i64, i64) =
            sqlx::query_as(&sql).bind(contest_id).bind(p.user_id).fetch_one(&mut **self.0).await?;
        sqlx::query(
            "UPDATE contest_entries SET rounds = rounds + $3, score = score + $4, time_used_ms = time_used_ms + $5, \
               last_finished_at = CASE WHEN last_finished_at > $6 THEN last_finished_at ELSE $6 END, perfect = perfect + $7 \
             WHERE contest_id = $1 AND user_id = $2",
        )
        .bind(contest_id)
        .bind(p.user_id)
        .bind(graded)
        .bind(score_delta)
        .bind(time_delta)
        .bind(new.finished_at)
        .bind(perfect_delta)
        .execute(&mut **self.0)
        .await?;
        sqlx::query(
            "UPDATE unit_contest_stats SET graded = graded + $3, score_sum = score_sum + $4, perfect = perfect + $5 \
             WHERE contest_id = $1 AND unit_id = $2",
        )
        .bind(contest_id)
        .bind(entry_unit)
        .bind(i64::from(rounds == 0))
        .bind(score_delta)
        .bind(perfect_delta)
        .execute(&mut **self.0)
        .await?;
        let mut round_moves = vec![(new.score, 1)];
        if let Some(o) = old {
            round_moves.push((o.score, -1));
        }
        self.bump_hist(p.round_id, round_moves).await?;
        let mut contest_moves = vec![(total + score_delta, 1)];
        if rounds > 0 {
            contest_moves.push((total, -1));
        }
        self.bump_hist(contest_id, contest_moves).await?;
        Ok(())
    }

    /// Adds `delta` to the distribution's bucket of each score, lowest score first.
    async fn bump_hist(&mut self, scope: Uuid, mut moves: Vec<(i64, i64)>) -> StoreResult<()> {
        moves.sort();
        if moves.len() == 2 && moves[0].0 == moves[1].0 {
            return Ok(()); // -1 and +1 on the same bucket
        }
        for (score, delta) in moves {
            sqlx::query(
                "INSERT INTO score_hist (scope_id, score, n) VALUES ($1, $2, $3) \
                 ON CONFLICT (scope_id, score) DO UPDATE SET n = score_hist.n + excluded.n",
            )
            .bind(scope)
            .bind(score)
            .bind(delta)
            .execute(&mut **self.0)
            .await?;
        }
        Ok(())
    }

    /// Counts a started attempt in the aggregates (the unit's round, day and
    /// contest rows; the contest entry, created at the participant's first start).
    pub(crate) async fn count_start(&mut self, p: &ParticipationRecord, contest_id: Uuid, now: Millis) -> StoreResult<()> {
        let new_participant = i64::from(p.attempts_started == 0);
        sqlx::query(
            "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (round_id, unit_id) DO UPDATE SET participants = unit_round_stats.participants + excluded.participants, \
               attempts = unit_round_stats.attempts + 1",
        )
        .bind(p.round_id)
        .bind(p.unit_id)
        .bind(new_participant)
        .execute(&mut **self.0)
        .await?;
        sqlx::query(
            "INSERT INTO unit_daily (round_id, unit_id, day, attempts, new_participants) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (round_id, unit_id, day) DO UPDATE SET attempts = unit_daily.attempts + 1, \
               new_participants = unit_daily.new_participants + excluded.new_participants",
        )
        .bind(p.round_id)
        .bind(p.unit_id)
        .bind(crate::domain::time::hanoi_day(now))
        .bind(new_participant)
        .execute(&mut **self.0)
        .await?;
        // A participant joining after some prediction rounds were settled misses their predictions.
        let created = sqlx::query(
            "INSERT INTO contest_entries (contest_id, user_id, unit_id, distance) \
             SELECT $1, $2, $3, $4 * CAST(COUNT(*) AS BIGINT) FROM round_settlements s JOIN rounds r ON r.id = s.round_id \
             WHERE r.contest_id = $1 \
             ON CONFLICT (contest_id, user_id) DO NOTHING",
        )
        .bind(contest_id)
        .bind(p.user_id)
        .bind(p.unit_id)
        .bind(crate::domain::ranking::MISSING_PREDICTION)
        .execute(&mut **self.0)
        .await?
        .rows_affected();
        let sql = format!("SELECT unit_id FROM contest_entries WHERE contest_id = $1 AND user_id = $2{}", D::LOCK);
        let entry_unit: Uuid = sqlx::query_scalar(&sql).bind(contest_id).bind(p.user_id).fetch_one(&mut **self.0).await?;
        sqlx::query("UPDATE contest_entries SET attempts = attempts + 1 WHERE contest_id = $1 AND user_id = $2")
            .bind(contest_id)
            .bind(p.user_id)
            .execute(&mut **self.0)
            .await?;
        sqlx::query(
            "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (contest_id, unit_id) DO UPDATE SET participants = unit_contest_stats.participants + excluded.participants, \
               attempts = unit_contest_stats.attempts + 1",
        )
        .bind(contest_id)
        .bind(entry_unit)
        .bind(i64::from(created == 1))
        .execute(&mut **self.0)
        .await?;
        Ok(())
    }
}
