//! Delivery of stored leads to CRMs: the vendors' wire formats (`vendors`), the retry and
//! rate-limit policy, and the forwarder that drains the outbox through [`OutboxStore`]
//! (see docs/storage-and-outbox.md).
//!
//! What each destination sends (the config types are `leadform_core::definition::*Destination`):
//!
//! A `field_map` adds to and overrides the kind's default map (`leadform_core::definition::
//! FieldMapping`); mapping a name to `null` leaves it out. A destination that would send no
//! `email` is refused when the forms are loaded.
//!
//! - **Salesforce Web-to-Lead**: `POST {host}/servlet/servlet.WebToLead?encoding=UTF-8`, urlencoded
//!   UTF-8: `oid`, the fields [`vendors::salesforce::DEFAULT_FIELD_MAP`] and the `field_map` name
//!   (no others), `lead_source` and `Campaign_ID` from the lead's hidden values, then the
//!   `attribution_map`. Checkboxes are sent as `1` when ticked. Never `retURL`.
//! - **HubSpot**: `POST {host}/submissions/v3/integration/submit/{portal}/{form}`, JSON with
//!   `submittedAt`, `fields` (every field, `first_name`/`last_name`/`job_title` renamed, then the
//!   `field_map`), `context` (no IP or `hutk` when the form may not remember the visitor) and, when
//!   the form has a consent section, `legalConsentOptions`.
//! - **Pardot**: `POST` the handler URL, urlencoded, every field under its own name unless the
//!   `field_map` renames it.
//! - **Marketo**: `POST {host}/rest/v1/leads/submitForm.json`, JSON with `formId` and one
//!   `input` of `leadFormFields` ([`vendors::marketo::DEFAULT_FIELD_MAP`] and the `field_map`, no
//!   others) and `visitorData` (page URL, query string, and the client IP unless the form may not
//!   remember the visitor), with `Authorization: Bearer` from a client-credentials token that is
//!   cached until shortly before it expires and refetched on 601/602.
//! - **Webhook**: `POST` JSON, signed: see [`vendors::webhook`] and [`verify_signature`].
//! - **Slack**: `POST` `{"text": …}` to an incoming webhook, one short message per contact request
//!   with a link to the lead's console page (`ForwarderConfig::public_url`): see [`vendors::slack`].
//!
//! Every request carries `Idempotency-Key: <submission_id>:<destination id>` (see
//! `Destination::id`), the same on each attempt. `field_map` keys may also name the hidden values
//! `lead_source` and `campaign_id`.

pub mod attempt;
pub mod clock;
pub mod forwarder;
pub mod marketo_attempt;
pub mod marketo_tokens;
pub mod outbox;
pub mod outcome;
pub mod policy;
pub mod rate_limit;
pub mod request;
pub mod routing;
pub mod sender;
pub mod vendors;

pub use attempt::{attempt_delivery, build_attempt, send_and_classify};
pub use clock::{ForwarderClock, ManualClock, SystemClock};
pub use forwarder::{Forwarder, ForwarderConfig, ForwarderError, PassSummary};
pub use outbox::{
    destination_key, legacy_destination_key, DeliveryEvent, MqlHandOff, OutageGate, OutboxError,
    OutboxStore, PendingDelivery, SendSlot,
};
pub use outcome::{
    parse_retry_after, read_retry_after, DeliveryOutcome, RetryAfter, VendorAnswer, MAX_RETRY_AFTER,
};
pub use policy::RetryPolicy;
pub use rate_limit::{RateLimiter, RateLimits, WindowLimit};
pub use request::{HttpMethod, OutgoingRequest};
pub use routing::{find_destination, MissingDestination};
pub use sender::{HttpSender, SendError};
pub use vendors::webhook::verify_signature;
