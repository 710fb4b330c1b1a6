//! PostgreSQL's hot path. Write transactions take row locks (`FOR UPDATE` /
//! `FOR SHARE`) on the participation and attempt rows they change, so concurrent
//! app servers serialise per participant only. Lock order everywhere: the
//! participation row, then the attempt row, then the aggregates (unit round row,
//! contest entry, unit contest row, distribution rows by score).
use super::grading::Grader;
use super::HotPath;
use crate::domain::{AttemptStatus, Millis};
use crate::store::rows::*;
use crate::store::sql::Sql;
use crate::store::types::*;
use crate::store::{StoreError, StoreResult};
use sqlx::Postgres;
use uuid::Uuid;

const LOCK: &str = " FOR UPDATE";
const SHARE: &str = " FOR SHARE";

#[async_trait::async_trait]
impl HotPath for Sql<Postgres> {
    async fn start_attempt(&self, req: &StartRequest) -> StoreResult<StartOutcome> {
        let mut tx = self.begin_write().await?;
        let (max_attempts, duration_ms, closes_at, min_gap_ms, contest_id): (i64, i64, i64, i64, Uuid) =
            sqlx::query_as("SELECT max_attempts, duration_ms, closes_at, min_gap_ms, contest_id FROM rounds WHERE id = $1")
                .bind(req.round_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "INSERT INTO participations (round_id, user_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT (round_id, user_id) DO NOTHING",
        )
        .bind(req.round_id)
        .bind(req.user_id)
        .bind(req.unit_id)
        .execute(&mut *tx)
        .await?;
        let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2{}", LOCK);
        let p: ParticipationRecord = sqlx::query_as(&sql).bind(req.round_id).bind(req.user_id).fetch_one(&mut *tx).await?;
        if let Some(active) = p.active_attempt_id {
            let a = Grader(&mut tx).fetch_attempt(active).await?.ok_or(StoreError::NotFound)?;
            if a.status == AttemptStatus::InProgress && req.now < a.deadline_at {
                tx.commit().await?;
                return Ok(StartOutcome { attempt_id: active, resumed: true, attempt: a });
            }
            Grader(&mut tx).finalise(active, req.now, false, None).await?;
        }
        if p.attempts_started >= max_attempts {
            tx.commit().await?;
            return Err(StoreError::AttemptsExhausted);
        }
        if min_gap_ms > 0 {
            let last: Option<i64> =
                sqlx::query_scalar("SELECT CAST(MAX(finished_at) AS BIGINT) FROM attempts WHERE round_id = $1 AND user_id = $2")
                    .bind(req.round_id)
                    .bind(req.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if let Some(last) = last.filter(|l| req.now < l + min_gap_ms) {
                tx.commit().await?;
                return Err(StoreError::TooSoon(last + min_gap_ms - req.now));
            }
        }
        let deadline = crate::domain::attempt::deadline(req.now, duration_ms, closes_at);
        let sql =
            format!("INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, NULL, NULL, $7, NULL, NULL)");
        sqlx::query(&sql)
            .bind(req.attempt_id)
            .bind(req.round_id)
            .bind(req.user_id)
            .bind(p.attempts_started + 1)
            .bind(req.now)
            .bind(deadline)
            .bind(req.items.len() as i64)
            .execute(&mut *tx)
            .await?;
        if !req.items.is_empty() {
            let mut qb = sqlx::QueryBuilder::<Postgres>::new("INSERT INTO attempt_items (attempt_id, position, version_id, option_order) ");
            qb.push_values(req.items.iter().enumerate(), |mut b, (i, it)| {
                let order = it.option_order.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
                b.push_bind(req.attempt_id).push_bind(i as i64 + 1).push_bind(it.version_id).push_bind(order);
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE participations SET attempts_started = attempts_started + 1, active_attempt_id = $3 WHERE round_id = $1 AND user_id = $2",
        )
        .bind(req.round_id)
        .bind(req.user_id)
        .bind(req.attempt_id)
        .execute(&mut *tx)
        .await?;
        Grader(&mut tx).count_start(&p, contest_id, req.now).await?;
        tx.commit().await?;
        Ok(StartOutcome { attempt_id: req.attempt_id, resumed: false, attempt: new_attempt(req, p.attempts_started + 1, deadline) })
    }

    async fn save_answer(&self, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT status, deadline_at, user_id FROM attempts WHERE id = $1{}", SHARE);
        let (status, deadline, owner): (String, i64, Uuid) =
            sqlx::query_as(&sql).bind(attempt_id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
        if owner != user_id {
            return Err(StoreError::NotFound);
        }
        let status = AttemptStatus::parse(&status).ok_or_else(|| StoreError::BadRow(format!("attempt status {status:?}")))?;
        match crate::domain::attempt::check_answer(status, deadline, now) {
            Err(crate::domain::attempt::AttemptError::Finished) => return Err(StoreError::AttemptFinished),
            Err(crate::domain::attempt::AttemptError::DeadlinePassed) => return Err(StoreError::DeadlinePassed),
            Ok(()) => {}
        }
        let updated = sqlx::query(
            "UPDATE attempt_items SET chosen_option_id = $3, answered_at = $4 \
             WHERE attempt_id = $1 AND version_id = $2 \
               AND EXISTS (SELECT 1 FROM question_options o WHERE o.id = $3 AND o.version_id = $2)",
        )
        .bind(attempt_id)
        .bind(version_id)
        .bind(option_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let in_attempt: Option<i64> =
                sqlx::query_scalar("SELECT position FROM attempt_items WHERE attempt_id = $1 AND version_id = $2")
                    .bind(attempt_id)
                    .bind(version_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(if in_attempt.is_none() { StoreError::QuestionNotInAttempt } else { StoreError::OptionNotInQuestion });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn finalise_attempt(
        &self,
        attempt_id: Uuid,
        now: Millis,
        by_participant: bool,
        prediction: Option<i64>,
    ) -> StoreResult<Option<AttemptRecord>> {
        let mut tx = self.begin_write().await?;
        let r = Grader(&mut tx).finalise(attempt_id, now, by_participant, prediction).await?;
        tx.commit().await?;
        Ok(r)
    }
}
