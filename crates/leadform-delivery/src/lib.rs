//! Delivery of stored leads to CRMs: the vendors' wire formats (`vendors`), the retry and
//! rate-limit policy, and the forwarder that drains the outbox through [`OutboxStore`]
//! (see docs/storage-and-outbox.md).

pub mod attempt;
pub mod forwarder;
pub mod outbox;
pub mod outcome;
pub mod policy;
pub mod rate_limit;
pub mod request;
pub mod sender;
pub mod vendors;

pub use attempt::{attempt_delivery, send_and_classify};
pub use forwarder::{Forwarder, ForwarderConfig, ForwarderError, PassSummary};
pub use outbox::{destination_key, OutboxError, OutboxStore, PendingDelivery};
pub use outcome::{parse_retry_after, DeliveryOutcome, VendorAnswer};
pub use policy::RetryPolicy;
pub use rate_limit::{RateLimiter, RateLimits, WindowLimit};
pub use request::{HttpMethod, OutgoingRequest};
pub use sender::{HttpSender, SendError};
pub use vendors::webhook::verify_signature;
