//! Where a delivery stands in the outbox (`deliveries.status`). Rust code matches on the enum;
//! only SQL holds the stored text.

use crate::error::StoreError;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent: new, retrying after a failure, or waiting for a rate limit or probe.
    Pending,
    /// Claimed by a forwarder under a lease.
    InFlight,
    Delivered,
    /// Out of attempts or refused for good; `outbox retry` sends it again.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::InFlight,
        DeliveryStatus::Delivered,
        DeliveryStatus::Dead,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::InFlight => "in_flight",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeliveryStatus {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, StoreError> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| StoreError::UnknownStatus(text.to_owned()))
    }
}

/// For `#[sqlx(try_from = "String")]` on row structs.
impl TryFrom<String> for DeliveryStatus {
    type Error = StoreError;

    fn try_from(text: String) -> Result<Self, StoreError> {
        text.parse()
    }
}

/// The status of delivery `delivery_id` as stored; anything else is a corrupt row.
pub(crate) fn read_delivery_status(
    delivery_id: i64,
    stored: &str,
) -> Result<DeliveryStatus, StoreError> {
    stored.parse().map_err(|error| StoreError::CorruptRow {
        what: format!("status of delivery {delivery_id}"),
        detail: format!("{error}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_stored_text() {
        for status in DeliveryStatus::ALL {
            assert_eq!(status.as_str().parse::<DeliveryStatus>().ok(), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
        }
    }

    #[test]
    fn a_foreign_stored_status_names_the_delivery() {
        let error = read_delivery_status(7, "failed").expect_err("not a status");
        assert!(
            error.to_string().contains("status of delivery 7"),
            "{error}"
        );
    }
}
