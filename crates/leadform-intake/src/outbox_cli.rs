//! `leadform-intake outbox list|retry`: see and replay CRM deliveries.

use leadform_core::redact::clean_vendor_text;
use leadform_store::{DeliveryFilter, DeliveryRecord, DeliveryStatus, Store, StoreError};
use std::io::Write;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum OutboxCliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the list failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "there is no delivery {0} that can be retried (unknown id, already delivered or in flight, \
         or cancelled because its lead was erased)"
    )]
    NotRetryable(i64),
    #[error("say which deliveries to retry: a delivery id, or --dead for every dead one")]
    NothingToRetry,
    #[error("give either a delivery id or --dead, not both")]
    BothRetryTargets,
}

/// What `outbox retry` replays. Neither an id nor `--dead` is an error, never a mass replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryTarget {
    One(i64),
    Dead,
}

impl RetryTarget {
    pub fn from_args(id: Option<i64>, dead: bool) -> Result<Self, OutboxCliError> {
        match (id, dead) {
            (Some(id), false) => Ok(RetryTarget::One(id)),
            (None, true) => Ok(RetryTarget::Dead),
            (None, false) => Err(OutboxCliError::NothingToRetry),
            (Some(_), true) => Err(OutboxCliError::BothRetryTargets),
        }
    }
}

/// A stored reason is at most 300 characters plus the forwarder's own words around it.
const MAX_PRINTED_ERROR_CHARS: usize = 600;

pub async fn list(
    store: &Store,
    status: Option<DeliveryStatus>,
    out: &mut impl Write,
) -> Result<(), OutboxCliError> {
    let filter = match status {
        Some(status) => DeliveryFilter::Status(status),
        None => DeliveryFilter::All,
    };
    let deliveries = store.list_deliveries(filter).await?;
    write_table(&deliveries, out)?;
    Ok(())
}

fn write_table(deliveries: &[DeliveryRecord], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<6} {:<6} {:<16} {:<24} {:<12} {:<10} {:>8}  {:<24}  last error / delivered at",
        "id", "lead", "form", "destination", "event", "status", "attempts", "next attempt"
    )?;
    for d in deliveries {
        let note = match (&d.delivered_at, &d.last_error) {
            (Some(at), _) => format!("delivered {at}"),
            // Cleaned again when printed: rows stored by older releases may hold a vendor's
            // terminal escape sequences.
            (None, Some(error)) => clean_vendor_text(error, MAX_PRINTED_ERROR_CHARS),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "{:<6} {:<6} {:<16} {:<24} {:<12} {:<10} {:>8}  {:<24}  {note}",
            d.id,
            d.lead_id,
            d.form_id,
            d.destination_id.as_deref().unwrap_or(&d.destination_key),
            d.event,
            d.status,
            d.attempts,
            d.next_attempt_at.as_deref().unwrap_or("-"),
        )?;
    }
    writeln!(out, "{} deliveries", deliveries.len())
}

/// Moves one dead or pending delivery back to pending, due now.
pub async fn retry_one(store: &Store, id: i64) -> Result<String, OutboxCliError> {
    if store.retry_delivery(id).await? {
        Ok(format!(
            "delivery {id} is pending again and will be sent shortly"
        ))
    } else {
        Err(OutboxCliError::NotRetryable(id))
    }
}

/// Moves every dead delivery back to pending.
pub async fn retry_dead(store: &Store) -> Result<String, OutboxCliError> {
    let count = store.retry_dead().await?;
    Ok(format!("{count} dead deliveries are pending again"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_needs_exactly_one_target() {
        assert_eq!(
            RetryTarget::from_args(Some(7), false).ok(),
            Some(RetryTarget::One(7))
        );
        assert_eq!(
            RetryTarget::from_args(None, true).ok(),
            Some(RetryTarget::Dead)
        );
        assert!(matches!(
            RetryTarget::from_args(None, false),
            Err(OutboxCliError::NothingToRetry)
        ));
        assert!(matches!(
            RetryTarget::from_args(Some(7), true),
            Err(OutboxCliError::BothRetryTargets)
        ));
    }
}
