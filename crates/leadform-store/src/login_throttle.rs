//! Login throttling: failed logins counted per name and per client address in the database, so a
//! guesser cannot spread attempts over instances. Fixed windows; a success clears the name's count.

use crate::backend::with_backend;
use crate::console_error::ConsoleStoreError;
use crate::Store;

/// Failed logins allowed per window before further attempts wait for the window to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottlePolicy {
    pub window_ms: i64,
    pub per_name: i64,
    pub per_address: i64,
}

impl Default for LoginThrottlePolicy {
    fn default() -> Self {
        Self {
            window_ms: 15 * 60 * 1000,
            // A person mistyping gets five tries; a guesser gets 480 a day per name.
            per_name: 5,
            // An office behind one address has several people; still far below a guessing rate.
            per_address: 20,
        }
    }
}

/// Counts one failure in `(scope, subject)`'s window, starting a new window when the old ended.
const RECORD_FAILURE_SQL: &str = "INSERT INTO login_throttle (scope, subject, window_started_at_ms, failures)
    VALUES ($1, $2, $3, 1)
    ON CONFLICT (scope, subject) DO UPDATE SET
        failures = CASE WHEN login_throttle.window_started_at_ms + $4 <= excluded.window_started_at_ms
                        THEN 1 ELSE login_throttle.failures + 1 END,
        window_started_at_ms = CASE
                        WHEN login_throttle.window_started_at_ms + $4 <= excluded.window_started_at_ms
                        THEN excluded.window_started_at_ms ELSE login_throttle.window_started_at_ms END";

impl Store {
    /// How many milliseconds a login for `name` from `address` must wait; `None` when it may try now.
    pub async fn login_wait_ms(
        &self,
        name: &str,
        address: &str,
        now_ms: i64,
        policy: LoginThrottlePolicy,
    ) -> Result<Option<i64>, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT scope, window_started_at_ms, failures FROM login_throttle
                 WHERE (scope = 'name' AND subject = $1) OR (scope = 'address' AND subject = $2)",
            )
            .bind(name)
            .bind(address)
            .fetch_all(pool)
            .await
            .map_err(ConsoleStoreError::query(
                dialect.name(),
                "read the login throttle",
            ))?;
            let wait = rows
                .iter()
                .filter_map(|(scope, started, failures)| {
                    let limit = if scope == "name" {
                        policy.per_name
                    } else {
                        policy.per_address
                    };
                    let ends = started.saturating_add(policy.window_ms);
                    (*failures >= limit && ends > now_ms).then_some(ends - now_ms)
                })
                .max();
            Ok(wait)
        })
    }

    /// Counts a failed login against both the name and the address.
    pub async fn record_failed_login(
        &self,
        name: &str,
        address: &str,
        now_ms: i64,
        policy: LoginThrottlePolicy,
    ) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            for (scope, subject) in [("name", name), ("address", address)] {
                sqlx::query(RECORD_FAILURE_SQL)
                    .bind(scope)
                    .bind(subject)
                    .bind(now_ms)
                    .bind(policy.window_ms)
                    .execute(pool)
                    .await
                    .map_err(fail("count the failed login"))?;
            }
            Ok(())
        })
    }

    /// After a successful login the name starts afresh (the address keeps its count).
    pub async fn clear_login_failures(&self, name: &str) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            sqlx::query("DELETE FROM login_throttle WHERE scope = 'name' AND subject = $1")
                .bind(name)
                .execute(pool)
                .await
                .map_err(ConsoleStoreError::query(
                    dialect.name(),
                    "clear the login throttle",
                ))?;
            Ok(())
        })
    }
}
