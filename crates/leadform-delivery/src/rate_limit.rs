//! Per-destination vendor limits: HubSpot 50 requests per rolling 10 s per portal (in memory: it
//! only has to hold while this process sends), Salesforce 500 leads per rolling 24 h per org
//! (counted from the store, so a restart does not reset it), Marketo 100 calls per rolling 20 s and
//! 10 at once per instance (in memory, like HubSpot's). Over a limit a delivery waits until a
//! slot frees; it is never dropped.

use crate::outbox::{OutboxError, OutboxStore};
use leadform_core::Destination;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
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

/// Destination key → posts admitted but not yet recorded by the store.
type InFlightCounts = Arc<Mutex<HashMap<String, u64>>>;
/// Destination key → the times (ms) of the requests inside the current window.
type SendTimes = Arc<Mutex<HashMap<String, Vec<i64>>>>;

/// May this delivery be sent now?
#[derive(Debug)]
pub enum Admission {
    /// Send it. Keep the ticket until the outcome is recorded: it holds the delivery's place in the
    /// limit until the vendor has certainly seen the request.
    Proceed(AdmissionTicket),
    /// Over a limit: try again at `at_ms` (when a slot frees). `reason` is for `outbox list`.
    WaitUntil { at_ms: i64, reason: String },
}

/// A delivery's place in a limit while its request is in flight. Dropping it (after the outcome is
/// recorded) hands the place over to what counts it from then on.
#[derive(Debug, Default)]
pub struct AdmissionTicket {
    held: Option<HeldSlot>,
}

#[derive(Debug)]
enum HeldSlot {
    /// Counted in memory; on drop the send time moves to the end of the request, because the vendor
    /// may count it at any moment until the answer came back.
    Hubspot {
        sends: SendTimes,
        key: String,
        admitted_at_ms: i64,
    },
    /// Reserved until the store counts it as delivered (or it failed and does not count).
    Salesforce {
        in_flight: InFlightCounts,
        key: String,
    },
    /// Counted in the window like HubSpot's, and one of the calls running at once until dropped.
    Marketo {
        sends: SendTimes,
        in_flight: InFlightCounts,
        key: String,
        admitted_at_ms: i64,
    },
}

impl Drop for AdmissionTicket {
    fn drop(&mut self) {
        match self.held.take() {
            None => {}
            Some(HeldSlot::Hubspot {
                sends,
                key,
                admitted_at_ms,
            }) => finish_windowed_send(&sends, key, admitted_at_ms),
            Some(HeldSlot::Salesforce { in_flight, key }) => release_in_flight(&in_flight, &key),
            Some(HeldSlot::Marketo {
                sends,
                in_flight,
                key,
                admitted_at_ms,
            }) => {
                release_in_flight(&in_flight, &key);
                finish_windowed_send(&sends, key, admitted_at_ms);
            }
        }
    }
}

/// Moves a send's time to when its request finished: the vendor may count it at any moment until
/// the answer came back.
fn finish_windowed_send(sends: &SendTimes, key: String, admitted_at_ms: i64) {
    let mut sends = sends.lock().unwrap_or_else(PoisonError::into_inner);
    let times = sends.entry(key).or_default();
    let finished_at_ms = now_ms().max(admitted_at_ms);
    match times.iter_mut().find(|time| **time == admitted_at_ms) {
        Some(time) => *time = finished_at_ms,
        None => times.push(finished_at_ms),
    }
}

fn release_in_flight(in_flight: &InFlightCounts, key: &str) {
    let mut in_flight = in_flight.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(count) = in_flight.get_mut(key) {
        *count = count.saturating_sub(1);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    /// HubSpot portal key → send times (ms) inside the current window.
    hubspot_sends: SendTimes,
    /// Salesforce org key → posts admitted but not yet recorded delivered.
    salesforce_in_flight: InFlightCounts,
    /// Marketo instance key → call times (ms) inside the current window.
    marketo_sends: SendTimes,
    /// Marketo instance key → calls admitted and not yet finished.
    marketo_in_flight: InFlightCounts,
    /// Salesforce org key → when the next slot frees, once a limit was hit (saves store queries).
    salesforce_blocked_until: tokio::sync::Mutex<HashMap<String, i64>>,
    /// Destination key → until when the vendor asked us (with `Retry-After`) to stay away.
    paused_until: Mutex<HashMap<String, i64>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            hubspot_sends: Arc::default(),
            salesforce_in_flight: Arc::default(),
            marketo_sends: Arc::default(),
            marketo_in_flight: Arc::default(),
            salesforce_blocked_until: tokio::sync::Mutex::default(),
            paused_until: Mutex::default(),
        }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    pub async fn admit<S: OutboxStore>(
        &self,
        destination: &Destination,
        destination_key: &str,
        now_ms: i64,
        store: &S,
    ) -> Result<Admission, OutboxError> {
        if let Some(at_ms) = self.paused(destination_key, now_ms) {
            return Ok(Admission::WaitUntil {
                at_ms,
                reason: format!(
                    "waiting: {destination_key} asked to retry after a while (Retry-After)"
                ),
            });
        }
        match destination {
            Destination::Hubspot(_) => Ok(self.admit_hubspot(destination_key, now_ms)),
            Destination::SalesforceWebToLead(_) => {
                self.admit_salesforce(destination_key, now_ms, store).await
            }
            Destination::Marketo(_) => Ok(self.admit_marketo(destination_key, now_ms)),
            // Slack's own limit (about one message a second per webhook) answers 429 with
            // Retry-After, which pauses the destination like any vendor's.
            Destination::PardotFormHandler(_) | Destination::Webhook(_) | Destination::Slack(_) => {
                Ok(Admission::Proceed(AdmissionTicket::default()))
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

    fn admit_hubspot(&self, key: &str, now_ms: i64) -> Admission {
        let limit = self.limits.hubspot;
        let mut sends = self
            .hubspot_sends
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let times = sends.entry(key.to_owned()).or_default();
        times.retain(|sent| *sent > now_ms - limit.window_ms());
        if (times.len() as u64) < limit.max {
            times.push(now_ms);
            return Admission::Proceed(AdmissionTicket {
                held: Some(HeldSlot::Hubspot {
                    sends: Arc::clone(&self.hubspot_sends),
                    key: key.to_owned(),
                    admitted_at_ms: now_ms,
                }),
            });
        }
        // The oldest send leaves the window `window` after it was made.
        let oldest = times.iter().copied().min().unwrap_or(now_ms);
        Admission::WaitUntil {
            at_ms: oldest + limit.window_ms() + 1,
            reason: format!(
                "waiting for HubSpot's rate limit ({} requests per {} s for {key})",
                limit.max,
                limit.window.as_secs_f64()
            ),
        }
    }

    /// Marketo: at most `marketo_concurrent` calls at once, then the rolling window.
    fn admit_marketo(&self, key: &str, now_ms: i64) -> Admission {
        let limit = self.limits.marketo;
        let mut in_flight = self
            .marketo_in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let running = in_flight.entry(key.to_owned()).or_default();
        if *running >= self.limits.marketo_concurrent {
            // Calls take a second or two; look again shortly.
            return Admission::WaitUntil {
                at_ms: now_ms + 1000,
                reason: format!(
                    "waiting for Marketo's limit of {} calls at once for {key}",
                    self.limits.marketo_concurrent
                ),
            };
        }
        let mut sends = self
            .marketo_sends
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let times = sends.entry(key.to_owned()).or_default();
        times.retain(|sent| *sent > now_ms - limit.window_ms());
        if (times.len() as u64) >= limit.max {
            let oldest = times.iter().copied().min().unwrap_or(now_ms);
            return Admission::WaitUntil {
                at_ms: oldest + limit.window_ms() + 1,
                reason: format!(
                    "waiting for Marketo's rate limit ({} calls per {} s for {key})",
                    limit.max,
                    limit.window.as_secs_f64()
                ),
            };
        }
        times.push(now_ms);
        *running += 1;
        Admission::Proceed(AdmissionTicket {
            held: Some(HeldSlot::Marketo {
                sends: Arc::clone(&self.marketo_sends),
                in_flight: Arc::clone(&self.marketo_in_flight),
                key: key.to_owned(),
                admitted_at_ms: now_ms,
            }),
        })
    }

    async fn admit_salesforce<S: OutboxStore>(
        &self,
        key: &str,
        now_ms: i64,
        store: &S,
    ) -> Result<Admission, OutboxError> {
        let limit = self.limits.salesforce;
        let wait_reason = || {
            format!(
                "waiting for Salesforce's Web-to-Lead limit ({} leads per {} h for {key})",
                limit.max,
                limit.window.as_secs_f64() / 3600.0
            )
        };
        // One admission at a time: the count and the reservation must not interleave.
        let mut blocked_until = self.salesforce_blocked_until.lock().await;
        if let Some(at_ms) = blocked_until.get(key).copied().filter(|at| *at > now_ms) {
            return Ok(Admission::WaitUntil {
                at_ms,
                reason: wait_reason(),
            });
        }
        let in_flight = self.salesforce_in_flight_count(key);
        let window_start = now_ms - limit.window_ms();
        let delivered = store.delivered_count_since(key, window_start).await?;
        if delivered + in_flight < limit.max {
            self.reserve_salesforce_slot(key);
            return Ok(Admission::Proceed(AdmissionTicket {
                held: Some(HeldSlot::Salesforce {
                    in_flight: Arc::clone(&self.salesforce_in_flight),
                    key: key.to_owned(),
                }),
            }));
        }
        let at_ms = if in_flight > 0 {
            // Posts in flight fill the limit only if they succeed; one that fails frees its slot
            // at once. A wait computed now would hold leads for most of a day on that guess, so
            // look again (recompute) shortly, once their outcomes are recorded.
            now_ms + 1000
        } else {
            let frees_from =
                first_start_with_room(store, key, window_start, now_ms, limit.max).await?;
            frees_from + limit.window_ms()
        };
        blocked_until.insert(key.to_owned(), at_ms);
        Ok(Admission::WaitUntil {
            at_ms,
            reason: wait_reason(),
        })
    }

    fn salesforce_in_flight_count(&self, key: &str) -> u64 {
        let in_flight = self
            .salesforce_in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_flight.get(key).copied().unwrap_or(0)
    }

    fn reserve_salesforce_slot(&self, key: &str) {
        let mut in_flight = self
            .salesforce_in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *in_flight.entry(key.to_owned()).or_default() += 1;
    }
}

/// The earliest window start `s` in `(window_start, now_ms + 1]` with fewer than `room` deliveries
/// since `s`: a binary search over the store's count, which only falls as `s` grows. A slot frees
/// when the window has moved past the delivery made just before `s`.
async fn first_start_with_room<S: OutboxStore>(
    store: &S,
    key: &str,
    window_start: i64,
    now_ms: i64,
    room: u64,
) -> Result<i64, OutboxError> {
    let (mut full, mut has_room) = (window_start, now_ms + 1);
    while has_room - full > 1 {
        let middle = full + (has_room - full) / 2;
        if store.delivered_count_since(key, middle).await? < room {
            has_room = middle;
        } else {
            full = middle;
        }
    }
    Ok(has_room)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hubspot_limiter(max: u64) -> RateLimiter {
        RateLimiter::new(RateLimits {
            hubspot: WindowLimit {
                max,
                window: Duration::from_secs(10),
            },
            ..RateLimits::default()
        })
    }

    #[test]
    fn hubspot_window_slides_and_names_the_time_a_slot_frees() {
        let limiter = hubspot_limiter(2);
        let key = "hubspot:123";
        // Tickets are kept alive: their requests are still in flight.
        let first = limiter.admit_hubspot(key, 1_000);
        assert!(matches!(first, Admission::Proceed(_)));
        let second = limiter.admit_hubspot(key, 4_000);
        assert!(matches!(second, Admission::Proceed(_)));
        match limiter.admit_hubspot(key, 5_000) {
            Admission::WaitUntil { at_ms, reason } => {
                assert_eq!(at_ms, 11_001, "the first send leaves the window");
                assert!(
                    reason.contains("2 requests per 10 s for hubspot:123"),
                    "{reason}"
                );
            }
            other => panic!("expected a wait, got {other:?}"),
        }
        let other_portal = limiter.admit_hubspot("hubspot:other", 5_000);
        assert!(
            matches!(other_portal, Admission::Proceed(_)),
            "each portal has its own window"
        );
        let third = limiter.admit_hubspot(key, 11_001);
        assert!(matches!(third, Admission::Proceed(_)));
        assert!(matches!(
            limiter.admit_hubspot(key, 11_002),
            Admission::WaitUntil { at_ms: 14_001, .. }
        ));
        drop((first, second, third, other_portal));
    }

    #[test]
    fn a_pause_holds_back_that_key_until_it_ends() {
        let limiter = hubspot_limiter(50);
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

    #[test]
    fn marketo_keeps_to_its_window_and_to_calls_at_once() {
        let limiter = RateLimiter::new(RateLimits {
            marketo: WindowLimit {
                max: 3,
                window: Duration::from_secs(20),
            },
            marketo_concurrent: 2,
            ..RateLimits::default()
        });
        let key = "marketo:123-ABC-456";
        let first = limiter.admit_marketo(key, 1_000);
        let second = limiter.admit_marketo(key, 1_000);
        assert!(matches!(first, Admission::Proceed(_)));
        assert!(matches!(second, Admission::Proceed(_)));
        match limiter.admit_marketo(key, 1_500) {
            Admission::WaitUntil { at_ms, reason } => {
                assert_eq!(at_ms, 2_500);
                assert!(reason.contains("2 calls at once"), "{reason}");
            }
            other => panic!("expected a wait for a running call, got {other:?}"),
        }
        drop(first);
        let third = limiter.admit_marketo(key, 2_000);
        assert!(matches!(third, Admission::Proceed(_)), "a call finished");
        drop((second, third));
        let now = now_ms();
        match limiter.admit_marketo(key, now) {
            Admission::WaitUntil { reason, .. } => {
                assert!(reason.contains("3 calls per 20 s"), "{reason}")
            }
            other => panic!("expected a wait for the window, got {other:?}"),
        }
        assert!(matches!(
            limiter.admit_marketo("marketo:999-XYZ-000", now),
            Admission::Proceed(_)
        ));
    }

    #[test]
    fn a_finished_hubspot_request_counts_from_when_its_answer_came() {
        let limiter = hubspot_limiter(1);
        let key = "hubspot:123";
        drop(limiter.admit_hubspot(key, now_ms() - 60_000));
        // Admitted a minute ago but finished just now: it still fills the window.
        assert!(matches!(
            limiter.admit_hubspot(key, now_ms()),
            Admission::WaitUntil { .. }
        ));
    }
}
