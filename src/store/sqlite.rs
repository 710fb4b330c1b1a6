//! SQLite: the embedded default. WAL mode, a busy timeout, and every write
//! through one connection whose transactions begin IMMEDIATE: writers queue in
//! the pool instead of spinning on SQLITE_BUSY, and readers never block.
use super::live::*;
use super::shared::*;
use super::*;
use crate::domain::units::Unit;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    /// The writer thread of the hot path; `None` sends it through sqlx as well
    /// (`THI24_SQLITE_WRITER=sqlx`, for comparison).
    hot: Option<super::sqlite_writer::Writer>,
}

impl SqliteStore {
    const BACKEND: &'static str = "sqlite";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    /// SQLite locks the whole database for a write transaction: no row locks.
    const LOCK: &'static str = "";
    const SHARE: &'static str = "";

    /// `url` is any SQLite URL sqlx reads (`sqlite:path`, `sqlite:///abs?mode=rwc` …) or
    /// a plain file path; the file and its folder are created when missing. Starts,
    /// answers and gradings run on the writer thread.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, true).await
    }

    /// As `connect`, choosing whether the hot path runs on the writer thread.
    pub async fn connect_with(url: &str, writer_thread: bool) -> StoreResult<Self> {
        match url.parse().map_err(StoreError::Config)? {
            crate::server::config::DatabaseUrl::Sqlite { url, file } => {
                Self::open(&url, &file, &Options { sqlite_writer_thread: writer_thread, ..Options::default() }).await
            }
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
        let hot = if opts.sqlite_writer_thread { Some(super::sqlite_writer::Writer::spawn(file, write.clone())?) } else { None };
        Ok(Self { read, write, hot })
    }

    fn hot(&self) -> Option<&super::sqlite_writer::Writer> {
        self.hot.as_ref()
    }

    fn reader(&self) -> &SqlitePool {
        &self.read
    }

    fn writer(&self) -> &SqlitePool {
        &self.write
    }

    /// Copies the live database into `dest` (SQLite's `VACUUM INTO`: a consistent snapshot).
    pub async fn backup_to(&self, dest: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&self.write).await?;
        Ok(())
    }
}

store_impl!(SqliteStore, Sqlite);
super::live::live_impl!(SqliteStore, Sqlite);
