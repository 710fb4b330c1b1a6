//! PostgreSQL: for large deployments with several stateless app servers sharing
//! one database. Its hot path is in `attempts/postgres.rs`.
use super::sql::Sql;
use super::{Ops, Options, StoreResult};
use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;
use std::time::Duration;

pub type PgStore = Sql<Postgres>;

impl Sql<Postgres> {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::open(url, &Options::default()).await
    }

    pub async fn open(url: &str, opts: &Options) -> StoreResult<Self> {
        let pool = PgPoolOptions::new().max_connections(opts.max_connections).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        if opts.migrate {
            // Several app servers may start at once: the migrator takes an advisory lock.
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        }
        Ok(Self { read: pool.clone(), write: pool, hot: () })
    }
}

#[async_trait::async_trait]
impl Ops for Sql<Postgres> {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    /// Tells every server listening what changed (payloads such as `l:<session id>`).
    async fn notify_live(&self, payloads: &[String]) -> StoreResult<()> {
        for p in payloads {
            sqlx::query("SELECT pg_notify('thi24_live', $1)").bind(p).execute(self.writer()).await?;
        }
        Ok(())
    }

    /// Calls `on` with each payload another server (or this one) announced; returns
    /// only when the connection fails for good (sqlx reconnects by itself meanwhile).
    async fn listen_live(&self, on: Box<dyn for<'p> Fn(&'p str) + Send + Sync>) -> StoreResult<()> {
        let mut listener = sqlx::postgres::PgListener::connect_with(self.writer()).await?;
        listener.listen("thi24_live").await?;
        loop {
            let n = listener.recv().await?;
            on(n.payload());
        }
    }
}
