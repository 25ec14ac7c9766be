//! The outbox contract between the forwarder and the store (docs/storage-and-outbox.md).
//! `leadform-store` implements [`OutboxStore`] for SQLite and PostgreSQL.

use crate::policy::RetryPolicy;
use leadform_core::redact::{redact_url, url_host};
use leadform_core::Destination;
use std::future::Future;

/// One delivery claimed by the forwarder: a stored lead and the destination it must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    pub id: i64,
    /// Set by `claim_due`; required by the `mark_*` calls.
    pub claim_token: String,
    pub lead_id: i64,
    pub form_id: String,
    /// The destination's identity (`Destination::id`) the delivery was queued for; the forwarder
    /// finds the destination by it, never by position. `None` only for rows stored before ids
    /// existed, which are matched by [`legacy_destination_key`].
    pub destination_id: Option<String>,
    /// From [`destination_key`].
    pub destination_key: String,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The validated, cleaned submission as stored.
    pub lead: leadform_core::LeadSubmission,
    pub intent: leadform_core::Intent,
    /// The handler's clock, ms since the Unix epoch.
    pub received_at_ms: i64,
    pub client_ip: Option<String>,
    /// The visitor's `hubspotutk` cookie, when the browser sent it.
    pub hubspotutk: Option<String>,
    /// The visitor's user agent, for Marketo's `visitorData`; `None` when the form's storage
    /// policy forbade keeping it, or the browser sent none.
    pub user_agent: Option<String>,
    /// What this delivery tells the destination.
    pub event: DeliveryEvent,
}

/// The event a delivery carries (`deliveries.event`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// `lead.created`: the lead was stored.
    Created,
    /// `lead.mql`: the lead's person reached the MQL threshold.
    Mql(MqlHandOff),
}

impl DeliveryEvent {
    pub fn name(&self) -> leadform_core::definition::LeadEvent {
        match self {
            DeliveryEvent::Created => leadform_core::definition::LeadEvent::Created,
            DeliveryEvent::Mql(_) => leadform_core::definition::LeadEvent::Mql,
        }
    }
}

/// Who crossed the MQL threshold, with what score, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqlHandOff {
    pub person_id: i64,
    pub email: String,
    /// The score when the threshold was reached.
    pub score: i64,
    /// `persons.mql_at_ms`: the time of the event that took the score over the threshold.
    pub mql_at_ms: i64,
}

/// A place in a vendor limit, or how long until one frees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendSlot {
    Taken {
        slot_id: i64,
    },
    /// The window is full.
    Full {
        wait_ms: i64,
    },
    /// Too many requests of this destination are in flight at once (Marketo's 10).
    Busy {
        wait_ms: i64,
    },
}

/// May a delivery go to its destination now, given the destination's health?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageGate {
    /// The destination is not known to be failing.
    Open,
    /// It is failing and this delivery is the one probe allowed out now.
    Probe,
    /// It is failing and a probe is due or in flight: wait `wait_ms` (not an attempt).
    Wait { wait_ms: i64, failures: i64 },
}

#[derive(Debug, thiserror::Error)]
#[error("outbox store: {0}")]
pub struct OutboxError(pub String);

pub trait OutboxStore: Send + Sync + 'static {
    /// `now_ms` is the database's clock ([`OutboxStore::database_now_ms`]) in the forwarder;
    /// tests pass fixed times.
    /// Claims up to `limit` deliveries whose `next_attempt_at_ms <= now_ms` and which are `pending`,
    /// or `in_flight` with an expired lease. Sets status in_flight, lease_until = now + lease_ms,
    /// a fresh claim_token, and increments nothing yet.
    fn claim_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> impl Future<Output = Result<Vec<PendingDelivery>, OutboxError>> + Send;
    /// Now by the database's clock (ms since the Unix epoch). Every time the forwarder hands the
    /// store (`claim_due`'s now, a retry's time) is on this clock, so instances whose own clocks
    /// disagree still agree on when a lease ends.
    fn database_now_ms(&self) -> impl Future<Output = Result<i64, OutboxError>> + Send;
    /// Extends a claim's lease to `lease_ms` from now by the database's clock. `Ok(false)` when the
    /// claim is no longer held (another claim took the row): the holder must not send.
    fn renew_lease(
        &self,
        id: i64,
        claim_token: &str,
        lease_ms: i64,
    ) -> impl Future<Output = Result<bool, OutboxError>> + Send;
    /// Takes a place in `destination_key`'s vendor limit (`max` per `window_ms`), shared by every
    /// instance on the database, or says how long until one frees. The place counts as if its
    /// request ended `in_flight_ms` from now until [`OutboxStore::finish_send_slot`]. With
    /// `at_once`, at most that many of the key's places may be in flight (unanswered, each for at
    /// most `in_flight_ms`) at the same time.
    fn take_send_slot(
        &self,
        destination_key: &str,
        max: u64,
        window_ms: i64,
        in_flight_ms: i64,
        at_once: Option<u64>,
    ) -> impl Future<Output = Result<SendSlot, OutboxError>> + Send;
    /// The request of a place is over: it counts for `window_ms` from now when `counts`, else
    /// the place is given back (a Salesforce post that created no lead).
    fn finish_send_slot(
        &self,
        slot_id: i64,
        counts: bool,
        window_ms: i64,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// Whether delivery `delivery_id` may be sent to `destination_key` now. During an outage one
    /// delivery at a time becomes the probe (held for `probe_lease_ms`); the others wait for it.
    fn pass_outage_gate(
        &self,
        destination_key: &str,
        delivery_id: i64,
        probe_lease_ms: i64,
    ) -> impl Future<Output = Result<OutageGate, OutboxError>> + Send;
    /// A sent request failed in a way worth retrying: starts an outage, or after a failed probe
    /// sets the next one on `probe`'s backoff (never sooner than `retry_after_ms`).
    fn record_destination_failure(
        &self,
        destination_key: &str,
        delivery_id: i64,
        reason: &str,
        probe: &RetryPolicy,
        retry_after_ms: Option<i64>,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// The destination answered a probe: ends the outage and makes every delivery queued for it
    /// due now. Returns how many were released.
    fn end_destination_outage(
        &self,
        destination_key: &str,
    ) -> impl Future<Output = Result<u64, OutboxError>> + Send;
    /// in_flight(claim_token) → delivered; attempts += 1; stores `detail` (e.g. "HTTP 200") and
    /// `delivered_at_ms` by the database's clock.
    fn mark_delivered(
        &self,
        id: i64,
        claim_token: &str,
        detail: &str,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// in_flight(claim_token) → pending; attempts += 1 when `counts_as_attempt`
    /// (false when only a rate limit made it wait); next_attempt_at_ms; last_error.
    fn schedule_retry(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
        counts_as_attempt: bool,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// in_flight(claim_token) → pending, not an attempt, while the destination is failing and a
    /// probe decides: due at `next_attempt_at_ms` if its outage still lasts, now if it has ended
    /// (a probe's success releases only rows already waiting; this one may be recorded after it).
    fn wait_for_probe(
        &self,
        id: i64,
        claim_token: &str,
        next_attempt_at_ms: i64,
        last_error: &str,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// in_flight(claim_token) → dead; attempts += 1; last_error = reason.
    fn mark_dead(
        &self,
        id: i64,
        claim_token: &str,
        reason: &str,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// Deliveries with this destination_key marked delivered at or after `since_ms`.
    fn delivered_count_since(
        &self,
        destination_key: &str,
        since_ms: i64,
    ) -> impl Future<Output = Result<u64, OutboxError>> + Send;
}

/// The unit a vendor's rate limit applies to: `salesforce:<org_id>` (500 per org per 24 h),
/// `hubspot:<portal_id>` (50 per 10 s), `marketo:<munchkin_id>` (100 per 20 s, 10 at once),
/// `pardot:<url host>`, `webhook:<redacted url>` and `slack:<redacted url>` (scheme,
/// host and a hash: a webhook URL is often its own secret). Stored and shown with each delivery
/// row, so it must stay stable across releases and never hold a secret.
pub fn destination_key(destination: &Destination) -> String {
    match destination {
        Destination::Webhook(hook) => format!("webhook:{}", redact_url(&hook.url)),
        // A Slack webhook URL is its own secret, like a webhook's.
        Destination::Slack(slack) => format!("slack:{}", redact_url(&slack.url)),
        other => legacy_destination_key(other),
    }
}

/// The key rows were stored with before destinations had ids (a webhook's was its whole URL).
/// Only for finding the destination of such a row; never stored or shown.
pub fn legacy_destination_key(destination: &Destination) -> String {
    match destination {
        Destination::SalesforceWebToLead(sf) => format!("salesforce:{}", sf.org_id),
        Destination::Hubspot(hs) => format!("hubspot:{}", hs.portal_id),
        Destination::PardotFormHandler(pardot) => format!("pardot:{}", url_host(&pardot.url)),
        Destination::Webhook(hook) => format!("webhook:{}", hook.url),
        Destination::Marketo(mkto) => format!("marketo:{}", mkto.munchkin_id),
        // Newer than destination ids: no row was ever stored under an older key.
        Destination::Slack(_) => destination_key(destination),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadform_core::definition::{
        HubspotDestination, PardotDestination, SalesforceDestination, WebhookDestination,
    };

    #[test]
    fn keys_name_the_unit_a_vendor_limit_applies_to() {
        let sf = Destination::SalesforceWebToLead(SalesforceDestination {
            id: None,
            org_id: "00D5g000004abcd".into(),
            sandbox: false,
            field_map: Default::default(),
            attribution_map: Default::default(),
            endpoint: None,
        });
        assert_eq!(destination_key(&sf), "salesforce:00D5g000004abcd");
        let hs = Destination::Hubspot(HubspotDestination {
            id: None,
            portal_id: "123456".into(),
            form_guid: "abc".into(),
            field_map: Default::default(),
            consent: None,
            endpoint: None,
        });
        assert_eq!(destination_key(&hs), "hubspot:123456");
        let pardot = Destination::PardotFormHandler(PardotDestination {
            id: None,
            url: "https://user:pw@Go.Pardot.com:8443/l/1/2026-01-01/abc?x=1".into(),
            field_map: Default::default(),
        });
        assert_eq!(destination_key(&pardot), "pardot:go.pardot.com:8443");
        let hook = Destination::Webhook(WebhookDestination {
            id: None,
            url: "https://hooks.example.com/lead/s3cr3t".into(),
            secret_env: "LEADFORM_HOOK_SECRET".into(),
            events: leadform_core::definition::default_webhook_events(),
        });
        let key = destination_key(&hook);
        assert!(
            key.starts_with("webhook:https://hooks.example.com/…#"),
            "{key}"
        );
        assert!(!key.contains("s3cr3t"), "{key}");
        assert_eq!(
            legacy_destination_key(&hook),
            "webhook:https://hooks.example.com/lead/s3cr3t"
        );
    }
}
