//! Delivery health: what the outbox still holds, by destination.

use crate::delivery_status::DeliveryStatus;
use serde::Serialize;
use sqlx::Row;

use crate::backend::{with_backend, Backend};
use crate::error::failed;

use super::query::{OverviewQuery, ReportError};

/// One destination's undelivered work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestinationHealth {
    pub destination_kind: String,
    pub destination_key: String,
    /// Waiting to be delivered (`pending` or `in_flight`), retries included.
    pub pending: u64,
    /// Of `pending`, those that have failed at least once and wait for a retry.
    pub retrying: u64,
    /// Given up on, with the vendor's reason; they wait for someone to retry them.
    pub dead: u64,
}

pub(crate) async fn delivery_health(
    backend: &Backend,
    query: &OverviewQuery,
) -> Result<Vec<DestinationHealth>, ReportError> {
    // Only undelivered rows are read, through the (status, next_attempt_at_ms) index: delivered
    // history, the bulk of the table, is never scanned. Spam leads have no deliveries.
    let sql = format!(
        "SELECT d.destination_kind, d.destination_key, d.status,
                CAST(CASE WHEN d.attempts > 0 THEN 1 ELSE 0 END AS BIGINT) AS failed_before,
                COUNT(*) AS deliveries
         FROM deliveries d JOIN leads l ON l.id = d.lead_id
         WHERE d.status IN ('pending', 'in_flight', 'dead') AND l.is_spam = FALSE{form}
         GROUP BY d.destination_kind, d.destination_key, d.status, failed_before
         ORDER BY d.destination_kind, d.destination_key",
        form = query.form_clause("l.form_id", 1),
    );
    let groups = with_backend!(backend, |pool, dialect| {
        let read = failed(dialect.name(), "count the deliveries by destination");
        let mut statement = sqlx::query(&sql);
        if let Some(form_id) = &query.form_id {
            statement = statement.bind(form_id);
        }
        let rows = statement.fetch_all(pool).await.map_err(&read)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("destination_kind").map_err(&read)?;
                let key: String = row.try_get("destination_key").map_err(&read)?;
                let status: String = row.try_get("status").map_err(&read)?;
                let status: DeliveryStatus = status.parse().map_err(ReportError::Store)?;
                let failed_before: i64 = row.try_get("failed_before").map_err(&read)?;
                let deliveries: i64 = row.try_get("deliveries").map_err(&read)?;
                Ok((
                    kind,
                    key,
                    status,
                    failed_before == 1,
                    u64::try_from(deliveries).unwrap_or(0),
                ))
            })
            .collect::<Result<Vec<_>, ReportError>>()?
    });
    let mut health: Vec<DestinationHealth> = Vec::new();
    for (kind, key, status, failed_before, deliveries) in groups {
        let same_destination = matches!(health.last(),
            Some(last) if last.destination_kind == kind && last.destination_key == key);
        if !same_destination {
            health.push(DestinationHealth {
                destination_kind: kind,
                destination_key: key,
                pending: 0,
                retrying: 0,
                dead: 0,
            });
        }
        let Some(destination) = health.last_mut() else {
            continue;
        };
        if status == DeliveryStatus::Dead {
            destination.dead += deliveries;
        } else {
            destination.pending += deliveries;
            if failed_before {
                destination.retrying += deliveries;
            }
        }
    }
    Ok(health)
}
