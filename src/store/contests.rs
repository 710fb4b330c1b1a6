//! Contests and their rounds: windows, deadlines of attempts in progress, published results.
use super::rows::*;
use super::sql::{Affected, Col, Dialect, Sql};
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::Millis;
use uuid::Uuid;

#[async_trait::async_trait]
pub trait Contests: Send + Sync {
    /// Creates or updates a contest.
    async fn save_contest(&self, contest: &ContestRecord) -> StoreResult<()>;
    async fn list_contests(&self) -> StoreResult<Vec<ContestRecord>>;
    /// Every participation in every round of a contest, with the participant and unit.
    async fn contest(&self, id: Uuid) -> StoreResult<Option<ContestRecord>>;
    /// Creates or updates a round.
    async fn save_round(&self, round: &RoundRecord) -> StoreResult<()>;
    async fn set_round_window(&self, round_id: Uuid, opens_at: Millis, closes_at: Millis) -> StoreResult<()>;
    async fn list_rounds(&self) -> StoreResult<Vec<RoundRecord>>;
    async fn get_round(&self, id: Uuid) -> StoreResult<Option<RoundRecord>>;
    /// After a round's window or duration changed: every attempt in progress gets
    /// deadline = min(its start + duration, the round's close) again.
    async fn recut_deadlines(&self, round_id: Uuid) -> StoreResult<u64>;
    /// Freezes a round's results: the snapshot is written once and never changes.
    async fn publish_round(&self, round_id: Uuid, snapshot: &str, by: Uuid, now: Millis) -> StoreResult<()>;
    async fn published_results(&self, round_id: Uuid) -> StoreResult<Option<(Millis, String)>>;
}

#[async_trait::async_trait]
impl<D: Dialect> Contests for Sql<D>
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
    async fn save_contest(&self, c: &ContestRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contests (id, title, description, rules, created_at, audience_unit_id, visibility, prizes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, rules = excluded.rules, \
               audience_unit_id = excluded.audience_unit_id, visibility = excluded.visibility, prizes = excluded.prizes",
        )
        .bind(c.id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.rules)
        .bind(c.created_at)
        .bind(c.audience_unit_id)
        .bind(&c.visibility)
        .bind(serde_json::to_string(&c.prizes).unwrap_or_else(|_| "{}".into()))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn list_contests(&self) -> StoreResult<Vec<ContestRecord>> {
        let rows: Vec<ContestRow> = sqlx::query_as(&format!("{CONTEST_SELECT} ORDER BY created_at DESC")).fetch_all(self.reader()).await?;
        convert(rows)
    }

    async fn contest(&self, id: Uuid) -> StoreResult<Option<ContestRecord>> {
        let row: Option<ContestRow> =
            sqlx::query_as(&format!("{CONTEST_SELECT} WHERE id = $1")).bind(id).fetch_optional(self.reader()).await?;
        convert_opt(row)
    }

    async fn save_round(&self, r: &RoundRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rounds (id, contest_id, title, position, opens_at, closes_at, question_count, duration_ms, \
               max_attempts, counting, prediction_prompt, created_at, min_gap_ms, shuffle_options, prediction_kind, draw_rules, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, position = excluded.position, opens_at = excluded.opens_at, \
               closes_at = excluded.closes_at, question_count = excluded.question_count, duration_ms = excluded.duration_ms, \
               max_attempts = excluded.max_attempts, counting = excluded.counting, prediction_prompt = excluded.prediction_prompt, \
               min_gap_ms = excluded.min_gap_ms, shuffle_options = excluded.shuffle_options, \
               prediction_kind = excluded.prediction_kind, draw_rules = excluded.draw_rules, published_at = excluded.published_at",
        )
        .bind(r.id)
        .bind(r.contest_id)
        .bind(&r.title)
        .bind(r.position)
        .bind(r.opens_at)
        .bind(r.closes_at)
        .bind(r.question_count)
        .bind(r.duration_ms)
        .bind(r.max_attempts)
        .bind(r.counting.as_str())
        .bind(&r.prediction_prompt)
        .bind(r.created_at)
        .bind(r.options.min_gap_ms)
        .bind(r.options.shuffle_options)
        .bind(&r.options.prediction_kind)
        .bind(serde_json::to_string(&r.options.draw_rules).unwrap_or_else(|_| "{}".into()))
        .bind(r.published_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn set_round_window(&self, round_id: Uuid, opens_at: Millis, closes_at: Millis) -> StoreResult<()> {
        sqlx::query("UPDATE rounds SET opens_at = $2, closes_at = $3 WHERE id = $1")
            .bind(round_id)
            .bind(opens_at)
            .bind(closes_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn list_rounds(&self) -> StoreResult<Vec<RoundRecord>> {
        let sql = format!("{ROUND_SELECT} ORDER BY r.opens_at, r.position");
        let rows: Vec<RoundRow> = sqlx::query_as(&sql).fetch_all(self.reader()).await?;
        convert(rows)
    }

    async fn get_round(&self, id: Uuid) -> StoreResult<Option<RoundRecord>> {
        let sql = format!("{ROUND_SELECT} WHERE r.id = $1");
        let row: Option<RoundRow> = sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?;
        convert_opt(row)
    }

    async fn recut_deadlines(&self, round_id: Uuid) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE attempts SET deadline_at = \
               (SELECT CASE WHEN attempts.started_at + r.duration_ms < r.closes_at THEN attempts.started_at + r.duration_ms ELSE r.closes_at END \
                FROM rounds r WHERE r.id = attempts.round_id) \
             WHERE round_id = $1 AND status = 'in_progress'",
        )
        .bind(round_id)
        .execute(self.writer())
        .await?
        .rows_affected())
    }

    async fn publish_round(&self, round_id: Uuid, snapshot: &str, by: Uuid, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("INSERT INTO published_results (round_id, published_at, published_by, snapshot) VALUES ($1, $2, $3, $4)")
            .bind(round_id)
            .bind(now)
            .bind(by)
            .bind(snapshot)
            .execute(&mut *tx)
            .await;
        if let Err(e) = r {
            return Err(if is_unique_violation(&e) { StoreError::Conflict("published") } else { e.into() });
        }
        sqlx::query("UPDATE rounds SET published_at = $2 WHERE id = $1").bind(round_id).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn published_results(&self, round_id: Uuid) -> StoreResult<Option<(Millis, String)>> {
        Ok(sqlx::query_as("SELECT published_at, snapshot FROM published_results WHERE round_id = $1")
            .bind(round_id)
            .fetch_optional(self.reader())
            .await?)
    }
}
