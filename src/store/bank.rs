//! The question bank: topics, questions and their versions, imports; practice.
use super::rows::*;
use super::sql::{values, Affected, Col, Dialect, Sql};
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::question::QuestionDraft;
use crate::domain::Millis;
use uuid::Uuid;

#[async_trait::async_trait]
pub trait Bank: Send + Sync {
    async fn upsert_topic(&self, topic: &Topic) -> StoreResult<()>;
    async fn list_topics(&self) -> StoreResult<Vec<Topic>>;
    /// Stores a validated question as version 1 and returns its id.
    async fn insert_question(&self, draft: &QuestionDraft, now: Millis) -> StoreResult<Uuid>;
    async fn count_questions(&self) -> StoreResult<i64>;
    /// The current versions of active questions, with their option counts: what rounds draw from.
    async fn question_pool(&self) -> StoreResult<Vec<PoolEntry>>;
    /// The bank: every question with its current version.
    async fn list_bank(&self) -> StoreResult<Vec<BankQuestion>>;
    async fn bank_question(&self, id: Uuid) -> StoreResult<Option<BankQuestion>>;
    /// One version as served, with its correct option (for grading practice).
    async fn question_version(&self, version_id: Uuid) -> StoreResult<Option<VersionRecord>>;
    /// Edits a question: a new version becomes current; earlier versions stay as served.
    async fn save_version(&self, question_id: Uuid, draft: &QuestionDraft, status: &str, now: Millis) -> StoreResult<Uuid>;
    async fn set_question_status(&self, question_id: Uuid, status: &str, now: Millis) -> StoreResult<()>;
    /// Applies a whole import in one transaction (all of it or nothing); returns the created questions' ids.
    async fn import_bank(&self, ops: &[ImportOp], now: Millis) -> StoreResult<Vec<Uuid>>;
    async fn stage_import(&self, id: Uuid, user_id: Uuid, file_name: &str, payload: &str, now: Millis) -> StoreResult<()>;
    /// The staged import of this user (removed as it is taken).
    async fn take_staged_import(&self, id: Uuid, user_id: Uuid) -> StoreResult<Option<(String, String)>>;
    async fn record_practice(&self, user_id: Uuid, version_id: Uuid, topic: &str, correct: bool, now: Millis) -> StoreResult<()>;
    async fn practice_summary(&self, user_id: Uuid) -> StoreResult<Vec<PracticeStat>>;
}

#[async_trait::async_trait]
impl<D: Dialect> Bank for Sql<D>
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
    async fn upsert_topic(&self, t: &Topic) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO topics (slug, name, description, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, position = excluded.position",
        )
        .bind(&t.slug)
        .bind(&t.name)
        .bind(&t.description)
        .bind(t.position)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn list_topics(&self) -> StoreResult<Vec<Topic>> {
        Ok(sqlx::query_as("SELECT slug, name, description, position FROM topics ORDER BY position, slug").fetch_all(self.reader()).await?)
    }

    async fn insert_question(&self, d: &QuestionDraft, now: Millis) -> StoreResult<Uuid> {
        let op = ImportOp::Create { draft: d.clone(), status: "active".into() };
        Ok(self.import_bank(std::slice::from_ref(&op), now).await?[0])
    }

    async fn count_questions(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM questions").fetch_one(self.reader()).await?)
    }

    async fn question_pool(&self) -> StoreResult<Vec<PoolEntry>> {
        Ok(sqlx::query_as(
            "SELECT v.id AS version_id, q.topic, v.difficulty, CAST(COUNT(o.id) AS BIGINT) AS option_count, q.grp AS \"group\" \
             FROM questions q JOIN question_versions v ON v.id = q.current_version_id \
             JOIN question_options o ON o.version_id = v.id \
             WHERE q.status = 'active' GROUP BY v.id, q.topic, v.difficulty, q.grp ORDER BY v.id",
        )
        .fetch_all(self.reader())
        .await?)
    }

    async fn list_bank(&self) -> StoreResult<Vec<BankQuestion>> {
        let rows: Vec<BankRowDb> = sqlx::query_as(&format!("{BANK_SELECT} ORDER BY q.key, q.created_at")).fetch_all(self.reader()).await?;
        let options: Vec<BankOptionRow> = sqlx::query_as(
            "SELECT o.version_id, o.position, o.text, o.is_correct FROM question_options o \
             JOIN questions q ON q.current_version_id = o.version_id",
        )
        .fetch_all(self.reader())
        .await?;
        Ok(assemble_bank(rows, options))
    }

    async fn bank_question(&self, id: Uuid) -> StoreResult<Option<BankQuestion>> {
        let rows: Vec<BankRowDb> = sqlx::query_as(&format!("{BANK_SELECT} WHERE q.id = $1")).bind(id).fetch_all(self.reader()).await?;
        let options: Vec<BankOptionRow> = sqlx::query_as(
            "SELECT o.version_id, o.position, o.text, o.is_correct FROM question_options o \
             JOIN questions q ON q.current_version_id = o.version_id WHERE q.id = $1",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        Ok(assemble_bank(rows, options).pop())
    }

    async fn question_version(&self, version_id: Uuid) -> StoreResult<Option<VersionRecord>> {
        let row: Option<(Uuid, String, String, String, String, String)> = sqlx::query_as(
            "SELECT v.question_id, q.topic, v.stem, v.explanation, v.source, v.passage \
             FROM question_versions v JOIN questions q ON q.id = v.question_id WHERE v.id = $1",
        )
        .bind(version_id)
        .fetch_optional(self.reader())
        .await?;
        let Some((question_id, topic, stem, explanation, source, passage)) = row else { return Ok(None) };
        let options: Vec<(Uuid, String, bool)> =
            sqlx::query_as("SELECT id, text, is_correct FROM question_options WHERE version_id = $1 ORDER BY position")
                .bind(version_id)
                .fetch_all(self.reader())
                .await?;
        Ok(Some(VersionRecord { version_id, question_id, topic, stem, explanation, source, passage, options }))
    }

    async fn save_version(&self, question_id: Uuid, draft: &QuestionDraft, status: &str, now: Millis) -> StoreResult<Uuid> {
        let op = ImportOp::Update { question_id, draft: Some(draft.clone()), status: status.to_string() };
        self.import_bank(std::slice::from_ref(&op), now).await?;
        let current: Option<Uuid> = sqlx::query_scalar("SELECT current_version_id FROM questions WHERE id = $1")
            .bind(question_id)
            .fetch_optional(self.writer())
            .await?;
        current.ok_or(StoreError::NotFound)
    }

    async fn set_question_status(&self, question_id: Uuid, status: &str, now: Millis) -> StoreResult<()> {
        let n = sqlx::query("UPDATE questions SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(question_id)
            .bind(status)
            .bind(now)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn import_bank(&self, ops: &[ImportOp], now: Millis) -> StoreResult<Vec<Uuid>> {
        let mut tx = self.begin_write().await?;
        let mut creates: Vec<(Uuid, Uuid, &QuestionDraft, &str)> = Vec::new();
        let mut versions: Vec<(Uuid, Uuid, i64, &QuestionDraft)> = Vec::new();
        let mut status_only: Vec<(Uuid, &str)> = Vec::new();
        for op in ops {
            match op {
                ImportOp::Create { draft, status } => {
                    let (qid, vid) = (Uuid::new_v4(), Uuid::new_v4());
                    creates.push((qid, vid, draft, status));
                    versions.push((vid, qid, 1, draft));
                }
                ImportOp::Update { question_id, draft: Some(draft), status } => {
                    let last: Option<i64> =
                        sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM question_versions WHERE question_id = $1")
                            .bind(question_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    let Some(last) = last else { return Err(StoreError::NotFound) };
                    let vid = Uuid::new_v4();
                    versions.push((vid, *question_id, last + 1, draft));
                    sqlx::query(
                        "UPDATE questions SET current_version_id = $2, topic = $3, status = $4, updated_at = $5, grp = $6 WHERE id = $1",
                    )
                    .bind(question_id)
                    .bind(vid)
                    .bind(&draft.topic)
                    .bind(status)
                    .bind(now)
                    .bind(draft.group.trim())
                    .execute(&mut *tx)
                    .await?;
                }
                ImportOp::Update { question_id, draft: None, status } => status_only.push((*question_id, status)),
            }
        }
        for chunk in creates.chunks(500) {
            let sql = format!(
                "INSERT INTO questions (id, key, topic, status, current_version_id, created_at, updated_at, grp) VALUES {}",
                values(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for (qid, vid, d, status) in chunk {
                q = q.bind(*qid).bind(&d.key).bind(&d.topic).bind(status.to_string()).bind(*vid).bind(now).bind(now).bind(d.group.trim());
            }
            if let Err(e) = q.execute(&mut *tx).await {
                return Err(if is_unique_violation(&e) { StoreError::Conflict("question key") } else { e.into() });
            }
        }
        // the versions and their options, in batches
        for chunk in versions.chunks(500) {
            let sql = format!(
                "INSERT INTO question_versions (id, question_id, version, stem, explanation, source, passage, difficulty, created_at) VALUES {}",
                values(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for (vid, qid, version, d) in chunk {
                q = q.bind(*vid).bind(*qid).bind(*version).bind(d.stem.trim()).bind(d.explanation.trim()).bind(d.source.trim());
                q = q.bind(d.passage.trim()).bind(d.difficulty).bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        let options: Vec<(Uuid, i64, String, bool)> = versions
            .iter()
            .flat_map(|(vid, _, _, d)| {
                d.options.iter().enumerate().map(move |(i, t)| (*vid, i as i64, t.trim().to_string(), i == d.correct))
            })
            .collect();
        for chunk in options.chunks(1_000) {
            let sql =
                format!("INSERT INTO question_options (id, version_id, position, text, is_correct) VALUES {}", values(chunk.len(), 5));
            let mut q = sqlx::query(&sql);
            for (vid, pos, text, correct) in chunk {
                q = q.bind(Uuid::new_v4()).bind(*vid).bind(*pos).bind(text).bind(*correct);
            }
            q.execute(&mut *tx).await?;
        }
        for (qid, status) in status_only {
            sqlx::query("UPDATE questions SET status = $2, updated_at = $3 WHERE id = $1")
                .bind(qid)
                .bind(status)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(creates.iter().map(|c| c.0).collect())
    }

    async fn stage_import(&self, id: Uuid, user_id: Uuid, file_name: &str, payload: &str, now: Millis) -> StoreResult<()> {
        // staged files older than a day are dropped on the way
        sqlx::query("DELETE FROM staged_imports WHERE created_at < $1").bind(now - 86_400_000).execute(self.writer()).await?;
        sqlx::query("INSERT INTO staged_imports (id, user_id, file_name, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(user_id)
            .bind(file_name)
            .bind(payload)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn take_staged_import(&self, id: Uuid, user_id: Uuid) -> StoreResult<Option<(String, String)>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String, String)> = sqlx::query_as("SELECT file_name, payload FROM staged_imports WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM staged_imports WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn record_practice(&self, user_id: Uuid, version_id: Uuid, topic: &str, correct: bool, now: Millis) -> StoreResult<()> {
        sqlx::query("INSERT INTO practice_answers (user_id, version_id, topic, correct, answered_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id)
            .bind(version_id)
            .bind(topic)
            .bind(correct)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn practice_summary(&self, user_id: Uuid) -> StoreResult<Vec<PracticeStat>> {
        Ok(sqlx::query_as(
            "SELECT topic, CAST(COUNT(*) AS BIGINT) AS answered, \
               CAST(SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS BIGINT) AS correct \
             FROM practice_answers WHERE user_id = $1 GROUP BY topic ORDER BY topic",
        )
        .bind(user_id)
        .fetch_all(self.reader())
        .await?)
    }
}
