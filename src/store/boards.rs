//! What boards read: standings, unit aggregates, daily counts, score distributions, settled predictions; and rebuilding the aggregates.
use super::rows::*;
use super::sql::{list, unit_filter, Affected, Col, Dialect, Sql};
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::Millis;
use crate::domain::{AttemptStatus, CountingRule};
use uuid::Uuid;

#[async_trait::async_trait]
pub trait Boards: Send + Sync {
    /// Counted results of a round, best first (score, time, finish).
    /// The round's counted results in ranking order, optionally narrowed to some units.
    async fn round_standings(&self, round_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<StandingRecord>>;
    /// Each unit's own aggregate (members directly in it) for a round or a contest.
    async fn unit_aggs(&self, scope: AggScope) -> StoreResult<Vec<UnitAgg>>;
    /// The contest ranking's rows with a counted result, in order, optionally narrowed to some units.
    async fn contest_board(&self, contest_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<ContestEntryRecord>>;
    /// A participant's rank in the contest ranking and their total, if ranked.
    async fn contest_position(&self, contest_id: Uuid, user_id: Uuid) -> StoreResult<Option<(i64, i64)>>;
    /// Attempts and new participants per day over some rounds, optionally narrowed to some units.
    async fn daily_counts(&self, round_ids: &[Uuid], units: Option<&[Uuid]>) -> StoreResult<Vec<DailyCount>>;
    /// (score, how many) for a round's counted results or a contest's totals.
    async fn score_distribution(&self, scope_id: Uuid) -> StoreResult<Vec<(i64, i64)>>;
    /// The actual value a closed round's predictions were measured against, if settled.
    async fn settlement(&self, round_id: Uuid) -> StoreResult<Option<i64>>;
    /// Writes (or, with `None`, clears) the prediction distances of a round and
    /// the contest entries' sums. Returns false when it was already so.
    async fn settle_round(&self, round_id: Uuid, contest_id: Uuid, actual: Option<i64>) -> StoreResult<bool>;
    /// Participations exist but their aggregates were never built (a database from before the aggregates).
    async fn needs_backfill(&self) -> StoreResult<bool>;
    /// Rebuilds every aggregate from the attempts.
    async fn recompute_aggregates(&self) -> StoreResult<RecomputeReport>;
    /// Every aggregate row as text, sorted (to compare maintained with recomputed).
    async fn aggregate_digest(&self) -> StoreResult<Vec<String>>;
    /// Every answer of the counted attempts of these rounds, for item analysis.
    async fn item_responses(&self, round_ids: &[Uuid]) -> StoreResult<Vec<ItemResponse>>;
    async fn saved_analysis(&self, scope_id: Uuid) -> StoreResult<Option<SavedAnalysis>>;
    /// Keeps an item analysis (replacing an older one of the same scope).
    async fn save_analysis(&self, scope_id: Uuid, a: &SavedAnalysis) -> StoreResult<()>;
    /// How many counted results rank before this one (the prediction's distance
    /// counts once the round is settled), and how many there are.
    async fn rank_of(
        &self,
        round_id: Uuid,
        score: i64,
        distance: Option<i64>,
        time_used_ms: Millis,
        finished_at: Millis,
    ) -> StoreResult<(i64, i64)>;
}

#[async_trait::async_trait]
impl<D: Dialect> Boards for Sql<D>
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
    async fn round_standings(&self, round_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<StandingRecord>> {
        const SELECT: &str = "SELECT p.user_id, u.full_name, u.phone, un.name AS unit_name, p.best_score AS score, \
               p.best_time_ms AS time_used_ms, p.best_finished_at AS finished_at, p.prediction, p.distance \
             FROM participations p JOIN users u ON u.id = p.user_id JOIN units un ON un.id = p.unit_id \
             WHERE p.best_score IS NOT NULL AND p.round_id = $1";
        let sql = format!(
            "{SELECT}{} ORDER BY p.best_score DESC, p.distance, p.best_time_ms, p.best_finished_at LIMIT $2",
            unit_filter("p.unit_id", units, 3)
        );
        let mut q = sqlx::query_as(&sql).bind(round_id).bind(limit);
        for u in units.unwrap_or_default() {
            q = q.bind(*u);
        }
        Ok(q.fetch_all(self.reader()).await?)
    }

    async fn unit_aggs(&self, scope: AggScope) -> StoreResult<Vec<UnitAgg>> {
        let sql = match scope {
            AggScope::Round(_) => {
                "SELECT unit_id, participants, attempts, graded, score_sum, perfect FROM unit_round_stats WHERE round_id = $1"
            }
            AggScope::Contest(_) => {
                "SELECT unit_id, participants, attempts, graded, score_sum, perfect FROM unit_contest_stats WHERE contest_id = $1"
            }
        };
        Ok(sqlx::query_as(sql).bind(scope.id()).fetch_all(self.reader()).await?)
    }

    async fn contest_board(&self, contest_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<ContestEntryRecord>> {
        const SELECT: &str = "SELECT e.user_id, u.full_name, u.phone, un.name AS unit_name, e.rounds, e.score, e.time_used_ms, \
               e.last_finished_at, e.distance \
             FROM contest_entries e JOIN users u ON u.id = e.user_id JOIN units un ON un.id = e.unit_id WHERE e.rounds > 0 AND e.contest_id = $1";
        let sql = format!(
            "{SELECT}{} ORDER BY e.score DESC, e.distance, e.time_used_ms, e.last_finished_at LIMIT $2",
            unit_filter("e.unit_id", units, 3)
        );
        let mut q = sqlx::query_as(&sql).bind(contest_id).bind(limit);
        for u in units.unwrap_or_default() {
            q = q.bind(*u);
        }
        Ok(q.fetch_all(self.reader()).await?)
    }

    async fn contest_position(&self, contest_id: Uuid, user_id: Uuid) -> StoreResult<Option<(i64, i64)>> {
        let me: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT score, distance, time_used_ms, last_finished_at FROM contest_entries WHERE contest_id = $1 AND user_id = $2 AND rounds > 0",
        )
        .bind(contest_id)
        .bind(user_id)
        .fetch_optional(self.reader())
        .await?;
        let Some((score, distance, time, last)) = me else { return Ok(None) };
        let better: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM contest_entries WHERE contest_id = $1 AND rounds > 0 AND (score > $2 \
               OR (score = $2 AND distance < $3) OR (score = $2 AND distance = $3 AND time_used_ms < $4) \
               OR (score = $2 AND distance = $3 AND time_used_ms = $4 AND last_finished_at < $5))",
        )
        .bind(contest_id)
        .bind(score)
        .bind(distance)
        .bind(time)
        .bind(last)
        .fetch_one(self.reader())
        .await?;
        Ok(Some((better + 1, score)))
    }

    async fn daily_counts(&self, round_ids: &[Uuid], units: Option<&[Uuid]>) -> StoreResult<Vec<DailyCount>> {
        if round_ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT day, CAST(SUM(attempts) AS BIGINT) AS attempts, CAST(SUM(new_participants) AS BIGINT) AS new_participants \
             FROM unit_daily WHERE round_id IN ({}){} GROUP BY day ORDER BY day",
            list(1, round_ids.len()),
            unit_filter("unit_id", units, round_ids.len() + 1)
        );
        let mut q = sqlx::query_as(&sql);
        for id in round_ids.iter().chain(units.unwrap_or_default()) {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(self.reader()).await?)
    }

    async fn score_distribution(&self, scope_id: Uuid) -> StoreResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as("SELECT score, n FROM score_hist WHERE scope_id = $1 AND n <> 0 ORDER BY score")
            .bind(scope_id)
            .fetch_all(self.reader())
            .await?)
    }

    async fn settlement(&self, round_id: Uuid) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT actual FROM round_settlements WHERE round_id = $1")
            .bind(round_id)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn settle_round(&self, round_id: Uuid, contest_id: Uuid, actual: Option<i64>) -> StoreResult<bool> {
        use crate::domain::ranking::MISSING_PREDICTION;
        let mut tx = self.begin_write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT actual FROM round_settlements WHERE round_id = $1").bind(round_id).fetch_optional(&mut *tx).await?;
        if current == actual {
            tx.commit().await?;
            return Ok(false);
        }
        match actual {
            Some(a) => {
                sqlx::query(
                    "UPDATE participations SET distance = CASE WHEN prediction IS NULL THEN $3 \
                       WHEN prediction > $2 THEN prediction - $2 ELSE $2 - prediction END WHERE round_id = $1",
                )
                .bind(round_id)
                .bind(a)
                .bind(MISSING_PREDICTION)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO round_settlements (round_id, actual) VALUES ($1, $2) ON CONFLICT (round_id) DO UPDATE SET actual = excluded.actual",
                )
                .bind(round_id)
                .bind(a)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("UPDATE participations SET distance = NULL WHERE round_id = $1").bind(round_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM round_settlements WHERE round_id = $1").bind(round_id).execute(&mut *tx).await?;
            }
        }
        let settled: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM round_settlements s JOIN rounds r ON r.id = s.round_id WHERE r.contest_id = $1",
        )
        .bind(contest_id)
        .fetch_one(&mut *tx)
        .await?;
        // every settled round adds the participant's distance, a missing prediction counting as far
        sqlx::query(
            "UPDATE contest_entries SET distance = $2 * $3 - COALESCE((SELECT SUM($3 - COALESCE(p.distance, $3)) \
               FROM participations p JOIN round_settlements s ON s.round_id = p.round_id JOIN rounds r ON r.id = p.round_id \
               WHERE r.contest_id = $1 AND p.user_id = contest_entries.user_id), 0) \
             WHERE contest_id = $1",
        )
        .bind(contest_id)
        .bind(settled)
        .bind(MISSING_PREDICTION)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn needs_backfill(&self) -> StoreResult<bool> {
        let (parts, stats): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM participations LIMIT 1) x), \
               (SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM unit_round_stats LIMIT 1) y)",
        )
        .fetch_one(self.reader())
        .await?;
        Ok(parts > 0 && stats == 0)
    }

    async fn recompute_aggregates(&self) -> StoreResult<RecomputeReport> {
        let mut tx = self.begin_write().await?;
        let mut report = RecomputeReport::default();
        // 1. each participation's counters and counted result, replayed from its attempts
        let rules: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, counting FROM rounds").fetch_all(&mut *tx).await?;
        let rules: std::collections::HashMap<Uuid, CountingRule> = rules
            .into_iter()
            .map(|(id, c)| Ok((id, CountingRule::parse(&c).ok_or_else(|| StoreError::BadRow(format!("counting rule {c:?}")))?)))
            .collect::<StoreResult<_>>()?;
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY round_id, user_id, seq");
        let attempts: Vec<AttemptRecord> = convert(sqlx::query_as::<_, AttemptRow>(&sql).fetch_all(&mut *tx).await?)?;
        let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations");
        let current: Vec<ParticipationRecord> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
        let mut expected: std::collections::HashMap<(Uuid, Uuid), ParticipationRecord> = current
            .iter()
            .map(|p| {
                let blank = ParticipationRecord {
                    attempts_started: 0,
                    active_attempt_id: None,
                    best_attempt_id: None,
                    best_score: None,
                    best_time_ms: None,
                    best_finished_at: None,
                    prediction: None,
                    ..p.clone()
                };
                ((p.round_id, p.user_id), blank)
            })
            .collect();
        for a in &attempts {
            let Some(e) = expected.get_mut(&(a.round_id, a.user_id)) else { continue };
            e.attempts_started += 1;
            if a.status == AttemptStatus::InProgress {
                e.active_attempt_id = Some(a.id);
                continue;
            }
            let (Some(score), Some(time_used_ms), Some(finished_at)) = (a.score, a.time_used_ms, a.finished_at) else { continue };
            let new = crate::domain::attempt::Outcome { score, time_used_ms, finished_at };
            let old = match (e.best_score, e.best_time_ms, e.best_finished_at) {
                (Some(score), Some(time_used_ms), Some(finished_at)) => {
                    Some(crate::domain::attempt::Outcome { score, time_used_ms, finished_at })
                }
                _ => None,
            };
            let rule = rules.get(&a.round_id).copied().unwrap_or_default();
            if crate::domain::attempt::replaces(rule, &new, old.as_ref()) {
                e.best_attempt_id = Some(a.id);
                e.best_score = Some(score);
                e.best_time_ms = Some(time_used_ms);
                e.best_finished_at = Some(finished_at);
            }
            if a.status == AttemptStatus::Submitted && e.prediction.is_none() {
                e.prediction = a.prediction;
            }
        }
        for p in &current {
            let e = &expected[&(p.round_id, p.user_id)];
            if e != p {
                report.participations_fixed += 1;
                sqlx::query(
                    "UPDATE participations SET attempts_started = $3, active_attempt_id = $4, best_attempt_id = $5, best_score = $6, \
                       best_time_ms = $7, best_finished_at = $8, prediction = $9 WHERE round_id = $1 AND user_id = $2",
                )
                .bind(e.round_id)
                .bind(e.user_id)
                .bind(e.attempts_started)
                .bind(e.active_attempt_id)
                .bind(e.best_attempt_id)
                .bind(e.best_score)
                .bind(e.best_time_ms)
                .bind(e.best_finished_at)
                .bind(e.prediction)
                .execute(&mut *tx)
                .await?;
            }
        }
        // 2. everything else, from the participations (and the attempts, for the days)
        for sql in RECOMPUTE_SQL {
            report.rows_rebuilt += sqlx::query(sql).bind(crate::domain::time::HANOI_OFFSET).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn aggregate_digest(&self) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for (name, sql) in DIGEST_SQL {
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(self.reader()).await?;
            out.extend(rows.into_iter().map(|(r,)| format!("{name}: {r}")));
        }
        out.sort();
        Ok(out)
    }

    async fn item_responses(&self, round_ids: &[Uuid]) -> StoreResult<Vec<ItemResponse>> {
        if round_ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT ai.version_id, a.id AS attempt_id, a.score, o.position AS chosen, ai.answered_at, a.started_at \
             FROM participations p JOIN attempts a ON a.id = p.best_attempt_id \
             JOIN attempt_items ai ON ai.attempt_id = a.id \
             LEFT JOIN question_options o ON o.id = ai.chosen_option_id \
             WHERE a.score IS NOT NULL AND p.round_id IN ({}) ORDER BY a.id, ai.position",
            list(1, round_ids.len())
        );
        let mut q = sqlx::query_as(&sql);
        for id in round_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(self.reader()).await?)
    }

    async fn saved_analysis(&self, scope_id: Uuid) -> StoreResult<Option<SavedAnalysis>> {
        Ok(sqlx::query_as("SELECT rounds, computed_at, body FROM item_analyses WHERE scope_id = $1")
            .bind(scope_id)
            .fetch_optional(self.reader())
            .await?)
    }

    async fn save_analysis(&self, scope_id: Uuid, a: &SavedAnalysis) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO item_analyses (scope_id, rounds, computed_at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope_id) DO UPDATE SET rounds = excluded.rounds, computed_at = excluded.computed_at, body = excluded.body",
        )
        .bind(scope_id)
        .bind(&a.rounds)
        .bind(a.computed_at)
        .bind(&a.body)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn rank_of(
        &self,
        round_id: Uuid,
        score: i64,
        distance: Option<i64>,
        time_used_ms: Millis,
        finished_at: Millis,
    ) -> StoreResult<(i64, i64)> {
        // Higher scores come from the round's score distribution (a row per score);
        // only the participant's own score is scanned, through the board index.
        Ok(sqlx::query_as(
            "SELECT CAST((SELECT COALESCE(SUM(n), 0) FROM score_hist WHERE scope_id = $1 AND score > $2) \
               + (SELECT COUNT(*) FROM participations WHERE round_id = $1 AND best_score = $2 \
                  AND (COALESCE(distance, 0) < $5 OR (COALESCE(distance, 0) = $5 AND best_time_ms < $3) \
                    OR (COALESCE(distance, 0) = $5 AND best_time_ms = $3 AND best_finished_at < $4))) AS BIGINT), \
               CAST((SELECT COALESCE(SUM(n), 0) FROM score_hist WHERE scope_id = $1) AS BIGINT)",
        )
        .bind(round_id)
        .bind(score)
        .bind(time_used_ms)
        .bind(finished_at)
        .bind(distance.unwrap_or(0))
        .fetch_one(self.reader())
        .await?)
    }
}
