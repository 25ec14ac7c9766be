//! Delivery of stored leads to CRMs: the vendors' wire formats, the retry and rate-limit policy, and
//! the forwarder that drains the outbox through [`OutboxStore`] (see docs/storage-and-outbox.md).

pub mod outbox;

pub use outbox::{destination_key, OutboxError, OutboxStore, PendingDelivery};
