//! SQLite's hot path: attempt starts, answer saves and gradings, the writes that
//! a round's opening minute is made of, run on one dedicated writer thread.
//!
//! Through sqlx every statement is a trip to sqlx's connection thread and back
//! (about 14 of them for a start), so the single SQLite writer spent most of its
//! time waiting for the next statement. Here a whole start, answer or grading is
//! one message to a thread that owns its own connection with cached prepared
//! statements, and the thread commits whatever has queued meanwhile in one
//! transaction (group commit; each request in a savepoint of its own, so one
//! failing request changes nothing and the others still land). Replies are sent
//! only after the commit: an acknowledged answer is on disk.
//!
//! The two writers never race for SQLite's lock: for each batch the thread holds
//! the connection of sqlx's one-connection write pool, which queues every other
//! write (fairly) until the batch is committed.
//!
//! What the requests do is in `attempts/sqlite.rs`.
use super::{StoreError, StoreResult};
use rusqlite::Connection;
use std::sync::mpsc;

/// At most this many requests share one transaction.
const BATCH: usize = 256;

/// What a request's work hands back: whether its savepoint must be rolled back,
/// and how to deliver its result once the batch's commit is known.
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

/// The handle the store keeps; the thread ends when the last clone is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the writer's own connection to `path` (already migrated) and starts
    /// its thread; `gate` is sqlx's one-connection write pool.
    pub(crate) fn spawn(path: &std::path::Path, gate: sqlx::SqlitePool) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536; PRAGMA temp_store = memory;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        let rt = tokio::runtime::Handle::current();
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(conn, rx, gate, rt))
            .map_err(|e| StoreError::Writer(e.to_string()))?;
        Ok(Self { jobs })
    }

    /// Runs `work` on the writer thread inside the next batch's transaction.
    pub(crate) async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |conn| {
            let result = work(conn);
            // Database failures undo the request's writes; refusals (attempts used up,
            // too soon…) keep what was done before them, as the sqlx path commits them.
            let rollback = matches!(result, Err(StoreError::Sqlite(_) | StoreError::Db(_) | StoreError::Writer(_)));
            let deliver: Deliver = Box::new(move |commit_failed| {
                let _ = tx.send(match commit_failed {
                    Some(e) => Err(StoreError::Writer(format!("commit: {e}"))),
                    None => result,
                });
            });
            (rollback, deliver)
        });
        self.jobs.send(job).map_err(|_| StoreError::Writer("writer stopped".into()))?;
        rx.await.map_err(|_| StoreError::Writer("request failed on the writer".into()))?
    }
}

/// The writer thread: one batch per turn through the gate.
fn serve(conn: Connection, rx: mpsc::Receiver<Job>, gate: sqlx::SqlitePool, rt: tokio::runtime::Handle) {
    while let Ok(first) = rx.recv() {
        let held = rt.block_on(gate.acquire());
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        match held {
            Ok(held) => {
                batch(&conn, jobs);
                // sqlx returns a pool connection from a task on the runtime
                let _in_runtime = rt.enter();
                drop(held);
            }
            Err(e) => {
                let msg = format!("write gate: {e}");
                for job in jobs {
                    fail(job, &msg);
                }
            }
        }
    }
}

/// Delivers an error without running the request.
fn fail(job: Job, msg: &str) {
    // The job owns its reply channel: dropping it unanswered reports a failure.
    drop(job);
    tracing::error!(error = msg, "sqlite writer");
}

fn batch(conn: &Connection, jobs: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let msg = e.to_string();
        for job in jobs {
            fail(job, &msg);
        }
        return;
    }
    let mut done: Vec<Deliver> = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Err(e) = exec(conn, "SAVEPOINT request") {
            tracing::error!(error = %e, "sqlite writer savepoint");
            continue; // the job is dropped: its caller gets an error
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)));
        let rollback = match &outcome {
            Ok((rollback, _)) => *rollback,
            Err(_) => true, // a panic dropped the reply channel: the caller gets an error
        };
        if rollback {
            let _ = exec(conn, "ROLLBACK TO request");
        }
        let _ = exec(conn, "RELEASE request");
        if let Ok((_, deliver)) = outcome {
            done.push(deliver);
        }
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => done.into_iter().for_each(|d| d(None)),
        Err(e) => {
            let msg = e.to_string();
            let _ = conn.execute_batch("ROLLBACK");
            tracing::error!(error = %msg, "sqlite writer commit");
            done.into_iter().for_each(|d| d(Some(&msg)));
        }
    }
}

pub(crate) fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    use std::str::FromStr;
    use uuid::Uuid;

    /// In one batch, a request that fails in the database is undone alone: the
    /// others land, and a refusal keeps what was written before it. Nothing is
    /// written while sqlx holds the write connection.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_request_is_undone_alone() {
        let path = std::env::temp_dir().join(format!("thi24-writer-{}.db", Uuid::new_v4()));
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let gate = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
        sqlx::query("CREATE TABLE t (k INTEGER PRIMARY KEY)").execute(&gate).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (0)").execute(&gate).await.unwrap();
        let w = Writer::spawn(&path, gate.clone()).unwrap();

        let mut held = gate.acquire().await.unwrap();
        let insert = |c: &Connection, k: i64| c.execute("INSERT INTO t VALUES (?1)", [k]);
        let (w1, w2, w3) = (w.clone(), w.clone(), w.clone());
        let ok = tokio::spawn(async move { w1.run(move |c| Ok(insert(c, 1)?)).await });
        let failing = tokio::spawn(async move {
            w2.run(move |c| {
                insert(c, 2)?;
                insert(c, 0)?; // the key is taken
                Ok(())
            })
            .await
        });
        let refused = tokio::spawn(async move {
            w3.run(move |c| {
                insert(c, 3)?;
                Err::<(), _>(StoreError::AttemptsExhausted)
            })
            .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let before: Vec<i64> = sqlx::query_scalar("SELECT k FROM t ORDER BY k").fetch_all(&mut *held).await.unwrap();
        assert_eq!(before, vec![0], "nothing is written while the write connection is held elsewhere");
        drop(held);

        ok.await.unwrap().unwrap();
        assert!(matches!(failing.await.unwrap(), Err(StoreError::Sqlite(_))));
        assert!(matches!(refused.await.unwrap(), Err(StoreError::AttemptsExhausted)));
        let after: Vec<i64> = sqlx::query_scalar("SELECT k FROM t ORDER BY k").fetch_all(&gate).await.unwrap();
        assert_eq!(after, vec![0, 1, 3]);
        let _ = std::fs::remove_file(&path);
    }
}
