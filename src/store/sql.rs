//! What the SQL shared by SQLite and PostgreSQL is written against. Both schemas
//! use the same names; identifiers bind as `uuid::Uuid` (BLOB in SQLite, UUID in
//! PostgreSQL), times as BIGINT milliseconds, and `$n` placeholders work in both.
//!
//! Each aggregate module (`accounts`, `bank`, `contests`, `attempts`, `boards`,
//! `audit`, `live`) implements its trait once for `Sql<D>`, for any database `D`
//! that is a [`Dialect`]; what differs between the two is in `Dialect` (how a write
//! transaction begins, row-lock suffixes) and in the attempt hot path, which each
//! backend has once (`attempts/sqlite.rs`, `attempts/postgres.rs`).
use super::StoreResult;
use sqlx::{Database, Decode, Encode, Pool, Transaction, Type};

/// One of the two databases.
pub trait Dialect: Database<QueryResult: Affected> {
    const NAME: &'static str;
    /// The statement opening a write transaction.
    const BEGIN_WRITE: &'static str;
    /// Row-lock suffixes for a SELECT inside a write transaction (SQLite locks the
    /// whole database for a write transaction and needs none).
    const LOCK: &'static str;
    const SHARE: &'static str;
    /// What the backend's hot path keeps besides the pools (SQLite's writer thread).
    type Hot: Send + Sync + 'static;
}

impl Dialect for sqlx::Sqlite {
    const NAME: &'static str = "sqlite";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const LOCK: &'static str = "";
    const SHARE: &'static str = "";
    type Hot = super::sqlite_writer::Writer;
}

impl Dialect for sqlx::Postgres {
    const NAME: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const LOCK: &'static str = " FOR UPDATE";
    const SHARE: &'static str = " FOR SHARE";
    type Hot = ();
}

/// How many rows a statement changed.
pub trait Affected {
    fn rows_affected(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

impl Affected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

/// A column type both databases bind and read. The aggregate modules' impls state
/// `Uuid: Col<D>` and the like: Rust does not carry such bounds over from a trait.
pub trait Col<D: Database>: for<'q> Encode<'q, D> + for<'r> Decode<'r, D> + Type<D> + Send + Sync {}
impl<D: Database, T> Col<D> for T where T: for<'q> Encode<'q, D> + for<'r> Decode<'r, D> + Type<D> + Send + Sync {}

/// A database's pools: readers, and the writer every write transaction goes through.
pub struct Sql<D: Dialect> {
    pub(crate) read: Pool<D>,
    pub(crate) write: Pool<D>,
    pub(crate) hot: D::Hot,
}

impl<D: Dialect> Sql<D> {
    pub(crate) fn reader(&self) -> &Pool<D> {
        &self.read
    }

    pub(crate) fn writer(&self) -> &Pool<D> {
        &self.write
    }

    /// Opens a write transaction the backend's way.
    pub(crate) async fn begin_write(&self) -> StoreResult<Transaction<'static, D>> {
        Ok(self.write.begin_with(D::BEGIN_WRITE).await?)
    }
}

// Statements with a variable number of values. sqlx's QueryBuilder cannot be
// borrow-checked for a generic database (its arguments' lifetime is invariant
// there), so these write the placeholders and the caller binds in a loop.

/// `$from, $from+1, …`: `n` placeholders.
pub(crate) fn list(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($1, $2), ($3, $4), …`: `rows` tuples of `cols` placeholders.
pub(crate) fn values(rows: usize, cols: usize) -> String {
    (0..rows).map(|r| format!("({})", list(r * cols + 1, cols))).collect::<Vec<_>>().join(", ")
}

/// ` AND {column} IN (…)` with placeholders from `from` when a board is narrowed to
/// some units (none: nothing matches); empty when it is not narrowed.
pub(crate) fn unit_filter(column: &str, units: Option<&[uuid::Uuid]>, from: usize) -> String {
    match units {
        None => String::new(),
        Some([]) => format!(" AND {column} IN (NULL)"),
        Some(u) => format!(" AND {column} IN ({})", list(from, u.len())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders() {
        assert_eq!(super::list(3, 2), "$3, $4");
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::unit_filter("u", None, 2), "");
        assert_eq!(super::unit_filter("u", Some(&[]), 2), " AND u IN (NULL)");
        assert_eq!(super::unit_filter("u", Some(&[uuid::Uuid::nil(); 2]), 2), " AND u IN ($2, $3)");
    }
}
