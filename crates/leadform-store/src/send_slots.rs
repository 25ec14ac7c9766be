//! Vendor limits counted in the database (`destination_sends`), so every instance on one
//! database keeps to one shared count: HubSpot's requests per 10 s, Salesforce's leads per day,
//! Marketo's calls per 20 s and at once.
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
/// Places counted now; when the first answered one frees; how many are still in flight; how many
/// of those are still within their in-flight time (`counts_until_ms - window`): a killed
/// instance's unanswered place stops counting as running once its request could no longer be.
/// Binds: $1 key, $2 now, $3 window_ms.
const COUNT_SQL: &str = "SELECT COUNT(*),
        MIN(CASE WHEN in_flight = 0 THEN counts_until_ms END),
        COUNT(CASE WHEN in_flight = 1 THEN 1 END),
        COUNT(CASE WHEN in_flight = 1 AND counts_until_ms - $3 > $2 THEN 1 END)
    FROM destination_sends WHERE destination_key = $1 AND counts_until_ms > $2";
/// How soon a full limit with requests in flight is looked at again: their places count
/// pessimistically only until they are answered, usually well within this.
const IN_FLIGHT_RECHECK_MS: i64 = 250;
const INSERT_SQL: &str =
    "INSERT INTO destination_sends (destination_key, counts_until_ms) VALUES ($1, $2) RETURNING id";

impl Store {
    /// Takes a place in `destination_key`'s limit of `max` per `window_ms` if one is free. The place
    /// counts pessimistically (`in_flight_ms + window_ms` from now) until
    /// [`Store::finish_slot`] says when the vendor answered. With `at_once`, no more than that
    /// many places may be running (in flight) at the same time.
    pub(crate) async fn take_slot(
        &self,
        destination_key: &str,
        max: u64,
        window_ms: i64,
        in_flight_ms: i64,
        at_once: Option<u64>,
    ) -> Result<SendSlot, StoreError> {
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        let at_once = at_once.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
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
            let (counted, first_free_ms, in_flight, running): (i64, Option<i64>, i64, i64) =
                sqlx::query_as(COUNT_SQL)
                    .bind(destination_key)
                    .bind(now_ms)
                    .bind(window_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(fail("count rate-limit places"))?;
            let slot = if counted < max && running >= at_once {
                // A running call frees its place when answered, usually within a second.
                SendSlot::Busy {
                    wait_ms: IN_FLIGHT_RECHECK_MS,
                }
            } else if counted < max {
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
