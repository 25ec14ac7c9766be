//! Destinations that are failing (`destination_outages`): while one is down, one delivery at a
//! time goes out as a probe on the probe's own backoff, the others wait for it; the first probe
//! that gets an answer releases every queued delivery for that destination at once. Shared by all
//! instances on the database, and judged by its clock.

use crate::backend::{with_backend, BeginWrite, Dialect};
use crate::error::{failed, StoreError};
use crate::Store;
use leadform_delivery::{OutageGate, RetryPolicy};

impl Dialect {
    /// Reads a destination's outage row, locked against other instances. Binds: $1 key.
    fn select_outage_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "SELECT failures, next_probe_at_ms, probe_delivery_id, probe_until_ms
                 FROM destination_outages WHERE destination_key = $1"
            }
            Dialect::Postgres => {
                "SELECT failures, next_probe_at_ms, probe_delivery_id, probe_until_ms
                 FROM destination_outages WHERE destination_key = $1 FOR UPDATE"
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct OutageRow {
    failures: i64,
    next_probe_at_ms: i64,
    probe_delivery_id: Option<i64>,
    probe_until_ms: Option<i64>,
}

/// What both outage transactions start from: now by the database's clock, and the destination's
/// outage row (locked on PostgreSQL), if it has one.
struct OutageReading {
    now_ms: i64,
    outage: Option<OutageRow>,
}

/// The outage steps on an open write transaction, implemented for both databases by one macro
/// (like `ScoreTx`).
trait OutageTx {
    async fn read_outage(&mut self, destination_key: &str) -> Result<OutageReading, StoreError>;
}

macro_rules! impl_outage_tx {
    ($db:ty, $dialect:expr) => {
        impl OutageTx for sqlx::Transaction<'_, $db> {
            async fn read_outage(
                &mut self,
                destination_key: &str,
            ) -> Result<OutageReading, StoreError> {
                let dialect: Dialect = $dialect;
                let fail = |action| failed(dialect.name(), action);
                let now_ms: i64 = sqlx::query_scalar(&format!("SELECT {}", dialect.now_ms_sql()))
                    .fetch_one(&mut **self)
                    .await
                    .map_err(fail("read the database clock"))?;
                let outage = sqlx::query_as(dialect.select_outage_sql())
                    .bind(destination_key)
                    .fetch_optional(&mut **self)
                    .await
                    .map_err(fail("read an outage"))?;
                Ok(OutageReading { now_ms, outage })
            }
        }
    };
}

impl_outage_tx!(sqlx::Sqlite, Dialect::Sqlite);
impl_outage_tx!(sqlx::Postgres, Dialect::Postgres);

impl Store {
    /// May `delivery_id` be sent to `destination_key` now? See [`OutageGate`].
    pub(crate) async fn pass_outage_gate(
        &self,
        destination_key: &str,
        delivery_id: i64,
        probe_lease_ms: i64,
    ) -> Result<OutageGate, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin checking an outage"))?;
            let OutageReading { now_ms, outage } = tx.read_outage(destination_key).await?;
            let Some(outage) = outage else {
                tx.rollback()
                    .await
                    .map_err(fail("end checking an outage"))?;
                return Ok(OutageGate::Open);
            };
            let probe_held_by_other = outage.probe_delivery_id.is_some_and(|id| id != delivery_id)
                && outage.probe_until_ms.is_some_and(|until| until > now_ms);
            let gate = if probe_held_by_other {
                OutageGate::Wait {
                    wait_ms: outage.probe_until_ms.unwrap_or(now_ms) - now_ms,
                    failures: outage.failures,
                }
            } else if outage.next_probe_at_ms > now_ms
                && outage.probe_delivery_id != Some(delivery_id)
            {
                OutageGate::Wait {
                    wait_ms: outage.next_probe_at_ms - now_ms,
                    failures: outage.failures,
                }
            } else {
                sqlx::query(
                    "UPDATE destination_outages SET probe_delivery_id = $2, probe_until_ms = $3
                     WHERE destination_key = $1",
                )
                .bind(destination_key)
                .bind(delivery_id)
                .bind(now_ms.saturating_add(probe_lease_ms))
                .execute(&mut *tx)
                .await
                .map_err(fail("take the probe"))?;
                OutageGate::Probe
            };
            tx.commit().await.map_err(fail("commit an outage check"))?;
            Ok(gate)
        })
    }

    /// A request to `destination_key` failed in a way worth retrying. Starts an outage, or, when
    /// `delivery_id` was the probe, counts one more failure and sets the next probe on `probe`'s
    /// backoff (never sooner than `retry_after_ms`). Another delivery's failure during an outage
    /// (sent before it began) changes nothing: only probes move the backoff.
    pub(crate) async fn record_destination_failure(
        &self,
        destination_key: &str,
        delivery_id: i64,
        reason: &str,
        probe: &RetryPolicy,
        retry_after_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin recording an outage"))?;
            let OutageReading { now_ms, outage } = tx.read_outage(destination_key).await?;
            let after = retry_after_ms.map(|ms| std::time::Duration::from_millis(ms.max(0) as u64));
            let delay_ms = |failures: i64| {
                let attempts = u32::try_from(failures).unwrap_or(u32::MAX);
                i64::try_from(probe.delay(attempts, after).as_millis()).unwrap_or(i64::MAX)
            };
            match outage {
                None => {
                    sqlx::query(
                        "INSERT INTO destination_outages (destination_key, failures,
                             next_probe_at_ms, last_error, failing_since_ms)
                         VALUES ($1, 1, $2, $3, $4)",
                    )
                    .bind(destination_key)
                    .bind(now_ms.saturating_add(delay_ms(0)))
                    .bind(reason)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("start an outage"))?;
                }
                Some(outage) => {
                    if outage.probe_delivery_id == Some(delivery_id) {
                        sqlx::query(
                            "UPDATE destination_outages SET failures = failures + 1,
                                 next_probe_at_ms = $2, last_error = $3,
                                 probe_delivery_id = NULL, probe_until_ms = NULL
                             WHERE destination_key = $1",
                        )
                        .bind(destination_key)
                        .bind(now_ms.saturating_add(delay_ms(outage.failures)))
                        .bind(reason)
                        .execute(&mut *tx)
                        .await
                        .map_err(fail("record a failed probe"))?;
                    }
                }
            }
            tx.commit().await.map_err(fail("commit an outage"))?;
            Ok(())
        })
    }

    /// The destination answered: ends its outage, if any, and makes every delivery queued for it
    /// due now. Returns how many were released.
    pub(crate) async fn end_destination_outage(
        &self,
        destination_key: &str,
    ) -> Result<u64, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin ending an outage"))?;
            let ended = sqlx::query("DELETE FROM destination_outages WHERE destination_key = $1")
                .bind(destination_key)
                .execute(&mut *tx)
                .await
                .map_err(fail("end an outage"))?
                .rows_affected();
            let mut released = 0;
            if ended > 0 {
                let sql = format!(
                    "UPDATE deliveries SET next_attempt_at_ms = {now}
                     WHERE destination_key = $1 AND status = 'pending'
                       AND next_attempt_at_ms > {now}",
                    now = dialect.now_ms_sql()
                );
                released = sqlx::query(&sql)
                    .bind(destination_key)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("release queued deliveries"))?
                    .rows_affected();
            }
            tx.commit()
                .await
                .map_err(fail("commit the end of an outage"))?;
            Ok(released)
        })
    }
}
