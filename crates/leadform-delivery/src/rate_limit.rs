//! Per-destination vendor limits: HubSpot 50 requests per rolling 10 s per portal, Salesforce 500
//! leads per rolling 24 h per org, Marketo 100 calls per rolling 20 s and 10 at once per instance.
//! All are counted in the store (`OutboxStore::take_send_slot`) by the database's clock, so every
//! instance on one database keeps to one shared count and a restart resets nothing. Over a limit a
//! delivery waits until a place frees; it is never dropped.

use crate::outbox::{OutboxError, OutboxStore, SendSlot};
use leadform_core::Destination;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// At most `max` in any rolling `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowLimit {
    pub max: u64,
    pub window: Duration,
}

impl WindowLimit {
    fn window_ms(&self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

/// The limits the forwarder keeps to; tests use small numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Unauthenticated Forms API: 50 requests per 10 seconds.
    pub hubspot: WindowLimit,
    /// Web-to-Lead: 500 leads per org per 24 hours.
    pub salesforce: WindowLimit,
    /// Marketo REST API: 100 calls per 20 seconds per instance.
    pub marketo: WindowLimit,
    /// Marketo REST API: at most 10 calls at once per instance.
    pub marketo_concurrent: u64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            hubspot: WindowLimit {
                max: 50,
                window: Duration::from_secs(10),
            },
            salesforce: WindowLimit {
                max: 500,
                window: Duration::from_secs(24 * 60 * 60),
            },
            marketo: WindowLimit {
                max: 100,
                window: Duration::from_secs(20),
            },
            marketo_concurrent: 10,
        }
    }
}

/// May this delivery be sent now?
#[derive(Debug)]
pub enum Admission {
    /// Send it, then hand the ticket to [`RateLimiter::finish`] with the outcome.
    Proceed(AdmissionTicket),
    /// Over a limit: try again in `wait_ms` (when a place frees). `reason` is for `outbox list`.
    Wait { wait_ms: i64, reason: String },
}

/// A delivery's place in a shared limit while its request is in flight.
#[derive(Debug, Default)]
#[must_use = "a place counts pessimistically until it is finished"]
pub struct AdmissionTicket {
    held: Option<HeldPlace>,
}

#[derive(Debug)]
struct HeldPlace {
    slot_id: i64,
    window_ms: i64,
    /// HubSpot counts every request; Salesforce only the leads it created.
    counts_failures: bool,
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    /// Destination key → until when (this process's clock) the vendor asked us, with
    /// `Retry-After`, to stay away.
    paused_until: Mutex<HashMap<String, i64>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            paused_until: Mutex::default(),
        }
    }

    /// `now_ms` is this process's clock (for `Retry-After` pauses only); `in_flight_ms` is the
    /// longest a request can stay unanswered (the lease), during which its place counts.
    pub async fn admit<S: OutboxStore>(
        &self,
        destination: &Destination,
        destination_key: &str,
        now_ms: i64,
        in_flight_ms: i64,
        store: &S,
    ) -> Result<Admission, OutboxError> {
        if let Some(until_ms) = self.paused(destination_key, now_ms) {
            return Ok(Admission::Wait {
                wait_ms: until_ms - now_ms,
                reason: format!(
                    "waiting: {destination_key} asked to retry after a while (Retry-After)"
                ),
            });
        }
        let mut at_once = None;
        let (limit, counts_failures, reason) = match destination {
            Destination::Hubspot(_) => {
                let limit = self.limits.hubspot;
                let reason = format!(
                    "waiting for HubSpot's rate limit ({} requests per {} s for {destination_key})",
                    limit.max,
                    limit.window.as_secs_f64()
                );
                (limit, true, reason)
            }
            Destination::SalesforceWebToLead(_) => {
                let limit = self.limits.salesforce;
                let reason = format!(
                    "waiting for Salesforce's Web-to-Lead limit ({} leads per {} h for {destination_key})",
                    limit.max,
                    limit.window.as_secs_f64() / 3600.0
                );
                (limit, false, reason)
            }
            Destination::Marketo(_) => {
                let limit = self.limits.marketo;
                at_once = Some(self.limits.marketo_concurrent);
                let reason = format!(
                    "waiting for Marketo's rate limit ({} calls per {} s for {destination_key})",
                    limit.max,
                    limit.window.as_secs_f64()
                );
                // Marketo counts every call, failed or not.
                (limit, true, reason)
            }
            // Slack's own limit (about one message a second per webhook) answers 429 with
            // Retry-After, which pauses the destination like any vendor's.
            Destination::PardotFormHandler(_) | Destination::Webhook(_) | Destination::Slack(_) => {
                return Ok(Admission::Proceed(AdmissionTicket::default()))
            }
        };
        let window_ms = limit.window_ms();
        match store
            .take_send_slot(destination_key, limit.max, window_ms, in_flight_ms, at_once)
            .await?
        {
            SendSlot::Taken { slot_id } => Ok(Admission::Proceed(AdmissionTicket {
                held: Some(HeldPlace {
                    slot_id,
                    window_ms,
                    counts_failures,
                }),
            })),
            SendSlot::Full { wait_ms } => Ok(Admission::Wait { wait_ms, reason }),
            SendSlot::Busy { wait_ms } => Ok(Admission::Wait {
                wait_ms,
                reason: format!(
                    "waiting for Marketo's limit of {} calls at once for {destination_key}",
                    at_once.unwrap_or_default()
                ),
            }),
        }
    }

    /// The request is over: its place counts from now (the vendor may count it at any moment until
    /// it answered), or is given back when it created nothing that counts.
    pub async fn finish<S: OutboxStore>(
        &self,
        ticket: AdmissionTicket,
        delivered: bool,
        store: &S,
    ) -> Result<(), OutboxError> {
        match ticket.held {
            None => Ok(()),
            Some(place) => {
                let counts = delivered || place.counts_failures;
                store
                    .finish_send_slot(place.slot_id, counts, place.window_ms)
                    .await
            }
        }
    }

    /// Holds every delivery to `destination_key` back until `until_ms`: a `Retry-After` speaks for
    /// the vendor as a whole, and ten HubSpot 429s in a second block the client for a minute.
    pub fn pause(&self, destination_key: &str, until_ms: i64) {
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let until = paused.entry(destination_key.to_owned()).or_insert(until_ms);
        *until = (*until).max(until_ms);
    }

    fn paused(&self, destination_key: &str, now_ms: i64) -> Option<i64> {
        let paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        paused
            .get(destination_key)
            .copied()
            .filter(|until| *until > now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_holds_back_that_key_until_it_ends() {
        let limiter = RateLimiter::new(RateLimits::default());
        limiter.pause("webhook:a", 10_000);
        limiter.pause("webhook:a", 5_000);
        assert_eq!(
            limiter.paused("webhook:a", 9_999),
            Some(10_000),
            "the later pause wins"
        );
        assert_eq!(limiter.paused("webhook:b", 9_999), None);
        assert_eq!(limiter.paused("webhook:a", 10_000), None);
    }
}
