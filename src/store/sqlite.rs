//! SQLite: the embedded default. WAL mode, a busy timeout, and every write
//! through one connection whose transactions begin IMMEDIATE: writers queue in
//! the pool instead of spinning on SQLITE_BUSY, and readers never block. Starts,
//! answers and gradings run on the writer thread (`sqlite_writer.rs`,
//! `attempts/sqlite.rs`).
use super::sql::Sql;
use super::{Ops, Options, StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::str::FromStr;
use std::time::Duration;

pub type SqliteStore = Sql<Sqlite>;

impl Sql<Sqlite> {
    /// `url` is any SQLite URL sqlx reads (`sqlite:path`, `sqlite:///abs?mode=rwc` …) or
    /// a plain file path; the file and its folder are created when missing.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        match url.parse().map_err(StoreError::Config)? {
            super::DatabaseUrl::Sqlite { url, file } => Self::open(&url, &file, &Options::default()).await,
            _ => Err(StoreError::Config(format!("not an SQLite database: {url}"))),
        }
    }

    /// Opens the database `url` names; `file` is that same file (the writer thread opens it).
    pub async fn open(url: &str, file: &std::path::Path, opts: &Options) -> StoreResult<Self> {
        if let Some(dir) = file.parent() {
            if !dir.as_os_str().is_empty() {
                let _ = std::fs::create_dir_all(dir);
            }
        }
        let base = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode: a commit survives the process being killed;
            // only a power cut may lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // a local file: no need to ping the connection before every write
            .test_before_acquire(false)
            .connect_with(base.clone())
            .await?;
        if opts.migrate {
            sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        }
        let readers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2) as u32 * 2;
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await?;
        let hot = super::sqlite_writer::Writer::spawn(file, write.clone())?;
        Ok(Self { read, write, hot })
    }
}

#[async_trait::async_trait]
impl Ops for Sql<Sqlite> {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    /// Copies the live database into `dest` (SQLite's `VACUUM INTO`: a consistent snapshot).
    async fn backup_to(&self, dest: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1").bind(dest).execute(self.writer()).await?;
        Ok(())
    }
}
