//! Units and their rosters, accounts, sessions, rate limits and login lockouts, roles.
use super::rows::*;
use super::sql::{values, Affected, Col, Dialect, Sql};
use super::types::*;
use super::{StoreError, StoreResult};
use crate::domain::units::Unit;
use crate::domain::Millis;
use uuid::Uuid;

#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    async fn insert_unit(&self, unit: &Unit, code: Option<&str>, now: Millis) -> StoreResult<()>;
    /// Units in use (not merged into another).
    async fn list_units(&self) -> StoreResult<Vec<Unit>>;
    async fn unit_codes(&self) -> StoreResult<Vec<UnitCode>>;
    /// Creates (with their codes) and updates units in one transaction: all or nothing.
    async fn apply_units(&self, creates: &[(Unit, String)], updates: &[Unit], now: Millis) -> StoreResult<()>;
    /// Renames, moves or changes the headcount of a unit.
    async fn update_unit(&self, unit: &Unit) -> StoreResult<()>;
    /// Moves everything of `source` (children, members, their participations, contests,
    /// scopes) to `target` and marks `source` merged; attempts keep their history.
    async fn merge_units(&self, source: Uuid, target: Uuid) -> StoreResult<()>;
    /// Creates roster accounts, all or none (a taken phone number fails them all).
    async fn insert_roster(&self, users: &[RosterUser], now: Millis) -> StoreResult<()>;
    async fn roster(&self, unit_id: Uuid) -> StoreResult<Vec<RosterRow>>;
    /// Sets the password of a roster account whose code matches; false when none does.
    async fn activate(&self, phone: &str, code: &str, password_hash: &str) -> StoreResult<bool>;
    /// Fails with `Conflict("phone")` when the phone number is taken.
    async fn insert_user(&self, user: &NewUser) -> StoreResult<()>;
    async fn user_by_phone(&self, phone: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;
    async fn count_users(&self) -> StoreResult<i64>;
    async fn insert_session(&self, token_hash: &str, user_id: Uuid, now: Millis, expires_at: Millis) -> StoreResult<()>;
    /// The user of a live session.
    async fn session_user(&self, token_hash: &str, now: Millis) -> StoreResult<Option<UserRecord>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Counts one hit for `key` in a fixed window of `window_ms` and returns the
    /// number of hits in the current window, this one included.
    async fn hit_rate_limit(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64>;
    async fn clear_rate_limit(&self, key: &str) -> StoreResult<()>;
    /// The hits counted for `key` in its current window (0 once the window has passed).
    async fn rate_limit_hits(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64>;
    /// Until when logins to this phone number are locked (0: not locked).
    async fn login_locked_until(&self, phone: &str) -> StoreResult<Millis>;
    /// Counts a failed login (failures a day apart start again) and locks the phone
    /// number as long as `lock_ms(failures)`; returns the lock's end.
    async fn record_login_failure(&self, phone: &str, now: Millis, free: i64) -> StoreResult<Millis>;
    async fn clear_login_failures(&self, phone: &str) -> StoreResult<()>;
    async fn set_user_role(&self, user_id: Uuid, role: &str, scope_unit_id: Option<Uuid>) -> StoreResult<()>;
}

#[async_trait::async_trait]
impl<D: Dialect> Accounts for Sql<D>
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
    async fn insert_unit(&self, unit: &Unit, code: Option<&str>, now: Millis) -> StoreResult<()> {
        sqlx::query("INSERT INTO units (id, parent_id, code, name, kind, headcount, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(unit.id)
            .bind(unit.parent_id)
            .bind(code)
            .bind(&unit.name)
            .bind(unit.kind.as_str())
            .bind(unit.headcount)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn list_units(&self) -> StoreResult<Vec<Unit>> {
        let rows: Vec<UnitRow> =
            sqlx::query_as("SELECT id, parent_id, name, kind, headcount FROM units WHERE merged_into IS NULL ORDER BY name")
                .fetch_all(self.reader())
                .await?;
        convert(rows)
    }

    async fn unit_codes(&self) -> StoreResult<Vec<UnitCode>> {
        Ok(sqlx::query_as("SELECT id, code FROM units WHERE merged_into IS NULL").fetch_all(self.reader()).await?)
    }

    async fn apply_units(&self, creates: &[(Unit, String)], updates: &[Unit], now: Millis) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        // parents before children: the caller orders creates so
        for (u, code) in creates {
            let r = sqlx::query(
                "INSERT INTO units (id, parent_id, code, name, kind, headcount, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(u.id)
            .bind(u.parent_id)
            .bind(code)
            .bind(&u.name)
            .bind(u.kind.as_str())
            .bind(u.headcount)
            .bind(now)
            .execute(&mut *tx)
            .await;
            if let Err(e) = r {
                return Err(if is_unique_violation(&e) { StoreError::Conflict("unit code") } else { e.into() });
            }
        }
        for u in updates {
            sqlx::query("UPDATE units SET parent_id = $2, name = $3, kind = $4, headcount = $5 WHERE id = $1")
                .bind(u.id)
                .bind(u.parent_id)
                .bind(&u.name)
                .bind(u.kind.as_str())
                .bind(u.headcount)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn update_unit(&self, u: &Unit) -> StoreResult<()> {
        let n = sqlx::query("UPDATE units SET parent_id = $2, name = $3, kind = $4, headcount = $5 WHERE id = $1 AND merged_into IS NULL")
            .bind(u.id)
            .bind(u.parent_id)
            .bind(&u.name)
            .bind(u.kind.as_str())
            .bind(u.headcount)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn merge_units(&self, source: Uuid, target: Uuid) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for sql in [
            "UPDATE units SET parent_id = $2 WHERE parent_id = $1",
            "UPDATE users SET unit_id = $2 WHERE unit_id = $1",
            "UPDATE users SET scope_unit_id = $2 WHERE scope_unit_id = $1",
            "UPDATE participations SET unit_id = $2 WHERE unit_id = $1",
            "UPDATE contests SET audience_unit_id = $2 WHERE audience_unit_id = $1",
            // the aggregates follow the members: the source's rows add into the target's
            "INSERT INTO unit_round_stats (round_id, unit_id, participants, attempts, graded, score_sum, perfect) \
             SELECT round_id, $2, participants, attempts, graded, score_sum, perfect FROM unit_round_stats WHERE unit_id = $1 \
             ON CONFLICT (round_id, unit_id) DO UPDATE SET participants = unit_round_stats.participants + excluded.participants, \
               attempts = unit_round_stats.attempts + excluded.attempts, graded = unit_round_stats.graded + excluded.graded, \
               score_sum = unit_round_stats.score_sum + excluded.score_sum, perfect = unit_round_stats.perfect + excluded.perfect",
            "DELETE FROM unit_round_stats WHERE unit_id = $1",
            "INSERT INTO unit_contest_stats (contest_id, unit_id, participants, attempts, graded, score_sum, perfect) \
             SELECT contest_id, $2, participants, attempts, graded, score_sum, perfect FROM unit_contest_stats WHERE unit_id = $1 \
             ON CONFLICT (contest_id, unit_id) DO UPDATE SET participants = unit_contest_stats.participants + excluded.participants, \
               attempts = unit_contest_stats.attempts + excluded.attempts, graded = unit_contest_stats.graded + excluded.graded, \
               score_sum = unit_contest_stats.score_sum + excluded.score_sum, perfect = unit_contest_stats.perfect + excluded.perfect",
            "DELETE FROM unit_contest_stats WHERE unit_id = $1",
            "INSERT INTO unit_daily (round_id, unit_id, day, attempts, new_participants) \
             SELECT round_id, $2, day, attempts, new_participants FROM unit_daily WHERE unit_id = $1 \
             ON CONFLICT (round_id, unit_id, day) DO UPDATE SET attempts = unit_daily.attempts + excluded.attempts, \
               new_participants = unit_daily.new_participants + excluded.new_participants",
            "DELETE FROM unit_daily WHERE unit_id = $1",
            "UPDATE contest_entries SET unit_id = $2 WHERE unit_id = $1",
            "UPDATE units SET headcount = headcount + (SELECT headcount FROM units WHERE id = $1) WHERE id = $2",
            "UPDATE units SET merged_into = $2, headcount = 0 WHERE id = $1",
        ] {
            sqlx::query(sql).bind(source).bind(target).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_roster(&self, users: &[RosterUser], now: Millis) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for chunk in users.chunks(1_000) {
            let sql = format!(
                "INSERT INTO users (id, full_name, phone, unit_id, password_hash, role, created_at, position, activation_code) VALUES {}",
                values(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q.bind(u.id).bind(&u.full_name).bind(&u.phone).bind(u.unit_id).bind("").bind("participant").bind(now);
                q = q.bind(&u.position).bind(&u.activation_code);
            }
            if let Err(e) = q.execute(&mut *tx).await {
                return Err(if is_unique_violation(&e) { StoreError::Conflict("phone") } else { e.into() });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn roster(&self, unit_id: Uuid) -> StoreResult<Vec<RosterRow>> {
        Ok(sqlx::query_as("SELECT full_name, phone, position, activation_code FROM users WHERE unit_id = $1 ORDER BY full_name")
            .bind(unit_id)
            .fetch_all(self.reader())
            .await?)
    }

    async fn activate(&self, phone: &str, code: &str, password_hash: &str) -> StoreResult<bool> {
        Ok(sqlx::query("UPDATE users SET password_hash = $3, activation_code = NULL WHERE phone = $1 AND activation_code = $2")
            .bind(phone)
            .bind(code)
            .bind(password_hash)
            .execute(self.writer())
            .await?
            .rows_affected()
            == 1)
    }

    async fn insert_user(&self, u: &NewUser) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO users (id, full_name, phone, unit_id, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(u.id)
        .bind(&u.full_name)
        .bind(&u.phone)
        .bind(u.unit_id)
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(u.created_at)
        .execute(self.writer())
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("phone")),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    async fn user_by_phone(&self, phone: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{USER_SELECT} WHERE u.phone = $1");
        Ok(sqlx::query_as(&sql).bind(phone).fetch_optional(self.reader()).await?)
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{USER_SELECT} WHERE u.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.reader()).await?)
    }

    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(self.reader()).await?)
    }

    async fn insert_session(&self, token_hash: &str, user_id: Uuid, now: Millis, expires_at: Millis) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: Millis) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{USER_SELECT} JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2");
        Ok(sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_optional(self.reader()).await?)
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(self.writer()).await?;
        Ok(())
    }

    async fn hit_rate_limit(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
               window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
             RETURNING hits",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(self.writer())
        .await?)
    }

    async fn clear_rate_limit(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_limits WHERE key = $1").bind(key).execute(self.writer()).await?;
        Ok(())
    }

    async fn rate_limit_hits(&self, key: &str, now: Millis, window_ms: Millis) -> StoreResult<i64> {
        let hits: Option<i64> = sqlx::query_scalar("SELECT hits FROM rate_limits WHERE key = $1 AND window_start > $2")
            .bind(key)
            .bind(now - window_ms)
            .fetch_optional(self.reader())
            .await?;
        Ok(hits.unwrap_or(0))
    }

    async fn login_locked_until(&self, phone: &str) -> StoreResult<Millis> {
        let until: Option<i64> = sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE phone = $1")
            .bind(phone)
            .fetch_optional(self.reader())
            .await?;
        Ok(until.unwrap_or(0))
    }

    async fn record_login_failure(&self, phone: &str, now: Millis, free: i64) -> StoreResult<Millis> {
        use crate::domain::lockout;
        let mut tx = self.begin_write().await?;
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (phone, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2) \
             ON CONFLICT (phone) DO UPDATE SET updated_at = excluded.updated_at, \
               failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END \
             RETURNING failures",
        )
        .bind(phone)
        .bind(now)
        .bind(now - lockout::FORGET_AFTER_MS)
        .fetch_one(&mut *tx)
        .await?;
        let lock = lockout::lock_ms(failures, free);
        let until = if lock > 0 { now + lock } else { 0 };
        sqlx::query("UPDATE login_failures SET locked_until = $2 WHERE phone = $1").bind(phone).bind(until).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(until)
    }

    async fn clear_login_failures(&self, phone: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE phone = $1").bind(phone).execute(self.writer()).await?;
        Ok(())
    }

    async fn set_user_role(&self, user_id: Uuid, role: &str, scope_unit_id: Option<Uuid>) -> StoreResult<()> {
        let n = sqlx::query("UPDATE users SET role = $2, scope_unit_id = $3 WHERE id = $1")
            .bind(user_id)
            .bind(role)
            .bind(scope_unit_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
