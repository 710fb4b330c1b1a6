//! PostgreSQL: for large deployments with several stateless app servers. Write
//! transactions take row locks (`FOR UPDATE` / `FOR SHARE`) on the participation
//! and attempt rows they change, so concurrent servers serialise per participant only.
use super::live::*;
use super::shared::*;
use super::*;
use crate::domain::units::Unit;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Postgres;
use std::time::Duration;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    const BACKEND: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const LOCK: &'static str = " FOR UPDATE";
    const SHARE: &'static str = " FOR SHARE";

    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::open(url, &Options::default()).await
    }

    pub async fn open(url: &str, opts: &Options) -> StoreResult<Self> {
        let pool = PgPoolOptions::new().max_connections(opts.max_connections).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        if opts.migrate {
            // Several app servers may start at once: the migrator takes an advisory lock.
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        }
        Ok(Self { pool })
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// Starts, answers and gradings go through the pool like every other write.
    fn hot(&self) -> Option<&super::sqlite_writer::Writer> {
        None
    }

    /// Tells every server listening what changed (payloads such as `l:<session id>`).
    pub async fn notify_live(&self, payloads: &[String]) -> StoreResult<()> {
        for p in payloads {
            sqlx::query("SELECT pg_notify('thi24_live', $1)").bind(p).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Calls `on` with each payload another server (or this one) announced; returns
    /// only when the connection fails for good (sqlx reconnects by itself meanwhile).
    pub async fn listen_live(&self, on: impl Fn(&str) + Send + 'static) -> StoreResult<()> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen("thi24_live").await?;
        loop {
            let n = listener.recv().await?;
            on(n.payload());
        }
    }
}

store_impl!(PgStore, Postgres);
super::live::live_impl!(PgStore, Postgres);
