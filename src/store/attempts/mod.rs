//! Attempts: the hot path (start, answer, grade), which each backend has once
//! (`sqlite.rs` on SQLite's writer thread, `postgres.rs` through sqlx), and what
//! is read about attempts, written once for both.
pub(crate) mod grading;
mod postgres;
mod sqlite;

use super::rows::*;
use super::sql::{list, Col, Dialect, Sql};
use super::types::*;
use super::StoreResult;
use crate::domain::Millis;
use uuid::Uuid;

/// The writes a round's opening minute is made of.
#[async_trait::async_trait]
pub trait HotPath: Send + Sync {
    /// Starts an attempt, or returns the one in progress. Atomic: the attempts
    /// limit holds under any concurrency. An attempt left open past its deadline
    /// is finalised first.
    async fn start_attempt(&self, req: &StartRequest) -> StoreResult<StartOutcome>;
    /// Saves (or changes) one answer; refused once the attempt is finished or past its deadline's grace.
    async fn save_answer(&self, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()>;
    /// Grades and closes an attempt exactly once. Returns `None` when it was already final.
    async fn finalise_attempt(
        &self,
        attempt_id: Uuid,
        now: Millis,
        by_participant: bool,
        prediction: Option<i64>,
    ) -> StoreResult<Option<AttemptRecord>>;
}

#[async_trait::async_trait]
pub trait Attempts: Send + Sync {
    async fn attempt(&self, id: Uuid) -> StoreResult<Option<AttemptRecord>>;
    /// The questions of an attempt as served: stems and options in shown order, and the choices.
    async fn attempt_items(&self, id: Uuid) -> StoreResult<Vec<ItemRecord>>;
    /// The questions of an attempt without their text: versions, shown order, choices.
    async fn attempt_choices(&self, id: Uuid) -> StoreResult<Vec<ChoiceRecord>>;
    /// The texts of question versions (which never change once written).
    async fn version_texts(&self, ids: &[Uuid]) -> StoreResult<Vec<VersionText>>;
    /// In-progress attempts whose deadline and grace have passed.
    async fn overdue_attempts(&self, now: Millis, limit: i64) -> StoreResult<Vec<Uuid>>;
    async fn review_items(&self, attempt_id: Uuid) -> StoreResult<Vec<ReviewRecord>>;
    async fn user_attempts(&self, user_id: Uuid) -> StoreResult<Vec<AttemptRecord>>;
    async fn user_participations(&self, user_id: Uuid) -> StoreResult<Vec<ParticipationRecord>>;
    async fn participation(&self, round_id: Uuid, user_id: Uuid) -> StoreResult<Option<ParticipationRecord>>;
    /// Attempts in progress (for the metrics).
    async fn count_active_attempts(&self) -> StoreResult<i64>;
    /// Attempts started in a round, by everybody.
    async fn round_attempt_count(&self, round_id: Uuid) -> StoreResult<i64>;
}

#[async_trait::async_trait]
impl<D: Dialect> Attempts for Sql<D>
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
    async fn attempt(&self, id: Uuid) -> StoreResult<Option<AttemptRecord>> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = $1");
        let row: Option<AttemptRow> = sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?;
        convert_opt(row)
    }

    async fn attempt_items(&self, id: Uuid) -> StoreResult<Vec<ItemRecord>> {
        let choices = self.attempt_choices(id).await?;
        let ids: Vec<Uuid> = choices.iter().map(|c| c.version_id).collect();
        let texts: std::collections::HashMap<Uuid, VersionText> =
            self.version_texts(&ids).await?.into_iter().map(|v| (v.version_id, v)).collect();
        Ok(choices.iter().filter_map(|c| texts.get(&c.version_id).map(|v| v.item(c))).collect())
    }

    async fn attempt_choices(&self, id: Uuid) -> StoreResult<Vec<ChoiceRecord>> {
        let rows: Vec<(i64, Uuid, String, Option<Uuid>)> = sqlx::query_as(
            "SELECT position, version_id, option_order, chosen_option_id FROM attempt_items WHERE attempt_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(position, version_id, order, chosen_option_id)| {
                Ok(ChoiceRecord { position, version_id, option_order: parse_order(&order)?, chosen_option_id })
            })
            .collect()
    }

    async fn version_texts(&self, ids: &[Uuid]) -> StoreResult<Vec<VersionText>> {
        let mut out: Vec<VersionText> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT v.id, v.stem, o.id, o.text FROM question_versions v JOIN question_options o ON o.version_id = v.id \
                 WHERE v.id IN ({}) ORDER BY v.id, o.position",
                list(1, chunk.len())
            );
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            let rows: Vec<(Uuid, String, Uuid, String)> = q.fetch_all(self.reader()).await?;
            for (vid, stem, oid, text) in rows {
                match out.last_mut() {
                    Some(v) if v.version_id == vid => v.options.push((oid, text)),
                    _ => out.push(VersionText { version_id: vid, stem, options: vec![(oid, text)] }),
                }
            }
        }
        Ok(out)
    }

    async fn overdue_attempts(&self, now: Millis, limit: i64) -> StoreResult<Vec<Uuid>> {
        Ok(sqlx::query_scalar("SELECT id FROM attempts WHERE status = 'in_progress' AND deadline_at < $1 ORDER BY deadline_at LIMIT $2")
            .bind(now - crate::domain::GRACE_MS)
            .bind(limit)
            .fetch_all(self.reader())
            .await?)
    }

    async fn review_items(&self, attempt_id: Uuid) -> StoreResult<Vec<ReviewRecord>> {
        Ok(sqlx::query_as(
            "SELECT ai.position, ai.version_id, o.id AS correct_option_id, ai.chosen_option_id, v.explanation, v.source, v.passage \
             FROM attempt_items ai JOIN question_versions v ON v.id = ai.version_id \
             JOIN question_options o ON o.version_id = ai.version_id AND o.is_correct \
             WHERE ai.attempt_id = $1 ORDER BY ai.position",
        )
        .bind(attempt_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn user_attempts(&self, user_id: Uuid) -> StoreResult<Vec<AttemptRecord>> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE user_id = $1 ORDER BY started_at DESC");
        let rows: Vec<AttemptRow> = sqlx::query_as(&sql).bind(user_id).fetch_all(self.reader()).await?;
        convert(rows)
    }

    async fn user_participations(&self, user_id: Uuid) -> StoreResult<Vec<ParticipationRecord>> {
        let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE user_id = $1");
        Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(self.reader()).await?)
    }

    async fn participation(&self, round_id: Uuid, user_id: Uuid) -> StoreResult<Option<ParticipationRecord>> {
        let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2");
        Ok(sqlx::query_as(&sql).bind(round_id).bind(user_id).fetch_optional(self.reader()).await?)
    }

    async fn count_active_attempts(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM attempts WHERE status = 'in_progress'")
            .fetch_one(self.reader())
            .await?)
    }

    async fn round_attempt_count(&self, round_id: Uuid) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT CAST(COALESCE(SUM(attempts_started), 0) AS BIGINT) FROM participations WHERE round_id = $1")
            .bind(round_id)
            .fetch_one(self.reader())
            .await?)
    }
}
