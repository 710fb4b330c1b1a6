//! Storage: one interface, a SQLite and a PostgreSQL implementation, picked at
//! run time from `DATABASE_URL`. The SQL both share is written once in
//! `shared.rs`; what each database does its own way (write transactions, row
//! locks, connection set-up) lives in `sqlite.rs` and `postgres.rs`.
#[macro_use]
mod shared;
pub mod live;
mod postgres;
mod sqlite;
mod sqlite_writer;
pub mod types;

pub use live::{LiveAnswerInput, LiveAnswerOutcome, LiveCounted, LivePlayerRecord, LiveSessionRecord, LiveStore, NewLivePlayer};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;

use crate::domain::Millis;
use crate::domain::{question::QuestionDraft, units::Unit};
use std::future::Future;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("attempts limit reached")]
    AttemptsExhausted,
    #[error("attempt already finished")]
    AttemptFinished,
    #[error("deadline passed")]
    DeadlinePassed,
    #[error("question not in attempt")]
    QuestionNotInAttempt,
    #[error("option not in question")]
    OptionNotInQuestion,
    /// The round's minimum gap between attempts has not passed: wait this long.
    #[error("too soon")]
    TooSoon(i64),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// SQLite's writer thread could not take or answer the request.
    #[error("sqlite writer: {0}")]
    Writer(String),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database's address cannot be used.
    #[error("{0}")]
    Config(String),
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct Options {
    /// PostgreSQL's pool size per app server.
    pub max_connections: u32,
    /// SQLite's hot path on its own writer thread (else through sqlx).
    pub sqlite_writer_thread: bool,
    /// Bring the schema up to date (never for a backup).
    pub migrate: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_connections: 20, sqlite_writer_thread: true, migrate: true }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the application keeps. Implemented once per database; one
/// contract test suite (tests/store_contract.rs) runs against both.
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> &'static str;
    fn ping(&self) -> impl Future<Output = StoreResult<()>> + Send;

    fn insert_unit(&self, unit: &Unit, code: Option<&str>, now: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    /// Units in use (not merged into another).
    fn list_units(&self) -> impl Future<Output = StoreResult<Vec<Unit>>> + Send;
    fn unit_codes(&self) -> impl Future<Output = StoreResult<Vec<UnitCode>>> + Send;
    /// Creates (with their codes) and updates units in one transaction: all or nothing.
    fn apply_units(&self, creates: &[(Unit, String)], updates: &[Unit], now: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    /// Renames, moves or changes the headcount of a unit.
    fn update_unit(&self, unit: &Unit) -> impl Future<Output = StoreResult<()>> + Send;
    /// Moves everything of `source` (children, members, their participations, contests,
    /// scopes) to `target` and marks `source` merged; attempts keep their history.
    fn merge_units(&self, source: Uuid, target: Uuid) -> impl Future<Output = StoreResult<()>> + Send;
    /// Creates roster accounts, all or none (a taken phone number fails them all).
    fn insert_roster(&self, users: &[RosterUser], now: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    fn roster(&self, unit_id: Uuid) -> impl Future<Output = StoreResult<Vec<RosterRow>>> + Send;
    /// Sets the password of a roster account whose code matches; false when none does.
    fn activate(&self, phone: &str, code: &str, password_hash: &str) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Fails with `Conflict("phone")` when the phone number is taken.
    fn insert_user(&self, user: &NewUser) -> impl Future<Output = StoreResult<()>> + Send;
    fn user_by_phone(&self, phone: &str) -> impl Future<Output = StoreResult<Option<UserRecord>>> + Send;
    fn user_by_id(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<UserRecord>>> + Send;
    fn count_users(&self) -> impl Future<Output = StoreResult<i64>> + Send;

    fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        now: Millis,
        expires_at: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The user of a live session.
    fn session_user(&self, token_hash: &str, now: Millis) -> impl Future<Output = StoreResult<Option<UserRecord>>> + Send;
    fn delete_session(&self, token_hash: &str) -> impl Future<Output = StoreResult<()>> + Send;

    /// Counts one hit for `key` in a fixed window of `window_ms` and returns the
    /// number of hits in the current window, this one included.
    fn hit_rate_limit(&self, key: &str, now: Millis, window_ms: Millis) -> impl Future<Output = StoreResult<i64>> + Send;
    fn clear_rate_limit(&self, key: &str) -> impl Future<Output = StoreResult<()>> + Send;
    /// The hits counted for `key` in its current window (0 once the window has passed).
    fn rate_limit_hits(&self, key: &str, now: Millis, window_ms: Millis) -> impl Future<Output = StoreResult<i64>> + Send;

    fn upsert_topic(&self, topic: &Topic) -> impl Future<Output = StoreResult<()>> + Send;
    fn list_topics(&self) -> impl Future<Output = StoreResult<Vec<Topic>>> + Send;
    /// Stores a validated question as version 1 and returns its id.
    fn insert_question(&self, draft: &QuestionDraft, now: Millis) -> impl Future<Output = StoreResult<Uuid>> + Send;
    fn count_questions(&self) -> impl Future<Output = StoreResult<i64>> + Send;
    /// The current versions of active questions, with their option counts: what rounds draw from.
    fn question_pool(&self) -> impl Future<Output = StoreResult<Vec<PoolEntry>>> + Send;

    /// The bank: every question with its current version.
    fn list_bank(&self) -> impl Future<Output = StoreResult<Vec<BankQuestion>>> + Send;
    fn bank_question(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<BankQuestion>>> + Send;
    /// One version as served, with its correct option (for grading practice).
    fn question_version(&self, version_id: Uuid) -> impl Future<Output = StoreResult<Option<VersionRecord>>> + Send;
    /// Edits a question: a new version becomes current; earlier versions stay as served.
    fn save_version(
        &self,
        question_id: Uuid,
        draft: &QuestionDraft,
        status: &str,
        now: Millis,
    ) -> impl Future<Output = StoreResult<Uuid>> + Send;
    fn set_question_status(&self, question_id: Uuid, status: &str, now: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    /// Applies a whole import in one transaction (all of it or nothing); returns the created questions' ids.
    fn import_bank(&self, ops: &[ImportOp], now: Millis) -> impl Future<Output = StoreResult<Vec<Uuid>>> + Send;
    fn stage_import(
        &self,
        id: Uuid,
        user_id: Uuid,
        file_name: &str,
        payload: &str,
        now: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The staged import of this user (removed as it is taken).
    fn take_staged_import(&self, id: Uuid, user_id: Uuid) -> impl Future<Output = StoreResult<Option<(String, String)>>> + Send;
    fn record_practice(
        &self,
        user_id: Uuid,
        version_id: Uuid,
        topic: &str,
        correct: bool,
        now: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn practice_summary(&self, user_id: Uuid) -> impl Future<Output = StoreResult<Vec<PracticeStat>>> + Send;

    /// Creates or updates a contest.
    fn save_contest(&self, contest: &ContestRecord) -> impl Future<Output = StoreResult<()>> + Send;
    fn list_contests(&self) -> impl Future<Output = StoreResult<Vec<ContestRecord>>> + Send;
    /// Every participation in every round of a contest, with the participant and unit.
    fn contest(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<ContestRecord>>> + Send;
    /// Creates or updates a round.
    fn save_round(&self, round: &RoundRecord) -> impl Future<Output = StoreResult<()>> + Send;
    fn set_round_window(&self, round_id: Uuid, opens_at: Millis, closes_at: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    fn list_rounds(&self) -> impl Future<Output = StoreResult<Vec<RoundRecord>>> + Send;
    fn get_round(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<RoundRecord>>> + Send;

    /// Starts an attempt, or returns the one in progress. Atomic: the attempts
    /// limit holds under any concurrency. An attempt left open past its deadline
    /// is finalised first.
    fn start_attempt(&self, req: &StartRequest) -> impl Future<Output = StoreResult<StartOutcome>> + Send;
    fn attempt(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<AttemptRecord>>> + Send;
    /// The questions of an attempt as served: stems and options in shown order, and the choices.
    fn attempt_items(&self, id: Uuid) -> impl Future<Output = StoreResult<Vec<ItemRecord>>> + Send;
    /// The questions of an attempt without their text: versions, shown order, choices.
    fn attempt_choices(&self, id: Uuid) -> impl Future<Output = StoreResult<Vec<ChoiceRecord>>> + Send;
    /// The texts of question versions (which never change once written).
    fn version_texts(&self, ids: &[Uuid]) -> impl Future<Output = StoreResult<Vec<VersionText>>> + Send;
    /// Saves (or changes) one answer; refused once the attempt is finished or past its deadline's grace.
    fn save_answer(
        &self,
        attempt_id: Uuid,
        user_id: Uuid,
        version_id: Uuid,
        option_id: Uuid,
        now: Millis,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Grades and closes an attempt exactly once. Returns `None` when it was already final.
    fn finalise_attempt(
        &self,
        attempt_id: Uuid,
        now: Millis,
        by_participant: bool,
        prediction: Option<i64>,
    ) -> impl Future<Output = StoreResult<Option<AttemptRecord>>> + Send;
    /// In-progress attempts whose deadline and grace have passed.
    fn overdue_attempts(&self, now: Millis, limit: i64) -> impl Future<Output = StoreResult<Vec<Uuid>>> + Send;
    fn review_items(&self, attempt_id: Uuid) -> impl Future<Output = StoreResult<Vec<ReviewRecord>>> + Send;
    fn user_attempts(&self, user_id: Uuid) -> impl Future<Output = StoreResult<Vec<AttemptRecord>>> + Send;
    fn user_participations(&self, user_id: Uuid) -> impl Future<Output = StoreResult<Vec<ParticipationRecord>>> + Send;
    /// Counted results of a round, best first (score, time, finish).
    /// The round's counted results in ranking order, optionally narrowed to some units.
    fn round_standings(
        &self,
        round_id: Uuid,
        units: Option<&[Uuid]>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<StandingRecord>>> + Send;
    /// Each unit's own aggregate (members directly in it) for a round or a contest.
    fn unit_aggs(&self, scope: AggScope) -> impl Future<Output = StoreResult<Vec<UnitAgg>>> + Send;
    /// The contest ranking's rows with a counted result, in order, optionally narrowed to some units.
    fn contest_board(
        &self,
        contest_id: Uuid,
        units: Option<&[Uuid]>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<ContestEntryRecord>>> + Send;
    /// A participant's rank in the contest ranking and their total, if ranked.
    fn contest_position(&self, contest_id: Uuid, user_id: Uuid) -> impl Future<Output = StoreResult<Option<(i64, i64)>>> + Send;
    /// Attempts and new participants per day over some rounds, optionally narrowed to some units.
    fn daily_counts(&self, round_ids: &[Uuid], units: Option<&[Uuid]>) -> impl Future<Output = StoreResult<Vec<DailyCount>>> + Send;
    /// (score, how many) for a round's counted results or a contest's totals.
    fn score_distribution(&self, scope_id: Uuid) -> impl Future<Output = StoreResult<Vec<(i64, i64)>>> + Send;
    /// The actual value a closed round's predictions were measured against, if settled.
    fn settlement(&self, round_id: Uuid) -> impl Future<Output = StoreResult<Option<i64>>> + Send;
    /// Writes (or, with `None`, clears) the prediction distances of a round and
    /// the contest entries' sums. Returns false when it was already so.
    fn settle_round(&self, round_id: Uuid, contest_id: Uuid, actual: Option<i64>) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Participations exist but their aggregates were never built (a database from before the aggregates).
    fn needs_backfill(&self) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Rebuilds every aggregate from the attempts.
    fn recompute_aggregates(&self) -> impl Future<Output = StoreResult<RecomputeReport>> + Send;
    /// Every aggregate row as text, sorted (to compare maintained with recomputed).
    fn aggregate_digest(&self) -> impl Future<Output = StoreResult<Vec<String>>> + Send;
    /// Attempts in progress (for the metrics).
    fn count_active_attempts(&self) -> impl Future<Output = StoreResult<i64>> + Send;
    /// Until when logins to this phone number are locked (0: not locked).
    fn login_locked_until(&self, phone: &str) -> impl Future<Output = StoreResult<Millis>> + Send;
    /// Counts a failed login (failures a day apart start again) and locks the phone
    /// number as long as `lock_ms(failures)`; returns the lock's end.
    fn record_login_failure(&self, phone: &str, now: Millis, free: i64) -> impl Future<Output = StoreResult<Millis>> + Send;
    fn clear_login_failures(&self, phone: &str) -> impl Future<Output = StoreResult<()>> + Send;
    fn participation(&self, round_id: Uuid, user_id: Uuid) -> impl Future<Output = StoreResult<Option<ParticipationRecord>>> + Send;
    /// Attempts started in a round, by everybody.
    fn round_attempt_count(&self, round_id: Uuid) -> impl Future<Output = StoreResult<i64>> + Send;

    /// After a round's window or duration changed: every attempt in progress gets
    /// deadline = min(its start + duration, the round's close) again.
    fn recut_deadlines(&self, round_id: Uuid) -> impl Future<Output = StoreResult<u64>> + Send;
    fn append_audit(&self, entry: &AuditEntry) -> impl Future<Output = StoreResult<()>> + Send;
    /// The newest entries first.
    fn list_audit(&self, limit: i64) -> impl Future<Output = StoreResult<Vec<AuditEntry>>> + Send;
    fn set_user_role(&self, user_id: Uuid, role: &str, scope_unit_id: Option<Uuid>) -> impl Future<Output = StoreResult<()>> + Send;
    /// Freezes a round's results: the snapshot is written once and never changes.
    fn publish_round(&self, round_id: Uuid, snapshot: &str, by: Uuid, now: Millis) -> impl Future<Output = StoreResult<()>> + Send;
    fn published_results(&self, round_id: Uuid) -> impl Future<Output = StoreResult<Option<(Millis, String)>>> + Send;
    /// How many counted results rank before this one (the prediction's distance
    /// counts once the round is settled), and how many there are.
    fn rank_of(
        &self,
        round_id: Uuid,
        score: i64,
        distance: Option<i64>,
        time_used_ms: Millis,
        finished_at: Millis,
    ) -> impl Future<Output = StoreResult<(i64, i64)>> + Send;
}

/// The store chosen at start-up.
#[derive(Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// `sqlite:…` or a file path → SQLite (created if missing); `postgres://…` → PostgreSQL,
    /// with the default options (migrations run).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let url: crate::server::config::DatabaseUrl = url.parse().map_err(StoreError::Config)?;
        Self::open(&url, &Options::default()).await
    }

    pub async fn open(url: &crate::server::config::DatabaseUrl, opts: &Options) -> StoreResult<Self> {
        use crate::server::config::DatabaseUrl;
        Ok(match url {
            DatabaseUrl::Postgres(url) => AnyStore::Postgres(PgStore::open(url, opts).await?),
            DatabaseUrl::Sqlite { url, file } => AnyStore::Sqlite(SqliteStore::open(url, file, opts).await?),
        })
    }

    /// Announces changes (live sessions, round boards) to the other servers (PostgreSQL; SQLite has one server).
    pub async fn notify_live(&self, payloads: &[String]) -> StoreResult<()> {
        match self {
            AnyStore::Postgres(s) => s.notify_live(payloads).await,
            AnyStore::Sqlite(_) => Ok(()),
        }
    }

    /// Follows other servers' announcements (PostgreSQL); never returns on SQLite.
    pub async fn listen_live(&self, on: impl Fn(&str) + Send + 'static) -> StoreResult<()> {
        match self {
            AnyStore::Postgres(s) => s.listen_live(on).await,
            AnyStore::Sqlite(_) => std::future::pending().await,
        }
    }

    /// An online, consistent copy of an SQLite database into a new file (the app
    /// keeps serving). PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_to(&self, dest: &str) -> StoreResult<()> {
        match self {
            AnyStore::Sqlite(s) => s.backup_to(dest).await,
            AnyStore::Postgres(_) => Err(StoreError::Conflict("use pg_dump for PostgreSQL")),
        }
    }
}

macro_rules! delegate {
    ($( fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Store for AnyStore {
            fn backend(&self) -> &'static str {
                match self { AnyStore::Sqlite(s) => s.backend(), AnyStore::Postgres(s) => s.backend() }
            }
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyStore::Sqlite(s) => s.$name($($arg),*).await,
                        AnyStore::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate! {
    fn ping(&self) -> StoreResult<()>;
    fn insert_unit(&self, unit: &Unit, code: Option<&str>, now: Millis) -> StoreResult<()>;
    fn list_units(&self) -> StoreResult<Vec<Unit>>;
    fn unit_codes(&self) -> StoreResult<Vec<UnitCode>>;
    fn apply_units(&self, creates: &[(Unit, String)], updates: &[Unit], now: Millis) -> StoreResult<()>;
    fn update_unit(&self, unit: &Unit) -> StoreResult<()>;
    fn merge_units(&self, source: Uuid, target: Uuid) -> StoreResult<()>;
    fn insert_roster(&self, users: &[RosterUser], now: Millis) -> StoreResult<()>;
    fn roster(&self, unit_id: Uuid) -> StoreResult<Vec<RosterRow>>;
    fn activate(&self, phone: &str, code: &str, password_hash: &str) -> StoreResult<bool>;
    fn insert_user(&self, user: &NewUser) -> StoreResult<()>;
    fn user_by_phone(&self, phone: &str) -> StoreResult<Option<UserRecord>>;
    fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;
    fn count_users(&self) -> StoreResult<i64>;
    fn insert_session(&self, token_hash: &str, user_id: Uuid, now: Millis, expires_at: Millis) -> StoreResult<()>;
    fn session_user(&self, token_hash: &str, now: Millis) -> StoreResult<Option<UserRecord>>;
    fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    fn hit_rate_limit(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64>;
    fn clear_rate_limit(&self, key: &str) -> StoreResult<()>;
    fn rate_limit_hits(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64>;
    fn upsert_topic(&self, topic: &Topic) -> StoreResult<()>;
    fn list_topics(&self) -> StoreResult<Vec<Topic>>;
    fn insert_question(&self, draft: &QuestionDraft, now: Millis) -> StoreResult<Uuid>;
    fn count_questions(&self) -> StoreResult<i64>;
    fn question_pool(&self) -> StoreResult<Vec<PoolEntry>>;
    fn list_bank(&self) -> StoreResult<Vec<BankQuestion>>;
    fn bank_question(&self, id: Uuid) -> StoreResult<Option<BankQuestion>>;
    fn question_version(&self, version_id: Uuid) -> StoreResult<Option<VersionRecord>>;
    fn save_version(&self, question_id: Uuid, draft: &QuestionDraft, status: &str, now: Millis) -> StoreResult<Uuid>;
    fn set_question_status(&self, question_id: Uuid, status: &str, now: Millis) -> StoreResult<()>;
    fn import_bank(&self, ops: &[ImportOp], now: Millis) -> StoreResult<Vec<Uuid>>;
    fn stage_import(&self, id: Uuid, user_id: Uuid, file_name: &str, payload: &str, now: Millis) -> StoreResult<()>;
    fn take_staged_import(&self, id: Uuid, user_id: Uuid) -> StoreResult<Option<(String, String)>>;
    fn record_practice(&self, user_id: Uuid, version_id: Uuid, topic: &str, correct: bool, now: Millis) -> StoreResult<()>;
    fn practice_summary(&self, user_id: Uuid) -> StoreResult<Vec<PracticeStat>>;
    fn save_contest(&self, contest: &ContestRecord) -> StoreResult<()>;
    fn list_contests(&self) -> StoreResult<Vec<ContestRecord>>;
    fn contest(&self, id: Uuid) -> StoreResult<Option<ContestRecord>>;
    fn save_round(&self, round: &RoundRecord) -> StoreResult<()>;
    fn set_round_window(&self, round_id: Uuid, opens_at: Millis, closes_at: Millis) -> StoreResult<()>;
    fn list_rounds(&self) -> StoreResult<Vec<RoundRecord>>;
    fn get_round(&self, id: Uuid) -> StoreResult<Option<RoundRecord>>;
    fn start_attempt(&self, req: &StartRequest) -> StoreResult<StartOutcome>;
    fn attempt(&self, id: Uuid) -> StoreResult<Option<AttemptRecord>>;
    fn attempt_items(&self, id: Uuid) -> StoreResult<Vec<ItemRecord>>;
    fn attempt_choices(&self, id: Uuid) -> StoreResult<Vec<ChoiceRecord>>;
    fn version_texts(&self, ids: &[Uuid]) -> StoreResult<Vec<VersionText>>;
    fn save_answer(&self, attempt_id: Uuid, user_id: Uuid, version_id: Uuid, option_id: Uuid, now: Millis) -> StoreResult<()>;
    fn finalise_attempt(&self, attempt_id: Uuid, now: Millis, by_participant: bool, prediction: Option<i64>) -> StoreResult<Option<AttemptRecord>>;
    fn overdue_attempts(&self, now: Millis, limit: i64) -> StoreResult<Vec<Uuid>>;
    fn review_items(&self, attempt_id: Uuid) -> StoreResult<Vec<ReviewRecord>>;
    fn user_attempts(&self, user_id: Uuid) -> StoreResult<Vec<AttemptRecord>>;
    fn user_participations(&self, user_id: Uuid) -> StoreResult<Vec<ParticipationRecord>>;
    fn round_standings(&self, round_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<StandingRecord>>;
    fn unit_aggs(&self, scope: AggScope) -> StoreResult<Vec<UnitAgg>>;
    fn contest_board(&self, contest_id: Uuid, units: Option<&[Uuid]>, limit: i64) -> StoreResult<Vec<ContestEntryRecord>>;
    fn contest_position(&self, contest_id: Uuid, user_id: Uuid) -> StoreResult<Option<(i64, i64)>>;
    fn daily_counts(&self, round_ids: &[Uuid], units: Option<&[Uuid]>) -> StoreResult<Vec<DailyCount>>;
    fn score_distribution(&self, scope_id: Uuid) -> StoreResult<Vec<(i64, i64)>>;
    fn settlement(&self, round_id: Uuid) -> StoreResult<Option<i64>>;
    fn settle_round(&self, round_id: Uuid, contest_id: Uuid, actual: Option<i64>) -> StoreResult<bool>;
    fn needs_backfill(&self) -> StoreResult<bool>;
    fn recompute_aggregates(&self) -> StoreResult<RecomputeReport>;
    fn aggregate_digest(&self) -> StoreResult<Vec<String>>;
    fn count_active_attempts(&self) -> StoreResult<i64>;
    fn login_locked_until(&self, phone: &str) -> StoreResult<Millis>;
    fn record_login_failure(&self, phone: &str, now: Millis, free: i64) -> StoreResult<Millis>;
    fn clear_login_failures(&self, phone: &str) -> StoreResult<()>;
    fn participation(&self, round_id: Uuid, user_id: Uuid) -> StoreResult<Option<ParticipationRecord>>;
    fn round_attempt_count(&self, round_id: Uuid) -> StoreResult<i64>;
    fn recut_deadlines(&self, round_id: Uuid) -> StoreResult<u64>;
    fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    fn list_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    fn set_user_role(&self, user_id: Uuid, role: &str, scope_unit_id: Option<Uuid>) -> StoreResult<()>;
    fn publish_round(&self, round_id: Uuid, snapshot: &str, by: Uuid, now: Millis) -> StoreResult<()>;
    fn published_results(&self, round_id: Uuid) -> StoreResult<Option<(Millis, String)>>;
    fn rank_of(&self, round_id: Uuid, score: i64, distance: Option<i64>, time_used_ms: Millis, finished_at: Millis) -> StoreResult<(i64, i64)>;
}

macro_rules! delegate_live {
    ($( fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl LiveStore for AnyStore {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyStore::Sqlite(s) => s.$name($($arg),*).await,
                        AnyStore::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

delegate_live! {
    fn create_live(&self, s: &LiveSessionRecord, versions: &[Uuid]) -> StoreResult<()>;
    fn live_session(&self, id: Uuid) -> StoreResult<Option<LiveSessionRecord>>;
    fn live_by_code(&self, code: &str) -> StoreResult<Option<LiveSessionRecord>>;
    fn list_live(&self, limit: i64) -> StoreResult<Vec<LiveSessionRecord>>;
    fn live_versions(&self, id: Uuid) -> StoreResult<Vec<Uuid>>;
    fn set_live_state(&self, id: Uuid, version: i64, state: crate::domain::live::Stored, now: Millis) -> StoreResult<Option<LiveSessionRecord>>;
    fn join_live(&self, p: &NewLivePlayer) -> StoreResult<LivePlayerRecord>;
    fn live_player_by_token(&self, token_hash: &str) -> StoreResult<Option<LivePlayerRecord>>;
    fn live_player_by_user(&self, session_id: Uuid, user_id: Uuid) -> StoreResult<Option<LivePlayerRecord>>;
    fn live_answer(&self, a: &LiveAnswerInput) -> StoreResult<LiveAnswerOutcome>;
    fn live_players(&self, session_id: Uuid) -> StoreResult<Vec<LivePlayerRecord>>;
    fn live_distribution(&self, session_id: Uuid, position: i64) -> StoreResult<Vec<(Uuid, i64)>>;
    fn live_answered(&self, session_id: Uuid, position: i64) -> StoreResult<i64>;
    fn live_player_answers(&self, player_id: Uuid) -> StoreResult<Vec<(i64, Uuid, bool, i64)>>;
    fn live_all_answers(&self, session_id: Uuid) -> StoreResult<Vec<(Uuid, i64, Uuid)>>;
    fn count_live(&self, session_id: Uuid, round_id: Uuid, contest_id: Uuid, ended_at: Millis, results: &[LiveCounted], versions: &[(Uuid, i64)]) -> StoreResult<bool>;
}
