//! Rows as the databases return them, and their checked conversion into records:
//! a value the schema allows but the application does not know (an unknown status,
//! a damaged JSON column) is refused with `StoreError::BadRow`, never read as a default.
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::question::QuestionDraft;
use crate::domain::{AttemptStatus, CountingRule};
use uuid::Uuid;

/// Converts every row, or fails on the first bad one.
pub(crate) fn convert<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

/// Converts a row if there is one.
pub(crate) fn convert_opt<R, T: TryFrom<R, Error = StoreError>>(row: Option<R>) -> StoreResult<Option<T>> {
    row.map(T::try_from).transpose()
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::BadRow(format!("{what}: {value:?}"))
}

/// An attempt item's shown option order ("2,0,1,3").
pub(crate) fn parse_order(order: &str) -> StoreResult<Vec<usize>> {
    order.split(',').map(|p| p.parse().map_err(|_| bad("option order", order))).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: String,
    pub headcount: i64,
}

impl TryFrom<UnitRow> for crate::domain::units::Unit {
    type Error = StoreError;
    fn try_from(r: UnitRow) -> StoreResult<Self> {
        Ok(crate::domain::units::Unit {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            kind: crate::domain::units::UnitKind::parse(&r.kind).ok_or_else(|| bad("unit kind", &r.kind))?,
            headcount: r.headcount,
        })
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

impl TryFrom<RoundRow> for RoundRecord {
    type Error = StoreError;
    fn try_from(r: RoundRow) -> StoreResult<Self> {
        Ok(RoundRecord {
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
            counting: CountingRule::parse(&r.counting).ok_or_else(|| bad("counting rule", &r.counting))?,
            prediction_prompt: r.prediction_prompt,
            created_at: r.created_at,
            options: RoundOptions {
                min_gap_ms: r.min_gap_ms,
                shuffle_options: r.shuffle_options,
                prediction_kind: r.prediction_kind,
                draw_rules: serde_json::from_str(&r.draw_rules).map_err(|_| bad("draw rules", &r.draw_rules))?,
            },
            published_at: r.published_at,
        })
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

impl TryFrom<AttemptRow> for AttemptRecord {
    type Error = StoreError;
    fn try_from(r: AttemptRow) -> StoreResult<Self> {
        Ok(AttemptRecord {
            id: r.id,
            round_id: r.round_id,
            user_id: r.user_id,
            seq: r.seq,
            status: AttemptStatus::parse(&r.status).ok_or_else(|| bad("attempt status", &r.status))?,
            started_at: r.started_at,
            deadline_at: r.deadline_at,
            finished_at: r.finished_at,
            score: r.score,
            max_score: r.max_score,
            time_used_ms: r.time_used_ms,
            prediction: r.prediction,
        })
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
    pub grp: String,
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

pub(crate) const BANK_SELECT: &str = "SELECT q.id, q.key, q.topic, q.grp, q.status, q.updated_at, v.id AS version_id, v.version, \
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
                    correct: opts.iter().position(|o| o.is_correct).unwrap_or(0), // checked when written
                    options: opts.into_iter().map(|o| o.text).collect(),
                    explanation: r.explanation,
                    source: r.source,
                    passage: r.passage,
                    group: r.grp,
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

impl TryFrom<ContestRow> for ContestRecord {
    type Error = StoreError;
    fn try_from(r: ContestRow) -> StoreResult<Self> {
        Ok(ContestRecord {
            id: r.id,
            title: r.title,
            description: r.description,
            rules: r.rules,
            created_at: r.created_at,
            audience_unit_id: r.audience_unit_id,
            visibility: r.visibility,
            prizes: serde_json::from_str(&r.prizes).map_err(|_| bad("prizes", &r.prizes))?,
        })
    }
}
pub(crate) const ATTEMPT_COLUMNS: &str =
    "id, round_id, user_id, seq, status, started_at, deadline_at, finished_at, score, max_score, time_used_ms, prediction";
pub(crate) const PARTICIPATION_COLUMNS: &str = "round_id, user_id, unit_id, attempts_started, active_attempt_id, best_attempt_id, \
     best_score, best_time_ms, best_finished_at, prediction, distance";

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
