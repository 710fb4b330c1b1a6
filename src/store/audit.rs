//! The audit log.
use super::sql::{Col, Dialect, Sql};
use super::types::*;
use super::StoreResult;
use uuid::Uuid;

#[async_trait::async_trait]
pub trait Audit: Send + Sync {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// The newest entries first.
    async fn list_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

#[async_trait::async_trait]
impl<D: Dialect> Audit for Sql<D>
where
    for<'c> &'c mut D::Connection: sqlx::Executor<'c, Database = D>,
    for<'a> &'a str: sqlx::Encode<'a, D> + sqlx::Type<D> + sqlx::ColumnIndex<D::Row>,
    usize: sqlx::ColumnIndex<D::Row>,
    for<'q> D::Arguments<'q>: sqlx::IntoArguments<'q, D>,
    for<'a> Option<&'a str>: sqlx::Encode<'a, D> + sqlx::Type<D>,
    Uuid: Col<D>,
    Option<Uuid>: Col<D>,
    i64: Col<D>,
    Option<i64>: Col<D>,
    String: Col<D>,
    Option<String>: Col<D>,
    bool: Col<D>,
{
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
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
}
