//! Vendor limits counted in the database (`destination_sends`), so every instance on one
//! database keeps to one shared count: HubSpot's requests per 10 s, Salesforce's leads per day.
//! A place is taken atomically: SQLite's write transactions are exclusive, and PostgreSQL takes a
//! transaction-scoped advisory lock per destination key.

use crate::backend::{with_backend, BeginWrite, Dialect};
use crate::error::{failed, StoreError};
use crate::Store;
use leadform_delivery::SendSlot;

impl Dialect {
    /// Serialises the takers of one destination's places. Binds: $1 destination_key.
    fn lock_destination_sql(self) -> Option<&'static str> {
        match self {
            // The transaction is BEGIN IMMEDIATE: already the only writer.
            Dialect::Sqlite => None,
            Dialect::Postgres => Some("SELECT pg_advisory_xact_lock(hashtext($1))"),
        }
    }
}

const PRUNE_SQL: &str =
    "DELETE FROM destination_sends WHERE destination_key = $1 AND counts_until_ms <= $2";
/// Places counted now; when the first answered one frees; how many are still in flight.
const COUNT_SQL: &str = "SELECT COUNT(*),
        MIN(CASE WHEN in_flight = 0 THEN counts_until_ms END),
        COUNT(CASE WHEN in_flight = 1 THEN 1 END)
    FROM destination_sends WHERE destination_key = $1 AND counts_until_ms > $2";
/// How soon a full limit with requests in flight is looked at again: their places count
/// pessimistically only until they are answered, usually well within this.
const IN_FLIGHT_RECHECK_MS: i64 = 250;
const INSERT_SQL: &str =
    "INSERT INTO destination_sends (destination_key, counts_until_ms) VALUES ($1, $2) RETURNING id";

impl Store {
    /// Takes a place in `destination_key`'s limit of `max` per `window_ms` if one is free. The place
    /// counts pessimistically (`in_flight_ms + window_ms` from now) until
    /// [`Store::finish_slot`] says when the vendor answered.
    pub(crate) async fn take_slot(
        &self,
        destination_key: &str,
        max: u64,
        window_ms: i64,
        in_flight_ms: i64,
    ) -> Result<SendSlot, StoreError> {
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin taking a rate-limit place"))?;
            if let Some(lock) = dialect.lock_destination_sql() {
                sqlx::query(lock)
                    .bind(destination_key)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("lock a destination's rate limit"))?;
            }
            // Read after the lock: the time the count is judged at is never older than the
            // places others took before us.
            let now_ms: i64 = sqlx::query_scalar(&format!("SELECT {}", dialect.now_ms_sql()))
                .fetch_one(&mut *tx)
                .await
                .map_err(fail("read the database clock"))?;
            sqlx::query(PRUNE_SQL)
                .bind(destination_key)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .map_err(fail("forget old rate-limit places"))?;
            let (counted, first_free_ms, in_flight): (i64, Option<i64>, i64) =
                sqlx::query_as(COUNT_SQL)
                    .bind(destination_key)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(fail("count rate-limit places"))?;
            let slot = if counted < max {
                let counts_until_ms = now_ms
                    .saturating_add(in_flight_ms)
                    .saturating_add(window_ms);
                let slot_id: i64 = sqlx::query_scalar(INSERT_SQL)
                    .bind(destination_key)
                    .bind(counts_until_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(fail("take a rate-limit place"))?;
                SendSlot::Taken { slot_id }
            } else {
                // The earliest answered place frees when its count ends; one in flight frees
                // sooner (when answered), so look again shortly.
                let answered_wait_ms = first_free_ms.map(|at| at.saturating_sub(now_ms).max(0) + 1);
                let wait_ms = match (answered_wait_ms, in_flight > 0) {
                    (Some(wait), false) => wait,
                    (Some(wait), true) => wait.min(IN_FLIGHT_RECHECK_MS),
                    (None, _) => IN_FLIGHT_RECHECK_MS,
                };
                SendSlot::Full { wait_ms }
            };
            tx.commit()
                .await
                .map_err(fail("commit a rate-limit place"))?;
            Ok(slot)
        })
    }

    /// The vendor answered (or the request failed): a place that `counts` now counts for
    /// `window_ms` from this moment by the database's clock; one that does not is given back.
    pub(crate) async fn finish_slot(
        &self,
        slot_id: i64,
        counts: bool,
        window_ms: i64,
    ) -> Result<(), StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = failed(dialect.name(), "finish a rate-limit place");
            if counts {
                let sql = format!(
                    "UPDATE destination_sends SET counts_until_ms = {} + $2, in_flight = 0 \
                     WHERE id = $1",
                    dialect.now_ms_sql()
                );
                sqlx::query(&sql)
                    .bind(slot_id)
                    .bind(window_ms)
                    .execute(pool)
                    .await
                    .map_err(fail)?;
            } else {
                sqlx::query("DELETE FROM destination_sends WHERE id = $1")
                    .bind(slot_id)
                    .execute(pool)
                    .await
                    .map_err(fail)?;
            }
        });
        Ok(())
    }
}
