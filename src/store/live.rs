//! Storage of live in-person sessions (see `domain::live`), for both databases.
//! The session row holds the host's last decision and a version that grows with
//! every change; answers are checked against it inside their write transaction.
use super::attempts::grading;
use super::rows::*;
use super::sql::{values, Affected, Col, Dialect, Sql};
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::live::Stored;
use crate::domain::Millis;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LiveSessionRecord {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub host_id: Uuid,
    pub question_ms: i64,
    pub contest_id: Option<Uuid>,
    pub counted_round_id: Option<Uuid>,
    pub phase: String,
    pub q_index: i64,
    pub phase_at: i64,
    pub version: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub created_at: i64,
}

impl LiveSessionRecord {
    pub fn stored(&self) -> Stored {
        Stored::from_columns(&self.phase, self.q_index, self.phase_at)
    }
}

pub(crate) const SESSION_COLUMNS: &str = "id, code, title, host_id, question_ms, contest_id, counted_round_id, phase, q_index, phase_at, \
     version, started_at, ended_at, created_at";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LivePlayerRecord {
    pub id: Uuid,
    pub session_id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: String,
    pub unit_id: Uuid,
    pub joined_at: i64,
    pub points: i64,
    pub correct: i64,
    pub time_ms: i64,
    pub answered: i64,
}

pub(crate) const PLAYER_COLUMNS: &str = "id, session_id, user_id, name, unit_id, joined_at, points, correct, time_ms, answered";

#[derive(Debug, Clone)]
pub struct NewLivePlayer {
    pub id: Uuid,
    pub session_id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: String,
    pub unit_id: Uuid,
    pub token_hash: String,
    pub joined_at: Millis,
}

/// An answer as received.
#[derive(Debug, Clone)]
pub struct LiveAnswerInput {
    pub session_id: Uuid,
    pub player_id: Uuid,
    pub position: i64,
    pub option_id: Uuid,
    pub now: Millis,
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveAnswerOutcome {
    /// Saved; `answered` is how many have answered this question, this one included.
    Saved { answered: i64 },
    /// This participant had already answered this question: the first answer stands.
    Already { answered: i64 },
    /// The question is not running (not started, over, paused, or another one).
    Closed,
    /// The option is not one of this question's.
    BadOption,
}

/// One participant's result written into a contest round: their chosen option
/// per question (by position) and the time they took on the ones they got right.
#[derive(Debug, Clone)]
pub struct LiveCounted {
    pub user_id: Uuid,
    pub unit_id: Uuid,
    pub chosen: Vec<(i64, Uuid)>,
    pub time_ms: Millis,
}

#[async_trait::async_trait]
pub trait LiveStore: Send + Sync {
    /// Creates a session with its questions (version ids in order); `Conflict("code")`
    /// when an open session already has the code.
    async fn create_live(&self, s: &LiveSessionRecord, versions: &[Uuid]) -> StoreResult<()>;
    async fn live_session(&self, id: Uuid) -> StoreResult<Option<LiveSessionRecord>>;
    /// The open session with this code, else the newest ended one.
    async fn live_by_code(&self, code: &str) -> StoreResult<Option<LiveSessionRecord>>;
    /// Newest first.
    async fn list_live(&self, limit: i64) -> StoreResult<Vec<LiveSessionRecord>>;
    /// The session's question versions by position.
    async fn live_versions(&self, id: Uuid) -> StoreResult<Vec<Uuid>>;
    /// Writes the host's decision if the session is still at `version`; returns the
    /// new record, or `None` when another change came first.
    async fn set_live_state(&self, id: Uuid, version: i64, state: Stored, now: Millis) -> StoreResult<Option<LiveSessionRecord>>;
    /// Joins a participant. An account already in the session gets its existing
    /// row back (same points), now reached with the new token.
    async fn join_live(&self, p: &NewLivePlayer) -> StoreResult<LivePlayerRecord>;
    async fn live_player_by_token(&self, token_hash: &str) -> StoreResult<Option<LivePlayerRecord>>;
    async fn live_player_by_user(&self, session_id: Uuid, user_id: Uuid) -> StoreResult<Option<LivePlayerRecord>>;
    /// Saves an answer if its question is running; the first answer stands.
    async fn live_answer(&self, a: &LiveAnswerInput) -> StoreResult<LiveAnswerOutcome>;
    async fn live_players(&self, session_id: Uuid) -> StoreResult<Vec<LivePlayerRecord>>;
    /// (option, how many chose it) for one question.
    async fn live_distribution(&self, session_id: Uuid, position: i64) -> StoreResult<Vec<(Uuid, i64)>>;
    async fn live_answered(&self, session_id: Uuid, position: i64) -> StoreResult<i64>;
    /// Every answer of one participant: (position, option, correct, points).
    async fn live_player_answers(&self, player_id: Uuid) -> StoreResult<Vec<(i64, Uuid, bool, i64)>>;
    /// Every answer of a session: (player, position, option).
    async fn live_all_answers(&self, session_id: Uuid) -> StoreResult<Vec<(Uuid, i64, Uuid)>>;
    /// Writes the results of the accounts into `round_id` (already saved) as graded
    /// attempts on `versions` (version, its options in the order shown), all in one transaction, and marks the
    /// session counted. False when
    /// it was counted before.
    async fn count_live(
        &self,
        session_id: Uuid,
        round_id: Uuid,
        contest_id: Uuid,
        ended_at: Millis,
        results: &[LiveCounted],
        versions: &[(Uuid, Vec<usize>)],
    ) -> StoreResult<bool>;
}

#[async_trait::async_trait]
impl<D: Dialect> LiveStore for Sql<D>
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
    async fn create_live(&self, s: &LiveSessionRecord, versions: &[Uuid]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO live_sessions (id, code, title, host_id, question_ms, contest_id, phase, q_index, phase_at, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'lobby', -1, 0, 0, $7)",
        )
        .bind(s.id)
        .bind(&s.code)
        .bind(&s.title)
        .bind(s.host_id)
        .bind(s.question_ms)
        .bind(s.contest_id)
        .bind(s.created_at)
        .execute(&mut *tx)
        .await;
        if let Err(sqlx::Error::Database(e)) = &r {
            if e.is_unique_violation() {
                return Err(StoreError::Conflict("code"));
            }
        }
        r?;
        if !versions.is_empty() {
            let sql = format!("INSERT INTO live_questions (session_id, position, version_id) VALUES {}", values(versions.len(), 3));
            let mut q = sqlx::query(&sql);
            for (i, v) in versions.iter().enumerate() {
                q = q.bind(s.id).bind(i as i64).bind(*v);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn live_session(&self, id: Uuid) -> StoreResult<Option<LiveSessionRecord>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM live_sessions WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?)
    }

    async fn live_by_code(&self, code: &str) -> StoreResult<Option<LiveSessionRecord>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM live_sessions WHERE code = $1 \
             ORDER BY CASE WHEN phase = 'ended' THEN 1 ELSE 0 END, created_at DESC LIMIT 1"
        );
        Ok(sqlx::query_as(&sql).bind(code).fetch_optional(self.reader()).await?)
    }

    async fn list_live(&self, limit: i64) -> StoreResult<Vec<LiveSessionRecord>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM live_sessions ORDER BY created_at DESC LIMIT $1");
        Ok(sqlx::query_as(&sql).bind(limit).fetch_all(self.reader()).await?)
    }

    async fn live_versions(&self, id: Uuid) -> StoreResult<Vec<Uuid>> {
        Ok(sqlx::query_scalar("SELECT version_id FROM live_questions WHERE session_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(self.reader())
            .await?)
    }

    async fn set_live_state(
        &self,
        id: Uuid,
        version: i64,
        state: crate::domain::live::Stored,
        now: Millis,
    ) -> StoreResult<Option<LiveSessionRecord>> {
        let (phase, index, at) = state.to_columns();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE live_sessions SET phase = $3, q_index = $4, phase_at = $5, version = version + 1, \
               started_at = CASE WHEN started_at IS NULL AND $3 = 'question' THEN $6 ELSE started_at END, \
               ended_at = CASE WHEN $3 = 'ended' THEN $6 ELSE ended_at END \
             WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(phase)
        .bind(index)
        .bind(at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(None);
        }
        let sql = format!("SELECT {SESSION_COLUMNS} FROM live_sessions WHERE id = $1");
        let rec: LiveSessionRecord = sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(rec))
    }

    async fn join_live(&self, p: &NewLivePlayer) -> StoreResult<LivePlayerRecord> {
        let mut tx = self.begin_write().await?;
        if let Some(user_id) = p.user_id {
            let updated = sqlx::query("UPDATE live_players SET token_hash = $3 WHERE session_id = $1 AND user_id = $2")
                .bind(p.session_id)
                .bind(user_id)
                .bind(&p.token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 1 {
                let sql = format!("SELECT {PLAYER_COLUMNS} FROM live_players WHERE session_id = $1 AND user_id = $2");
                let rec = sqlx::query_as(&sql).bind(p.session_id).bind(user_id).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                return Ok(rec);
            }
        }
        sqlx::query(
            "INSERT INTO live_players (id, session_id, user_id, name, unit_id, token_hash, joined_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.id)
        .bind(p.session_id)
        .bind(p.user_id)
        .bind(&p.name)
        .bind(p.unit_id)
        .bind(&p.token_hash)
        .bind(p.joined_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(LivePlayerRecord {
            id: p.id,
            session_id: p.session_id,
            user_id: p.user_id,
            name: p.name.clone(),
            unit_id: p.unit_id,
            joined_at: p.joined_at,
            points: 0,
            correct: 0,
            time_ms: 0,
            answered: 0,
        })
    }

    async fn live_player_by_token(&self, token_hash: &str) -> StoreResult<Option<LivePlayerRecord>> {
        let sql = format!("SELECT {PLAYER_COLUMNS} FROM live_players WHERE token_hash = $1");
        Ok(sqlx::query_as(&sql).bind(token_hash).fetch_optional(self.reader()).await?)
    }

    async fn live_player_by_user(&self, session_id: Uuid, user_id: Uuid) -> StoreResult<Option<LivePlayerRecord>> {
        let sql = format!("SELECT {PLAYER_COLUMNS} FROM live_players WHERE session_id = $1 AND user_id = $2");
        Ok(sqlx::query_as(&sql).bind(session_id).bind(user_id).fetch_optional(self.reader()).await?)
    }

    async fn live_answer(&self, a: &LiveAnswerInput) -> StoreResult<LiveAnswerOutcome> {
        let mut tx = self.begin_write().await?;
        // the host's changes take this row for update: an answer sees the state they leave
        let sql = format!("SELECT phase, q_index, phase_at, question_ms FROM live_sessions WHERE id = $1{}", D::SHARE);
        let (phase, index, at, question_ms): (String, i64, i64, i64) =
            sqlx::query_as(&sql).bind(a.session_id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
        let correct: Option<bool> = sqlx::query_scalar(
            "SELECT o.is_correct FROM live_questions q JOIN question_options o ON o.version_id = q.version_id \
             WHERE q.session_id = $1 AND q.position = $2 AND o.id = $3",
        )
        .bind(a.session_id)
        .bind(a.position)
        .bind(a.option_id)
        .fetch_optional(&mut *tx)
        .await?;
        let stored = crate::domain::live::Stored::from_columns(&phase, index, at);
        let Ok(points) = stored.answer(a.position, correct.unwrap_or(false), a.now, question_ms) else {
            return Ok(LiveAnswerOutcome::Closed);
        };
        let Some(correct) = correct else { return Ok(LiveAnswerOutcome::BadOption) };
        let elapsed = match stored {
            crate::domain::live::Stored::Question { ends_at, .. } => (question_ms - (ends_at - a.now)).clamp(0, question_ms),
            _ => question_ms,
        };
        let inserted = sqlx::query(
            "INSERT INTO live_answers (session_id, position, player_id, option_id, answered_at, elapsed_ms, correct, points) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, position, player_id) DO NOTHING",
        )
        .bind(a.session_id)
        .bind(a.position)
        .bind(a.player_id)
        .bind(a.option_id)
        .bind(a.now)
        .bind(elapsed)
        .bind(correct)
        .bind(points)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            sqlx::query(
                "UPDATE live_players SET points = points + $2, correct = correct + $3, time_ms = time_ms + $4, answered = answered + 1 \
                 WHERE id = $1",
            )
            .bind(a.player_id)
            .bind(points)
            .bind(i64::from(correct))
            .bind(if correct { elapsed } else { 0 })
            .execute(&mut *tx)
            .await?;
        }
        let answered: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM live_answers WHERE session_id = $1 AND position = $2")
            .bind(a.session_id)
            .bind(a.position)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(if inserted { LiveAnswerOutcome::Saved { answered } } else { LiveAnswerOutcome::Already { answered } })
    }

    async fn live_players(&self, session_id: Uuid) -> StoreResult<Vec<LivePlayerRecord>> {
        let sql = format!("SELECT {PLAYER_COLUMNS} FROM live_players WHERE session_id = $1 ORDER BY points DESC");
        Ok(sqlx::query_as(&sql).bind(session_id).fetch_all(self.reader()).await?)
    }

    async fn live_distribution(&self, session_id: Uuid, position: i64) -> StoreResult<Vec<(Uuid, i64)>> {
        Ok(sqlx::query_as(
            "SELECT option_id, CAST(COUNT(*) AS BIGINT) FROM live_answers WHERE session_id = $1 AND position = $2 GROUP BY option_id",
        )
        .bind(session_id)
        .bind(position)
        .fetch_all(self.reader())
        .await?)
    }

    async fn live_answered(&self, session_id: Uuid, position: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM live_answers WHERE session_id = $1 AND position = $2")
            .bind(session_id)
            .bind(position)
            .fetch_one(self.reader())
            .await?)
    }

    async fn live_player_answers(&self, player_id: Uuid) -> StoreResult<Vec<(i64, Uuid, bool, i64)>> {
        Ok(sqlx::query_as("SELECT position, option_id, correct, points FROM live_answers WHERE player_id = $1 ORDER BY position")
            .bind(player_id)
            .fetch_all(self.reader())
            .await?)
    }

    async fn live_all_answers(&self, session_id: Uuid) -> StoreResult<Vec<(Uuid, i64, Uuid)>> {
        Ok(sqlx::query_as("SELECT player_id, position, option_id FROM live_answers WHERE session_id = $1")
            .bind(session_id)
            .fetch_all(self.reader())
            .await?)
    }

    async fn count_live(
        &self,
        session_id: Uuid,
        round_id: Uuid,
        contest_id: Uuid,
        ended_at: Millis,
        results: &[LiveCounted],
        versions: &[(Uuid, Vec<usize>)],
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT counted_round_id FROM live_sessions WHERE id = $1{}", D::LOCK);
        let counted: Option<Uuid> = sqlx::query_scalar(&sql).bind(session_id).fetch_one(&mut *tx).await?;
        if counted.is_some() {
            return Ok(false);
        }
        for r in results {
            sqlx::query(
                "INSERT INTO participations (round_id, user_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT (round_id, user_id) DO NOTHING",
            )
            .bind(round_id)
            .bind(r.user_id)
            .bind(r.unit_id)
            .execute(&mut *tx)
            .await?;
            let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2{}", D::LOCK);
            let p: ParticipationRecord = sqlx::query_as(&sql).bind(round_id).bind(r.user_id).fetch_one(&mut *tx).await?;
            if p.attempts_started > 0 {
                continue;
            }
            // the attempt spans the time they took on their right answers: that is its time used
            let attempt_id = Uuid::new_v4();
            let started = ended_at - r.time_ms;
            let sql = format!(
                "INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, 1, 'in_progress', $4, $5, NULL, NULL, $6, NULL, NULL)"
            );
            sqlx::query(&sql)
                .bind(attempt_id)
                .bind(round_id)
                .bind(r.user_id)
                .bind(started)
                .bind(ended_at)
                .bind(versions.len() as i64)
                .execute(&mut *tx)
                .await?;
            let sql = format!(
                "INSERT INTO attempt_items (attempt_id, position, version_id, option_order, chosen_option_id, answered_at) VALUES {}",
                values(versions.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for (i, (v, shown)) in versions.iter().enumerate() {
                let order = shown.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(",");
                let chosen = r.chosen.iter().find(|(p, _)| *p == i as i64).map(|(_, o)| *o);
                q = q.bind(attempt_id).bind(i as i64 + 1).bind(*v).bind(order).bind(chosen).bind(chosen.map(|_| ended_at));
            }
            q.execute(&mut *tx).await?;
            sqlx::query("UPDATE participations SET attempts_started = 1, active_attempt_id = $3 WHERE round_id = $1 AND user_id = $2")
                .bind(round_id)
                .bind(r.user_id)
                .bind(attempt_id)
                .execute(&mut *tx)
                .await?;
            grading::Grader(&mut tx).count_start(&p, contest_id, ended_at).await?;
            grading::Grader(&mut tx).finalise(attempt_id, ended_at, true, None).await?;
        }
        sqlx::query("UPDATE live_sessions SET counted_round_id = $2, version = version + 1 WHERE id = $1")
            .bind(session_id)
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
