//! Storage: one trait per aggregate (`accounts`, `bank`, `contests`, `attempts`,
//! `boards`, `audit`, `live`), each implemented once for both databases in its own
//! module (`Sql<D>`, see `sql.rs`), except the attempt hot path, which each backend
//! has once (`attempts/sqlite.rs` on SQLite's writer thread, `attempts/postgres.rs`).
//! `AnyStore` is the store chosen at start-up from `DATABASE_URL`.
pub mod accounts;
pub mod attempts;
pub mod audit;
pub mod bank;
pub mod boards;
pub mod contests;
pub mod live;
mod postgres;
mod rows;
pub mod sql;
mod sqlite;
mod sqlite_writer;
pub mod types;
mod url;

pub use accounts::Accounts;
pub use attempts::{Attempts, HotPath};
pub use audit::Audit;
pub use bank::Bank;
pub use boards::Boards;
pub use contests::Contests;
pub use live::{LiveAnswerInput, LiveAnswerOutcome, LiveCounted, LivePlayerRecord, LiveSessionRecord, LiveStore, NewLivePlayer};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;
pub use url::DatabaseUrl;

use std::sync::Arc;

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
    /// A row holds a value the application does not know (it is never read as a default).
    #[error("bad row: {0}")]
    BadRow(String),
    /// The database's address cannot be used.
    #[error("{0}")]
    Config(String),
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct Options {
    /// PostgreSQL's pool size per app server.
    pub max_connections: u32,
    /// Bring the schema up to date (never for a backup).
    pub migrate: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_connections: 20, migrate: true }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What differs between the databases beyond SQL: health, announcements between
/// app servers, backups.
#[async_trait::async_trait]
pub trait Ops: Send + Sync {
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;
    /// Announces changes (live sessions, round boards) to the other servers (PostgreSQL; SQLite has one server).
    async fn notify_live(&self, _payloads: &[String]) -> StoreResult<()> {
        Ok(())
    }
    /// Follows other servers' announcements (PostgreSQL); never returns on SQLite.
    async fn listen_live(&self, _on: Box<dyn for<'p> Fn(&'p str) + Send + Sync>) -> StoreResult<()> {
        std::future::pending().await
    }
    /// An online, consistent copy of an SQLite database into a new file (the app
    /// keeps serving). PostgreSQL is backed up with its own tools (`pg_dump`).
    async fn backup_to(&self, _dest: &str) -> StoreResult<()> {
        Err(StoreError::Conflict("use pg_dump for PostgreSQL"))
    }
}

/// Everything the application keeps. One contract test suite
/// (tests/store_contract.rs) runs against both databases.
pub trait Store: Ops + Accounts + Bank + Contests + Attempts + HotPath + Boards + Audit + LiveStore + 'static {}
impl<T: Ops + Accounts + Bank + Contests + Attempts + HotPath + Boards + Audit + LiveStore + 'static> Store for T {}

/// The store chosen at start-up; its methods are those of [`Store`].
#[derive(Clone)]
pub struct AnyStore(Arc<dyn Store>);

impl std::ops::Deref for AnyStore {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl<S: Store> From<S> for AnyStore {
    fn from(s: S) -> Self {
        AnyStore(Arc::new(s))
    }
}

impl AnyStore {
    /// `sqlite:…` or a file path → SQLite (created if missing); `postgres://…` → PostgreSQL,
    /// with the default options (migrations run).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let url: DatabaseUrl = url.parse().map_err(StoreError::Config)?;
        Self::open(&url, &Options::default()).await
    }

    pub async fn open(url: &DatabaseUrl, opts: &Options) -> StoreResult<Self> {
        Ok(match url {
            DatabaseUrl::Postgres(url) => PgStore::open(url, opts).await?.into(),
            DatabaseUrl::Sqlite { url, file } => SqliteStore::open(url, file, opts).await?.into(),
        })
    }
}
