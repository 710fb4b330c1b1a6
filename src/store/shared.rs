//! SQL that SQLite and PostgreSQL share, written once. Both schemas use the same
//! names; identifiers bind as `uuid::Uuid` (BLOB in SQLite, UUID in PostgreSQL)
//! and times as BIGINT milliseconds, and `$n` placeholders work in both.
//!
//! `store_impl!` expands inside each backend's module. The backend supplies:
//! `reader()` and `writer()` pools, `hot()` (SQLite's writer thread for starts,
//! answers and gradings, if any), `BEGIN_WRITE` (the statement opening a write
//! transaction) and `LOCK` / `SHARE` (row-lock suffixes for SELECTs in one).
use super::types::*;
use crate::domain::question::QuestionDraft;
pub(crate) use crate::domain::{AttemptStatus, CountingRule};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: String,
    pub headcount: i64,
}

impl From<UnitRow> for crate::domain::units::Unit {
    fn from(r: UnitRow) -> Self {
        crate::domain::units::Unit {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            kind: crate::domain::units::UnitKind::parse(&r.kind).unwrap_or(crate::domain::units::UnitKind::Agency),
            headcount: r.headcount,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoundRow {
    pub id: Uuid,
    pub contest_id: Uuid,
    pub contest_title: String,
    pub title: String,
    pub position: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    pub question_count: i64,
    pub duration_ms: i64,
    pub max_attempts: i64,
    pub counting: String,
    pub prediction_prompt: Option<String>,
    pub created_at: i64,
    pub min_gap_ms: i64,
    pub shuffle_options: bool,
    pub prediction_kind: String,
    pub draw_rules: String,
    pub published_at: Option<i64>,
}

impl From<RoundRow> for RoundRecord {
    fn from(r: RoundRow) -> Self {
        RoundRecord {
            id: r.id,
            contest_id: r.contest_id,
            contest_title: r.contest_title,
            title: r.title,
            position: r.position,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            question_count: r.question_count,
            duration_ms: r.duration_ms,
            max_attempts: r.max_attempts,
            counting: CountingRule::parse(&r.counting).unwrap_or_default(),
            prediction_prompt: r.prediction_prompt,
            created_at: r.created_at,
            options: RoundOptions {
                min_gap_ms: r.min_gap_ms,
                shuffle_options: r.shuffle_options,
                prediction_kind: r.prediction_kind,
                draw_rules: serde_json::from_str(&r.draw_rules).unwrap_or_default(),
            },
            published_at: r.published_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub user_id: Uuid,
    pub seq: i64,
    pub status: String,
    pub started_at: i64,
    pub deadline_at: i64,
    pub finished_at: Option<i64>,
    pub score: Option<i64>,
    pub max_score: i64,
    pub time_used_ms: Option<i64>,
    pub prediction: Option<i64>,
}

impl From<AttemptRow> for AttemptRecord {
    fn from(r: AttemptRow) -> Self {
        AttemptRecord {
            id: r.id,
            round_id: r.round_id,
            user_id: r.user_id,
            seq: r.seq,
            status: AttemptStatus::parse(&r.status).unwrap_or(AttemptStatus::Expired),
            started_at: r.started_at,
            deadline_at: r.deadline_at,
            finished_at: r.finished_at,
            score: r.score,
            max_score: r.max_score,
            time_used_ms: r.time_used_ms,
            prediction: r.prediction,
        }
    }
}

/// The record of an attempt just started.
pub(crate) fn new_attempt(req: &StartRequest, seq: i64, deadline_at: crate::domain::Millis) -> AttemptRecord {
    AttemptRecord {
        id: req.attempt_id,
        round_id: req.round_id,
        user_id: req.user_id,
        seq,
        status: AttemptStatus::InProgress,
        started_at: req.now,
        deadline_at,
        finished_at: None,
        score: None,
        max_score: req.items.len() as i64,
        time_used_ms: None,
        prediction: None,
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BankRowDb {
    pub id: Uuid,
    pub key: Option<String>,
    pub topic: String,
    pub status: String,
    pub updated_at: i64,
    pub version_id: Uuid,
    pub version: i64,
    pub stem: String,
    pub explanation: String,
    pub source: String,
    pub passage: String,
    pub difficulty: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct BankOptionRow {
    pub version_id: Uuid,
    pub position: i64,
    pub text: String,
    pub is_correct: bool,
}

pub(crate) const BANK_SELECT: &str = "SELECT q.id, q.key, q.topic, q.status, q.updated_at, v.id AS version_id, v.version, \
     v.stem, v.explanation, v.source, v.passage, v.difficulty \
     FROM questions q JOIN question_versions v ON v.id = q.current_version_id";

pub(crate) fn assemble_bank(rows: Vec<BankRowDb>, options: Vec<BankOptionRow>) -> Vec<BankQuestion> {
    let mut by_version: std::collections::HashMap<Uuid, Vec<BankOptionRow>> = std::collections::HashMap::new();
    for o in options {
        by_version.entry(o.version_id).or_default().push(o);
    }
    rows.into_iter()
        .map(|r| {
            let mut opts = by_version.remove(&r.version_id).unwrap_or_default();
            opts.sort_by_key(|o| o.position);
            BankQuestion {
                id: r.id,
                key: r.key.clone(),
                status: r.status,
                version: r.version,
                version_id: r.version_id,
                updated_at: r.updated_at,
                draft: QuestionDraft {
                    key: r.key,
                    topic: r.topic,
                    difficulty: r.difficulty,
                    stem: r.stem,
                    correct: opts.iter().position(|o| o.is_correct).unwrap_or(0),
                    options: opts.into_iter().map(|o| o.text).collect(),
                    explanation: r.explanation,
                    source: r.source,
                    passage: r.passage,
                },
            }
        })
        .collect()
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub(crate) const USER_SELECT: &str =
    "SELECT u.id, u.full_name, u.phone, u.unit_id, un.name AS unit_name, u.password_hash, u.role, u.scope_unit_id \
     FROM users u JOIN units un ON un.id = u.unit_id";
pub(crate) const ROUND_SELECT: &str = "SELECT r.id, r.contest_id, c.title AS contest_title, r.title, r.position, r.opens_at, r.closes_at, \
     r.question_count, r.duration_ms, r.max_attempts, r.counting, r.prediction_prompt, r.created_at, \
     r.min_gap_ms, r.shuffle_options, r.prediction_kind, r.draw_rules, r.published_at \
     FROM rounds r JOIN contests c ON c.id = r.contest_id";
pub(crate) const CONTEST_SELECT: &str =
    "SELECT id, title, description, rules, created_at, audience_unit_id, visibility, prizes FROM contests";

#[derive(sqlx::FromRow)]
pub(crate) struct ContestRow {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub rules: String,
    pub created_at: i64,
    pub audience_unit_id: Option<Uuid>,
    pub visibility: String,
    pub prizes: String,
}

impl From<ContestRow> for ContestRecord {
    fn from(r: ContestRow) -> Self {
        ContestRecord {
            id: r.id,
            title: r.title,
            description: r.description,
            rules: r.rules,
            created_at: r.created_at,
            audience_unit_id: r.audience_unit_id,
            visibility: r.visibility,
            prizes: serde_json::from_str(&r.prizes).unwrap_or_default(),
        }
    }
}
pub(crate) const ATTEMPT_COLUMNS: &str =
    "id, round_id, user_id, seq, status, started_at, deadline_at, finished_at, score, max_score, time_used_ms, prediction";
pub(crate) const PARTICIPATION_COLUMNS: &str = "round_id, user_id, unit_id, attempts_started, active_attempt_id, best_attempt_id, \
     best_score, best_time_ms, best_finished_at, prediction, distance";

/// Adds ` AND {column} IN (…)` when the board is narrowed to some units.
pub(crate) fn push_unit_filter<'a, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<'a, DB>, column: &str, units: Option<&[Uuid]>)
where
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(units) = units {
        qb.push(format!(" AND {column} IN ("));
        if units.is_empty() {
            qb.push("NULL");
        }
        let mut list = qb.separated(", ");
        for id in units {
            list.push_bind(*id);
        }
        qb.push(")");
    }
}

/// Rebuilds every aggregate from the participations (and the attempts, for the
/// days). `$1` is Hanoi's offset from UTC in milliseconds.
pub(crate) const RECOMPUTE_SQL: &[&str] = &[
    "DELETE FROM unit_round_stats WHERE $1 IS NOT NULL",
    "DELETE FROM unit_contest_stats WHERE $1 IS NOT NULL",
    "DELETE FROM contest_entries WHERE $1 IS NOT NULL",
    "DELETE FROM unit_daily WHERE $1 IS NOT NULL",
    "DELETE FROM score_hist WHERE $1 IS NOT NULL",
    "DELETE FROM round_settlements WHERE $1 IS NOT NULL",
    "UPDATE participations SET distance = NULL WHERE distance IS NOT NULL AND $1 IS NOT NULL",
    "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts, graded, score_sum, perfect) \
     SELECT p.round_id, p.unit_id, SUM(CASE WHEN p.attempts_started > 0 THEN 1 ELSE 0 END), SUM(p.attempts_started), \
       SUM(CASE WHEN p.best_score IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(p.best_score), 0), \
       SUM(CASE WHEN p.best_score = r.question_count THEN 1 ELSE 0 END) \
     FROM participations p JOIN rounds r ON r.id = p.round_id WHERE $1 IS NOT NULL GROUP BY p.round_id, p.unit_id",
    // a participant's contest unit is the unit of their first attempt in the contest
    "INSERT INTO contest_entries (contest_id, user_id, unit_id, attempts, rounds, score, time_used_ms, last_finished_at, perfect, distance) \
     SELECT r.contest_id, p.user_id, \
       (SELECT p2.unit_id FROM attempts a2 JOIN rounds r2 ON r2.id = a2.round_id \
          JOIN participations p2 ON p2.round_id = a2.round_id AND p2.user_id = a2.user_id \
        WHERE r2.contest_id = r.contest_id AND a2.user_id = p.user_id ORDER BY a2.started_at, a2.seq LIMIT 1), \
       SUM(p.attempts_started), SUM(CASE WHEN p.best_score IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(p.best_score), 0), \
       COALESCE(SUM(p.best_time_ms), 0), COALESCE(MAX(p.best_finished_at), 0), \
       SUM(CASE WHEN p.best_score = r.question_count THEN 1 ELSE 0 END), 0 \
     FROM participations p JOIN rounds r ON r.id = p.round_id WHERE p.attempts_started > 0 AND $1 IS NOT NULL \
     GROUP BY r.contest_id, p.user_id",
    "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts, graded, score_sum, perfect) \
     SELECT contest_id, unit_id, COUNT(*), SUM(attempts), SUM(CASE WHEN rounds > 0 THEN 1 ELSE 0 END), SUM(score), SUM(perfect) \
     FROM contest_entries WHERE $1 IS NOT NULL GROUP BY contest_id, unit_id",
    "INSERT INTO unit_daily (round_id, unit_id, day, attempts, new_participants) \
     SELECT a.round_id, p.unit_id, (a.started_at + $1) / 86400000, COUNT(*), SUM(CASE WHEN a.seq = 1 THEN 1 ELSE 0 END) \
     FROM attempts a JOIN participations p ON p.round_id = a.round_id AND p.user_id = a.user_id \
     GROUP BY a.round_id, p.unit_id, (a.started_at + $1) / 86400000",
    "INSERT INTO score_hist (scope_id, score, n) \
     SELECT round_id, best_score, COUNT(*) FROM participations WHERE best_score IS NOT NULL AND $1 IS NOT NULL GROUP BY round_id, best_score",
    "INSERT INTO score_hist (scope_id, score, n) \
     SELECT contest_id, score, COUNT(*) FROM contest_entries WHERE rounds > 0 AND $1 IS NOT NULL GROUP BY contest_id, score",
];

/// Every aggregate row as text, for comparing maintained and recomputed aggregates.
pub(crate) const DIGEST_SQL: &[(&str, &str)] = &[
    (
        "participation",
        "SELECT hex(round_id) || ' ' || hex(user_id) || ' ' || hex(unit_id) || ' ' || attempts_started || ' ' || \
           COALESCE(hex(active_attempt_id), '-') || ' ' || COALESCE(hex(best_attempt_id), '-') || ' ' || \
           COALESCE(best_score, -1) || ' ' || COALESCE(best_time_ms, -1) || ' ' || COALESCE(best_finished_at, -1) || ' ' || \
           COALESCE(prediction, -1) FROM participations",
    ),
    (
        "unit_round",
        "SELECT hex(round_id) || ' ' || hex(unit_id) || ' ' || participants || ' ' || attempts || ' ' || graded || ' ' || \
           score_sum || ' ' || perfect FROM unit_round_stats WHERE participants <> 0 OR attempts <> 0",
    ),
    (
        "unit_contest",
        "SELECT hex(contest_id) || ' ' || hex(unit_id) || ' ' || participants || ' ' || attempts || ' ' || graded || ' ' || \
           score_sum || ' ' || perfect FROM unit_contest_stats WHERE participants <> 0 OR attempts <> 0",
    ),
    (
        "contest_entry",
        "SELECT hex(contest_id) || ' ' || hex(user_id) || ' ' || hex(unit_id) || ' ' || attempts || ' ' || rounds || ' ' || \
           score || ' ' || time_used_ms || ' ' || last_finished_at || ' ' || perfect || ' ' || distance FROM contest_entries",
    ),
    ("daily", "SELECT hex(round_id) || ' ' || hex(unit_id) || ' ' || day || ' ' || attempts || ' ' || new_participants FROM unit_daily"),
    ("hist", "SELECT hex(scope_id) || ' ' || score || ' ' || n FROM score_hist WHERE n <> 0"),
];

/// Expands to `impl Store for $store`. Needs `use super::shared::*` and the
/// backend's `$db` (sqlx database type) in scope.
macro_rules! store_impl {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Inserts versions and their options in batches.
            async fn insert_versions(
                tx: &mut sqlx::Transaction<'static, $db>,
                versions: &[(Uuid, Uuid, i64, &QuestionDraft)],
                now: Millis,
            ) -> StoreResult<()> {
                for chunk in versions.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO question_versions (id, question_id, version, stem, explanation, source, passage, difficulty, created_at) ",
                    );
                    qb.push_values(chunk, |mut b, (vid, qid, version, d)| {
                        b.push_bind(*vid)
                            .push_bind(*qid)
                            .push_bind(*version)
                            .push_bind(d.stem.trim().to_string())
                            .push_bind(d.explanation.trim().to_string())
                            .push_bind(d.source.trim().to_string())
                            .push_bind(d.passage.trim().to_string())
                            .push_bind(d.difficulty)
                            .push_bind(now);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                let options: Vec<(Uuid, i64, String, bool)> = versions
                    .iter()
                    .flat_map(|(vid, _, _, d)| d.options.iter().enumerate().map(move |(i, t)| (*vid, i as i64, t.trim().to_string(), i == d.correct)))
                    .collect();
                for chunk in options.chunks(1_000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO question_options (id, version_id, position, text, is_correct) ");
                    qb.push_values(chunk, |mut b, (vid, pos, text, correct)| {
                        b.push_bind(Uuid::new_v4()).push_bind(*vid).push_bind(*pos).push_bind(text.clone()).push_bind(*correct);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            async fn fetch_attempt(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: Uuid,
            ) -> StoreResult<Option<AttemptRecord>> {
                let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = $1{}", Self::LOCK);
                Ok(sqlx::query_as::<_, AttemptRow>(&sql).bind(id).fetch_optional(&mut **tx).await?.map(Into::into))
            }

            /// Grades and closes an attempt inside a write transaction; `None` if already final.
            async fn finalise_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                attempt_id: Uuid,
                now: Millis,
                by_participant: bool,
                prediction: Option<i64>,
            ) -> StoreResult<Option<AttemptRecord>> {
                use crate::domain::attempt;
                // Lock order everywhere: the participation row, then the attempt row.
                let owner: Option<(Uuid, Uuid)> = sqlx::query_as("SELECT round_id, user_id FROM attempts WHERE id = $1")
                    .bind(attempt_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some((round_id, user_id)) = owner else { return Err(StoreError::NotFound) };
                let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2{}", Self::LOCK);
                let p: ParticipationRecord = sqlx::query_as(&sql).bind(round_id).bind(user_id).fetch_one(&mut **tx).await?;
                let Some(a) = Self::fetch_attempt(tx, attempt_id).await? else { return Err(StoreError::NotFound) };
                let Ok(status) = attempt::finalise(a.status, a.deadline_at, now, by_participant) else { return Ok(None) };
                let answers: Vec<(Option<Uuid>, Uuid)> = sqlx::query_as(
                    "SELECT ai.chosen_option_id, o.id FROM attempt_items ai \
                     JOIN question_options o ON o.version_id = ai.version_id AND o.is_correct \
                     WHERE ai.attempt_id = $1",
                )
                .bind(attempt_id)
                .fetch_all(&mut **tx)
                .await?;
                let score = attempt::score(answers);
                let finished_at = now.min(a.deadline_at);
                let time_used = attempt::time_used(a.started_at, finished_at, a.deadline_at);
                let prediction = if status == AttemptStatus::Submitted { prediction } else { None };
                sqlx::query(
                    "UPDATE attempts SET status = $2, finished_at = $3, score = $4, time_used_ms = $5, prediction = $6 WHERE id = $1",
                )
                .bind(attempt_id)
                .bind(status.as_str())
                .bind(finished_at)
                .bind(score)
                .bind(time_used)
                .bind(prediction)
                .execute(&mut **tx)
                .await?;

                // The counted result and the prediction of the participant in this round.
                let (counting, max_score, contest_id): (String, i64, Uuid) =
                    sqlx::query_as("SELECT counting, question_count, contest_id FROM rounds WHERE id = $1")
                        .bind(a.round_id)
                        .fetch_one(&mut **tx)
                        .await?;
                let new = attempt::Outcome { score, time_used_ms: time_used, finished_at };
                let old = match (p.best_score, p.best_time_ms, p.best_finished_at) {
                    (Some(score), Some(time_used_ms), Some(finished_at)) => Some(attempt::Outcome { score, time_used_ms, finished_at }),
                    _ => None,
                };
                let replaces = attempt::replaces(CountingRule::parse(&counting).unwrap_or_default(), &new, old.as_ref());
                // The prediction is fixed by the participant's first submitted attempt.
                let first_submission: bool = status == AttemptStatus::Submitted
                    && sqlx::query_scalar::<_, i64>(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM attempts WHERE round_id = $1 AND user_id = $2 AND status = 'submitted' AND id <> $3",
                    )
                    .bind(a.round_id)
                    .bind(a.user_id)
                    .bind(attempt_id)
                    .fetch_one(&mut **tx)
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
                .execute(&mut **tx)
                .await?;
                if replaces {
                    Self::count_result(tx, &p, contest_id, max_score, old.as_ref(), &new).await?;
                }
                if replaces || first_submission {
                    // a settled prediction ranking no longer holds: the next read settles again
                    sqlx::query("DELETE FROM round_settlements WHERE round_id = $1").bind(a.round_id).execute(&mut **tx).await?;
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
                tx: &mut sqlx::Transaction<'static, $db>,
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
                .execute(&mut **tx)
                .await?;
                let sql = format!("SELECT unit_id, rounds, score FROM contest_entries WHERE contest_id = $1 AND user_id = $2{}", Self::LOCK);
                let (entry_unit, rounds, total): (Uuid, i64, i64) =
                    sqlx::query_as(&sql).bind(contest_id).bind(p.user_id).fetch_one(&mut **tx).await?;
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
                .execute(&mut **tx)
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
                .execute(&mut **tx)
                .await?;
                let mut round_moves = vec![(new.score, 1)];
                if let Some(o) = old {
                    round_moves.push((o.score, -1));
                }
                Self::bump_hist(tx, p.round_id, round_moves).await?;
                let mut contest_moves = vec![(total + score_delta, 1)];
                if rounds > 0 {
                    contest_moves.push((total, -1));
                }
                Self::bump_hist(tx, contest_id, contest_moves).await?;
                Ok(())
            }

            /// Adds `delta` to the distribution's bucket of each score, lowest score first.
            async fn bump_hist(tx: &mut sqlx::Transaction<'static, $db>, scope: Uuid, mut moves: Vec<(i64, i64)>) -> StoreResult<()> {
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
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// Counts a started attempt in the aggregates (the unit's round, day and
            /// contest rows; the contest entry, created at the participant's first start).
            async fn count_start(
                tx: &mut sqlx::Transaction<'static, $db>,
                p: &ParticipationRecord,
                contest_id: Uuid,
                now: Millis,
            ) -> StoreResult<()> {
                let new_participant = i64::from(p.attempts_started == 0);
                sqlx::query(
                    "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (round_id, unit_id) DO UPDATE SET participants = unit_round_stats.participants + excluded.participants, \
                       attempts = unit_round_stats.attempts + 1",
                )
                .bind(p.round_id)
                .bind(p.unit_id)
                .bind(new_participant)
                .execute(&mut **tx)
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
                .execute(&mut **tx)
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
                .execute(&mut **tx)
                .await?
                .rows_affected();
                let sql = format!("SELECT unit_id FROM contest_entries WHERE contest_id = $1 AND user_id = $2{}", Self::LOCK);
                let entry_unit: Uuid = sqlx::query_scalar(&sql).bind(contest_id).bind(p.user_id).fetch_one(&mut **tx).await?;
                sqlx::query("UPDATE contest_entries SET attempts = attempts + 1 WHERE contest_id = $1 AND user_id = $2")
                    .bind(contest_id)
                    .bind(p.user_id)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (contest_id, unit_id) DO UPDATE SET participants = unit_contest_stats.participants + excluded.participants, \
                       attempts = unit_contest_stats.attempts + 1",
                )
                .bind(contest_id)
                .bind(entry_unit)
                .bind(i64::from(created == 1))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        impl Store for $store {
            fn backend(&self) -> &'static str {
                Self::BACKEND
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }

            async fn insert_unit(&self, unit: &Unit, code: Option<&str>, now: Millis) -> StoreResult<()> {
                sqlx::query("INSERT INTO units (id, parent_id, code, name, kind, headcount, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(unit.id)
                    .bind(unit.parent_id)
                    .bind(code)
                    .bind(&unit.name)
                    .bind(unit.kind.as_str())
                    .bind(unit.headcount)
                    .bind(now)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn list_units(&self) -> StoreResult<Vec<Unit>> {
                let rows: Vec<UnitRow> = sqlx::query_as("SELECT id, parent_id, name, kind, headcount FROM units WHERE merged_into IS NULL ORDER BY name")
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn unit_codes(&self) -> StoreResult<Vec<UnitCode>> {
                Ok(sqlx::query_as("SELECT id, code FROM units WHERE merged_into IS NULL").fetch_all(self.reader()).await?)
            }

            async fn apply_units(&self, creates: &[(Unit, String)], updates: &[Unit], now: Millis) -> StoreResult<()> {
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                // parents before children: the caller orders creates so
                for (u, code) in creates {
                    let r = sqlx::query("INSERT INTO units (id, parent_id, code, name, kind, headcount, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .bind(u.id)
                        .bind(u.parent_id)
                        .bind(code)
                        .bind(&u.name)
                        .bind(u.kind.as_str())
                        .bind(u.headcount)
                        .bind(now)
                        .execute(&mut *tx)
                        .await;
                    if let Err(e) = r {
                        return Err(if is_unique_violation(&e) { StoreError::Conflict("unit code") } else { e.into() });
                    }
                }
                for u in updates {
                    sqlx::query("UPDATE units SET parent_id = $2, name = $3, kind = $4, headcount = $5 WHERE id = $1")
                        .bind(u.id)
                        .bind(u.parent_id)
                        .bind(&u.name)
                        .bind(u.kind.as_str())
                        .bind(u.headcount)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn update_unit(&self, u: &Unit) -> StoreResult<()> {
                let n = sqlx::query("UPDATE units SET parent_id = $2, name = $3, kind = $4, headcount = $5 WHERE id = $1 AND merged_into IS NULL")
                    .bind(u.id)
                    .bind(u.parent_id)
                    .bind(&u.name)
                    .bind(u.kind.as_str())
                    .bind(u.headcount)
                    .execute(self.writer())
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn merge_units(&self, source: Uuid, target: Uuid) -> StoreResult<()> {
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                for sql in [
                    "UPDATE units SET parent_id = $2 WHERE parent_id = $1",
                    "UPDATE users SET unit_id = $2 WHERE unit_id = $1",
                    "UPDATE users SET scope_unit_id = $2 WHERE scope_unit_id = $1",
                    "UPDATE participations SET unit_id = $2 WHERE unit_id = $1",
                    "UPDATE contests SET audience_unit_id = $2 WHERE audience_unit_id = $1",
                    // the aggregates follow the members: the source's rows add into the target's
                    "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts, graded, score_sum, perfect) \
                     SELECT round_id, $2, participants, attempts, graded, score_sum, perfect FROM unit_round_stats WHERE unit_id = $1 \
                     ON CONFLICT (round_id, unit_id) DO UPDATE SET participants = unit_round_stats.participants + excluded.participants, \
                       attempts = unit_round_stats.attempts + excluded.attempts, graded = unit_round_stats.graded + excluded.graded, \
                       score_sum = unit_round_stats.score_sum + excluded.score_sum, perfect = unit_round_stats.perfect + excluded.perfect",
                    "DELETE FROM unit_round_stats WHERE unit_id = $1",
                    "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts, graded, score_sum, perfect) \
                     SELECT contest_id, $2, participants, attempts, graded, score_sum, perfect FROM unit_contest_stats WHERE unit_id = $1 \
                     ON CONFLICT (contest_id, unit_id) DO UPDATE SET participants = unit_contest_stats.participants + excluded.participants, \
                       attempts = unit_contest_stats.attempts + excluded.attempts, graded = unit_contest_stats.graded + excluded.graded, \
                       score_sum = unit_contest_stats.score_sum + excluded.score_sum, perfect = unit_contest_stats.perfect + excluded.perfect",
                    "DELETE FROM unit_contest_stats WHERE unit_id = $1",
                    "INSERT INTO unit_daily (round_id, unit_id, day, attempts, new_participants) \
                     SELECT round_id, $2, day, attempts, new_participants FROM unit_daily WHERE unit_id = $1 \
                     ON CONFLICT (round_id, unit_id, day) DO UPDATE SET attempts = unit_daily.attempts + excluded.attempts, \
                       new_participants = unit_daily.new_participants + excluded.new_participants",
                    "DELETE FROM unit_daily WHERE unit_id = $1",
                    "UPDATE contest_entries SET unit_id = $2 WHERE unit_id = $1",
                    "UPDATE units SET headcount = headcount + (SELECT headcount FROM units WHERE id = $1) WHERE id = $2",
                    "UPDATE units SET merged_into = $2, headcount = 0 WHERE id = $1",
                ] {
                    sqlx::query(sql).bind(source).bind(target).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_roster(&self, users: &[RosterUser], now: Millis) -> StoreResult<()> {
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                for chunk in users.chunks(1_000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO users (id, full_name, phone, unit_id, password_hash, role, created_at, position, activation_code) ",
                    );
                    qb.push_values(chunk, |mut b, u| {
                        b.push_bind(u.id)
                            .push_bind(u.full_name.clone())
                            .push_bind(u.phone.clone())
                            .push_bind(u.unit_id)
                            .push_bind(String::new())
                            .push_bind("participant")
                            .push_bind(now)
                            .push_bind(u.position.clone())
                            .push_bind(u.activation_code.clone());
                    });
                    if let Err(e) = qb.build().execute(&mut *tx).await {
                        return Err(if is_unique_violation(&e) { StoreError::Conflict("phone") } else { e.into() });
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn roster(&self, unit_id: Uuid) -> StoreResult<Vec<RosterRow>> {
                Ok(sqlx::query_as("SELECT full_name, phone, position, activation_code FROM users WHERE unit_id = $1 ORDER BY full_name")
                    .bind(unit_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn activate(&self, phone: &str, code: &str, password_hash: &str) -> StoreResult<bool> {
                Ok(sqlx::query("UPDATE users SET password_hash = $3, activation_code = NULL WHERE phone = $1 AND activation_code = $2")
                    .bind(phone)
                    .bind(code)
                    .bind(password_hash)
                    .execute(self.writer())
                    .await?
                    .rows_affected()
                    == 1)
            }

            async fn insert_user(&self, u: &NewUser) -> StoreResult<()> {
                let r = sqlx::query(
                    "INSERT INTO users (id, full_name, phone, unit_id, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(u.id)
                .bind(&u.full_name)
                .bind(&u.phone)
                .bind(u.unit_id)
                .bind(&u.password_hash)
                .bind(u.role.as_str())
                .bind(u.created_at)
                .execute(self.writer())
                .await;
                match r {
                    Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("phone")),
                    Err(e) => Err(e.into()),
                    Ok(_) => Ok(()),
                }
            }

            async fn user_by_phone(&self, phone: &str) -> StoreResult<Option<UserRecord>> {
                let sql = format!("{USER_SELECT} WHERE u.phone = $1");
                Ok(sqlx::query_as(&sql).bind(phone).fetch_optional(self.reader()).await?)
            }

            async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
                let sql = format!("{USER_SELECT} WHERE u.id = $1");
                Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?)
            }

            async fn count_users(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(self.reader()).await?)
            }

            async fn insert_session(&self, token_hash: &str, user_id: Uuid, now: Millis, expires_at: Millis) -> StoreResult<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(now)
                    .bind(expires_at)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn session_user(&self, token_hash: &str, now: Millis) -> StoreResult<Option<UserRecord>> {
                let sql = format!("{USER_SELECT} JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2");
                Ok(sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_optional(self.reader()).await?)
            }

            async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(self.writer()).await?;
                Ok(())
            }

            async fn hit_rate_limit(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                       hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
                       window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
                     RETURNING hits",
                )
                .bind(key)
                .bind(now)
                .bind(now - window_ms)
                .fetch_one(self.writer())
                .await?)
            }

            async fn clear_rate_limit(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM rate_limits WHERE key = $1").bind(key).execute(self.writer()).await?;
                Ok(())
            }

            async fn rate_limit_hits(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64> {
                let hits: Option<i64> = sqlx::query_scalar("SELECT hits FROM rate_limits WHERE key = $1 AND window_start > $2")
                    .bind(key)
                    .bind(now - window_ms)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(hits.unwrap_or(0))
            }

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
                Ok(sqlx::query_as("SELECT slug, name, description, position FROM topics ORDER BY position, slug")
                    .fetch_all(self.reader())
                    .await?)
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
                    "SELECT v.id AS version_id, q.topic, v.difficulty, CAST(COUNT(o.id) AS BIGINT) AS option_count \
                     FROM questions q JOIN question_versions v ON v.id = q.current_version_id \
                     JOIN question_options o ON o.version_id = v.id \
                     WHERE q.status = 'active' GROUP BY v.id, q.topic, v.difficulty ORDER BY v.id",
                )
                .fetch_all(self.reader())
                .await?)
            }

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

            async fn contest(&self, id: Uuid) -> StoreResult<Option<ContestRecord>> {
                let row: Option<ContestRow> = sqlx::query_as(&format!("{CONTEST_SELECT} WHERE id = $1")).bind(id).fetch_optional(self.reader()).await?;
                Ok(row.map(Into::into))
            }

            async fn list_contests(&self) -> StoreResult<Vec<ContestRecord>> {
                let rows: Vec<ContestRow> = sqlx::query_as(&format!("{CONTEST_SELECT} ORDER BY created_at DESC")).fetch_all(self.reader()).await?;
                Ok(rows.into_iter().map(Into::into).collect())
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
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn get_round(&self, id: Uuid) -> StoreResult<Option<RoundRecord>> {
                let sql = format!("{ROUND_SELECT} WHERE r.id = $1");
                let row: Option<RoundRow> = sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?;
                Ok(row.map(Into::into))
            }

            async fn start_attempt(&self, req: &StartRequest) -> StoreResult<StartOutcome> {
                if let Some(hot) = self.hot() {
                    return hot.start_attempt(req.clone()).await;
                }
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let (max_attempts, duration_ms, closes_at, min_gap_ms, contest_id): (i64, i64, i64, i64, Uuid) =
                    sqlx::query_as("SELECT max_attempts, duration_ms, closes_at, min_gap_ms, contest_id FROM rounds WHERE id = $1")
                        .bind(req.round_id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                sqlx::query("INSERT INTO participations (round_id, user_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT (round_id, user_id) DO NOTHING")
                    .bind(req.round_id)
                    .bind(req.user_id)
                    .bind(req.unit_id)
                    .execute(&mut *tx)
                    .await?;
                let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2{}", Self::LOCK);
                let p: ParticipationRecord = sqlx::query_as(&sql).bind(req.round_id).bind(req.user_id).fetch_one(&mut *tx).await?;
                if let Some(active) = p.active_attempt_id {
                    let a = Self::fetch_attempt(&mut tx, active).await?.ok_or(StoreError::NotFound)?;
                    if a.status == AttemptStatus::InProgress && req.now < a.deadline_at {
                        tx.commit().await?;
                        return Ok(StartOutcome { attempt_id: active, resumed: true, attempt: a });
                    }
                    Self::finalise_in(&mut tx, active, req.now, false, None).await?;
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
                let sql = format!("INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, NULL, NULL, $7, NULL, NULL)");
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
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO attempt_items (attempt_id, position, version_id, option_order) ");
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
                Self::count_start(&mut tx, &p, contest_id, req.now).await?;
                tx.commit().await?;
                Ok(StartOutcome { attempt_id: req.attempt_id, resumed: false, attempt: new_attempt(req, p.attempts_started + 1, deadline) })
            }

            async fn attempt(&self, id: Uuid) -> StoreResult<Option<AttemptRecord>> {
                let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = $1");
                let row: Option<AttemptRow> = sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?;
                Ok(row.map(Into::into))
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
                Ok(rows
                    .into_iter()
                    .map(|(position, version_id, order, chosen_option_id)| ChoiceRecord {
                        position,
                        version_id,
                        option_order: order.split(',').filter_map(|p| p.parse().ok()).collect(),
                        chosen_option_id,
                    })
                    .collect())
            }

            async fn version_texts(&self, ids: &[Uuid]) -> StoreResult<Vec<VersionText>> {
                let mut out: Vec<VersionText> = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT v.id, v.stem, o.id, o.text FROM question_versions v JOIN question_options o ON o.version_id = v.id WHERE v.id IN (",
                    );
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(") ORDER BY v.id, o.position");
                    let rows: Vec<(Uuid, String, Uuid, String)> = qb.build_query_as().fetch_all(self.reader()).await?;
                    for (vid, stem, oid, text) in rows {
                        match out.last_mut() {
                            Some(v) if v.version_id == vid => v.options.push((oid, text)),
                            _ => out.push(VersionText { version_id: vid, stem, options: vec![(oid, text)] }),
                        }
                    }
                }
                Ok(out)
            }

            async fn save_answer(&self, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()> {
                if let Some(hot) = self.hot() {
                    return hot.save_answer(attempt_id, user_id, version_id, option_id, now).await;
                }
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let sql = format!("SELECT status, deadline_at, user_id FROM attempts WHERE id = $1{}", Self::SHARE);
                let (status, deadline, owner): (String, i64, Uuid) =
                    sqlx::query_as(&sql).bind(attempt_id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                if owner != user_id {
                    return Err(StoreError::NotFound);
                }
                let status = AttemptStatus::parse(&status).unwrap_or(AttemptStatus::Expired);
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
                    let in_attempt: Option<i64> = sqlx::query_scalar("SELECT position FROM attempt_items WHERE attempt_id = $1 AND version_id = $2")
                        .bind(attempt_id)
                        .bind(version_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err(if in_attempt.is_none() { StoreError::QuestionNotInAttempt } else { StoreError::OptionNotInQuestion });
                }
                tx.commit().await?;
                Ok(())
            }

            async fn finalise_attempt(&self, attempt_id: Uuid, now: Millis, by_participant: bool, prediction: Option<i64>) -> StoreResult<Option<AttemptRecord>> {
                if let Some(hot) = self.hot() {
                    return hot.finalise_attempt(attempt_id, now, by_participant, prediction).await;
                }
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let r = Self::finalise_in(&mut tx, attempt_id, now, by_participant, prediction).await?;
                tx.commit().await?;
                Ok(r)
            }

            async fn overdue_attempts(&self, now: Millis, limit: i64) -> StoreResult<Vec<Uuid>> {
                Ok(sqlx::query_scalar(
                    "SELECT id FROM attempts WHERE status = 'in_progress' AND deadline_at < $1 ORDER BY deadline_at LIMIT $2",
                )
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
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn user_participations(&self, user_id: Uuid) -> StoreResult<Vec<ParticipationRecord>> {
                let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE user_id = $1");
                Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(self.reader()).await?)
            }

            async fn participation(&self, round_id: Uuid, user_id: Uuid) -> StoreResult<Option<ParticipationRecord>> {
                let sql = format!("SELECT {PARTICIPATION_COLUMNS} FROM participations WHERE round_id = $1 AND user_id = $2");
                Ok(sqlx::query_as(&sql).bind(round_id).bind(user_id).fetch_optional(self.reader()).await?)
            }

            async fn round_standings(&self, round_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<StandingRecord>> {
                const SELECT: &str = "SELECT p.user_id, u.full_name, u.phone, un.name AS unit_name, p.best_score AS score, \
                       p.best_time_ms AS time_used_ms, p.best_finished_at AS finished_at, p.prediction, p.distance \
                     FROM participations p JOIN users u ON u.id = p.user_id JOIN units un ON un.id = p.unit_id \
                     WHERE p.best_score IS NOT NULL AND p.round_id = ";
                let mut qb = sqlx::QueryBuilder::<$db>::new(SELECT);
                qb.push_bind(round_id);
                push_unit_filter(&mut qb, "p.unit_id", units);
                qb.push(" ORDER BY p.best_score DESC, p.distance, p.best_time_ms, p.best_finished_at LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(self.reader()).await?)
            }

            async fn unit_aggs(&self, scope: AggScope) -> StoreResult<Vec<UnitAgg>> {
                let sql = match scope {
                    AggScope::Round(_) => "SELECT unit_id, participants, attempts, graded, score_sum, perfect FROM unit_round_stats WHERE round_id = $1",
                    AggScope::Contest(_) => "SELECT unit_id, participants, attempts, graded, score_sum, perfect FROM unit_contest_stats WHERE contest_id = $1",
                };
                Ok(sqlx::query_as(sql).bind(scope.id()).fetch_all(self.reader()).await?)
            }

            async fn contest_board(&self, contest_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<ContestEntryRecord>> {
                const SELECT: &str = "SELECT e.user_id, u.full_name, u.phone, un.name AS unit_name, e.rounds, e.score, e.time_used_ms, \
                       e.last_finished_at, e.distance \
                     FROM contest_entries e JOIN users u ON u.id = e.user_id JOIN units un ON un.id = e.unit_id WHERE e.rounds > 0 AND e.contest_id = ";
                let mut qb = sqlx::QueryBuilder::<$db>::new(SELECT);
                qb.push_bind(contest_id);
                push_unit_filter(&mut qb, "e.unit_id", units);
                qb.push(" ORDER BY e.score DESC, e.distance, e.time_used_ms, e.last_finished_at LIMIT ").push_bind(limit);
                Ok(qb.build_query_as().fetch_all(self.reader()).await?)
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
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT day, CAST(SUM(attempts) AS BIGINT) AS attempts, CAST(SUM(new_participants) AS BIGINT) AS new_participants \
                     FROM unit_daily WHERE round_id IN (",
                );
                let mut list = qb.separated(", ");
                for id in round_ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                push_unit_filter(&mut qb, "unit_id", units);
                qb.push(" GROUP BY day ORDER BY day");
                Ok(qb.build_query_as().fetch_all(self.reader()).await?)
            }

            async fn score_distribution(&self, scope_id: Uuid) -> StoreResult<Vec<(i64, i64)>> {
                Ok(sqlx::query_as("SELECT score, n FROM score_hist WHERE scope_id = $1 AND n <> 0 ORDER BY score")
                    .bind(scope_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn settlement(&self, round_id: Uuid) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar("SELECT actual FROM round_settlements WHERE round_id = $1").bind(round_id).fetch_optional(self.reader()).await?)
            }

            async fn settle_round(&self, round_id: Uuid, contest_id: Uuid, actual: Option<i64>) -> StoreResult<bool> {
                use crate::domain::ranking::MISSING_PREDICTION;
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
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
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let mut report = RecomputeReport::default();
                // 1. each participation's counters and counted result, replayed from its attempts
                let rules: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, counting FROM rounds").fetch_all(&mut *tx).await?;
                let rules: std::collections::HashMap<Uuid, CountingRule> =
                    rules.into_iter().map(|(id, c)| (id, CountingRule::parse(&c).unwrap_or_default())).collect();
                let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY round_id, user_id, seq");
                let attempts: Vec<AttemptRecord> =
                    sqlx::query_as::<_, AttemptRow>(&sql).fetch_all(&mut *tx).await?.into_iter().map(Into::into).collect();
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
                        (Some(score), Some(time_used_ms), Some(finished_at)) => Some(crate::domain::attempt::Outcome { score, time_used_ms, finished_at }),
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

            async fn login_locked_until(&self, phone: &str) -> StoreResult<Millis> {
                let until: Option<i64> =
                    sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE phone = $1").bind(phone).fetch_optional(self.reader()).await?;
                Ok(until.unwrap_or(0))
            }

            async fn record_login_failure(&self, phone: &str, now: Millis, free: i64) -> StoreResult<Millis> {
                use crate::domain::lockout;
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let failures: i64 = sqlx::query_scalar(
                    "INSERT INTO login_failures (phone, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2) \
                     ON CONFLICT (phone) DO UPDATE SET updated_at = excluded.updated_at, \
                       failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END \
                     RETURNING failures",
                )
                .bind(phone)
                .bind(now)
                .bind(now - lockout::FORGET_AFTER_MS)
                .fetch_one(&mut *tx)
                .await?;
                let lock = lockout::lock_ms(failures, free);
                let until = if lock > 0 { now + lock } else { 0 };
                sqlx::query("UPDATE login_failures SET locked_until = $2 WHERE phone = $1").bind(phone).bind(until).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(until)
            }

            async fn clear_login_failures(&self, phone: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM login_failures WHERE phone = $1").bind(phone).execute(self.writer()).await?;
                Ok(())
            }

            async fn count_active_attempts(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM attempts WHERE status = 'in_progress'").fetch_one(self.reader()).await?)
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
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
                let next: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM question_versions WHERE question_id = $1")
                    .bind(question_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let Some(last) = next else { return Err(StoreError::NotFound) };
                let vid = Uuid::new_v4();
                Self::insert_versions(&mut tx, &[(vid, question_id, last + 1, draft)], now).await?;
                sqlx::query("UPDATE questions SET current_version_id = $2, topic = $3, status = $4, updated_at = $5 WHERE id = $1")
                    .bind(question_id)
                    .bind(vid)
                    .bind(&draft.topic)
                    .bind(status)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(vid)
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
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
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
                            let last: i64 = sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM question_versions WHERE question_id = $1")
                                .bind(question_id)
                                .fetch_one(&mut *tx)
                                .await?;
                            let vid = Uuid::new_v4();
                            versions.push((vid, *question_id, last + 1, draft));
                            sqlx::query("UPDATE questions SET current_version_id = $2, topic = $3, status = $4, updated_at = $5 WHERE id = $1")
                                .bind(question_id)
                                .bind(vid)
                                .bind(&draft.topic)
                                .bind(status)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                        }
                        ImportOp::Update { question_id, draft: None, status } => status_only.push((*question_id, status)),
                    }
                }
                for chunk in creates.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO questions (id, key, topic, status, current_version_id, created_at, updated_at) ");
                    qb.push_values(chunk, |mut b, (qid, vid, d, status)| {
                        b.push_bind(*qid).push_bind(d.key.clone()).push_bind(d.topic.clone()).push_bind(status.to_string()).push_bind(*vid).push_bind(now).push_bind(now);
                    });
                    if let Err(e) = qb.build().execute(&mut *tx).await {
                        return Err(if is_unique_violation(&e) { StoreError::Conflict("question key") } else { e.into() });
                    }
                }
                Self::insert_versions(&mut tx, &versions, now).await?;
                for (qid, status) in status_only {
                    sqlx::query("UPDATE questions SET status = $2, updated_at = $3 WHERE id = $1").bind(qid).bind(status).bind(now).execute(&mut *tx).await?;
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
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
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

            async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
                sqlx::query("INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(e.id)
                    .bind(e.at)
                    .bind(e.actor_id)
                    .bind(&e.action)
                    .bind(&e.entity)
                    .bind(&e.entity_id)
                    .bind(&e.before)
                    .bind(&e.after)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn list_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                Ok(sqlx::query_as("SELECT id, at, actor_id, action, entity, entity_id, before, after FROM audit_log ORDER BY at DESC, id LIMIT $1")
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await?)
            }

            async fn set_user_role(&self, user_id: Uuid, role: &str, scope_unit_id: Option<Uuid>) -> StoreResult<()> {
                let n = sqlx::query("UPDATE users SET role = $2, scope_unit_id = $3 WHERE id = $1")
                    .bind(user_id)
                    .bind(role)
                    .bind(scope_unit_id)
                    .execute(self.writer())
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn publish_round(&self, round_id: Uuid, snapshot: &str, by: Uuid, now: Millis) -> StoreResult<()> {
                let mut tx = self.writer().begin_with(Self::BEGIN_WRITE).await?;
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

            async fn round_attempt_count(&self, round_id: Uuid) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT CAST(COALESCE(SUM(attempts_started), 0) AS BIGINT) FROM participations WHERE round_id = $1")
                    .bind(round_id)
                    .fetch_one(self.reader())
                    .await?)
            }

            async fn rank_of(&self, round_id: Uuid, score: i64, distance: Option<i64>, time_used_ms: Millis, finished_at: Millis) -> StoreResult<(i64, i64)> {
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
    };
}
