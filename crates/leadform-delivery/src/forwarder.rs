//! The forwarder: claims due deliveries from the outbox, sends them within the vendors' limits, and
//! records each outcome. Stored first, delivered at most once per claim, retried until it lands.

use crate::attempt::{build_attempt, send_and_classify};
use crate::clock::{ForwarderClock, SystemClock};
use crate::outbox::{OutageGate, OutboxError, OutboxStore, PendingDelivery};
use crate::outcome::DeliveryOutcome;
use crate::policy::RetryPolicy;
use crate::rate_limit::{Admission, AdmissionTicket, RateLimiter, RateLimits};
use crate::routing::find_destination;
use crate::sender::{HttpSender, SendError};
use futures_util::stream::{self, StreamExt};
use leadform_core::{Destination, FormDefinition};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct ForwarderConfig {
    /// Deliveries claimed per pass.
    pub batch_size: usize,
    /// Deliveries sent at the same time.
    pub concurrency: usize,
    /// How long a claim lasts without renewal, by the database's clock; each claimed delivery
    /// renews its own while it waits and while its request is in flight, so only a crashed (or
    /// cut-off) forwarder's claims expire and are taken again.
    pub lease: Duration,
    /// How often to look for due retries when nothing pokes the forwarder.
    pub poll_interval: Duration,
    /// Per request, connect and answer included; under half the lease (see [`ForwarderConfig::check`]).
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// While a destination is failing, one probe at a time goes out on this backoff (shared by
    /// all instances); its first answer releases every delivery queued for the destination. The
    /// cap bounds how long a recovered destination waits for its queue.
    pub probe: RetryPolicy,
    pub rate_limits: RateLimits,
    /// The handler's own origin (`serve --public-url`), e.g. `https://forms.example.com`: a Slack
    /// message links to `{public_url}/console/leads/{id}`. Without it a Slack delivery waits.
    pub public_url: Option<String>,
}

impl Default for ForwarderConfig {
    fn default() -> Self {
        Self {
            batch_size: 32,
            concurrency: 8,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            request_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            probe: RetryPolicy {
                base: Duration::from_secs(1),
                factor: 2,
                cap: Duration::from_secs(15),
            },
            rate_limits: RateLimits::default(),
            public_url: None,
        }
    }
}

impl ForwarderConfig {
    /// Refuses a lease a request could outlast. The lease is renewed just before each request
    /// and every `lease / 3` while it runs; a request must end well inside one lease even when
    /// the renewals during it fail (the database out of reach), or another instance could claim
    /// and send the delivery while it is still in flight.
    pub fn check(&self) -> Result<(), ForwarderError> {
        if self.lease <= self.request_timeout.saturating_mul(2) {
            return Err(ForwarderError::LeaseTooShort(
                self.lease,
                self.request_timeout,
            ));
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ForwarderError {
    #[error(transparent)]
    Sender(#[from] SendError),
    #[error(
        "the lease ({0:?}) must be longer than twice the request timeout ({1:?}), or a slow \
         vendor's delivery could outlive its lease and be sent again while still in flight"
    )]
    LeaseTooShort(Duration, Duration),
}

/// What one pass did, for tests and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassSummary {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub rate_limited: usize,
    pub dead: usize,
    /// Claims found taken by another instance before their outcome was recorded.
    pub lost: usize,
}

pub struct Forwarder<S: OutboxStore> {
    store: Arc<S>,
    forms: Arc<BTreeMap<String, FormDefinition>>,
    wake: Arc<Notify>,
    config: ForwarderConfig,
    sender: HttpSender,
    limiter: RateLimiter,
    clock: Arc<dyn ForwarderClock>,
}

/// What to record for one claimed delivery.
enum Verdict {
    Outcome(DeliveryOutcome),
    /// Over a limit: not sent, due again after `wait_ms`.
    RateLimited {
        wait_ms: i64,
        reason: String,
    },
    /// Its destination is failing and another delivery is (or is about to be) the probe: not
    /// sent, due again after `wait_ms` unless the outage has ended by the time this is recorded.
    WaitingForProbe {
        wait_ms: i64,
        reason: String,
    },
    /// The lease could not be renewed because another claim holds the row now: nothing more may
    /// be sent or recorded under this claim.
    LostClaim,
}

impl Verdict {
    fn label(&self) -> &'static str {
        match self {
            Verdict::Outcome(outcome) => outcome.label(),
            Verdict::RateLimited { .. } => "rate_limited",
            Verdict::WaitingForProbe { .. } => "waiting_for_probe",
            Verdict::LostClaim => "lost_claim",
        }
    }
}

impl<S: OutboxStore> Forwarder<S> {
    /// `wake` is poked by the intake after each accepted lead, so delivery starts at once.
    pub fn new(
        store: Arc<S>,
        forms: Arc<BTreeMap<String, FormDefinition>>,
        wake: Arc<Notify>,
        config: ForwarderConfig,
    ) -> Result<Self, ForwarderError> {
        config.check()?;
        Ok(Self {
            sender: HttpSender::new(config.request_timeout)?,
            limiter: RateLimiter::new(config.rate_limits.clone()),
            clock: Arc::new(SystemClock),
            store,
            forms,
            wake,
            config,
        })
    }

    /// Replaces the system clock (tests give one instance a skewed clock).
    pub fn with_clock(mut self, clock: Arc<dyn ForwarderClock>) -> Self {
        self.clock = clock;
        self
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Delivers until `shutdown` resolves. A pass in progress is finished first, so nothing sent is
    /// left unrecorded; a crash instead leaves claims to expire and be taken again.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let full_batch = match self.deliver_due().await {
                Ok(summary) => summary.claimed >= self.config.batch_size,
                Err(error) => {
                    tracing::error!(%error, "could not claim deliveries; trying again shortly");
                    false
                }
            };
            if full_batch {
                // More may be due right now; only stop if asked to.
                if futures_util::FutureExt::now_or_never(&mut shutdown).is_some() {
                    break;
                }
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        tracing::info!("forwarder stopped");
    }

    /// One pass: claims what is due and records an outcome for each claim.
    pub async fn deliver_due(&self) -> Result<PassSummary, OutboxError> {
        let lease_ms = duration_ms(self.config.lease);
        // The database's clock, never this instance's own: every instance must agree on when a
        // lease ends.
        let now_ms = self.store.database_now_ms().await?;
        let claimed = self
            .store
            .claim_due(now_ms, self.config.batch_size, lease_ms)
            .await?;
        let mut summary = PassSummary {
            claimed: claimed.len(),
            ..PassSummary::default()
        };
        let verdicts: Vec<Verdict> = stream::iter(claimed)
            .map(|delivery| self.deliver_one(delivery))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        for verdict in verdicts {
            match verdict {
                Verdict::Outcome(DeliveryOutcome::Delivered(_)) => summary.delivered += 1,
                Verdict::Outcome(DeliveryOutcome::Retry { .. }) => summary.retried += 1,
                Verdict::Outcome(DeliveryOutcome::Dead(_)) => summary.dead += 1,
                Verdict::RateLimited { .. } | Verdict::WaitingForProbe { .. } => {
                    summary.rate_limited += 1
                }
                Verdict::LostClaim => summary.lost += 1,
            }
        }
        Ok(summary)
    }

    /// Delivers one claimed delivery while keeping its lease alive; if the lease turns out to be
    /// lost, the work is dropped where it stands (a request in flight is cut off).
    async fn deliver_one(&self, delivery: PendingDelivery) -> Verdict {
        let (id, token) = (delivery.id, delivery.claim_token.clone());
        tokio::select! {
            verdict = self.deliver_claimed(delivery) => verdict,
            () = self.keep_lease(id, &token) => Verdict::LostClaim,
        }
    }

    /// Renews the lease every third of it; returns only once the claim is lost. A failed renewal
    /// (database unreachable) is tried again: each request is bounded well inside one lease.
    async fn keep_lease(&self, id: i64, claim_token: &str) {
        let lease_ms = duration_ms(self.config.lease);
        loop {
            tokio::time::sleep(self.config.lease / 3).await;
            match self.store.renew_lease(id, claim_token, lease_ms).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(delivery_id = id, "lease lost to another claim; stopping");
                    return;
                }
                Err(error) => {
                    tracing::warn!(delivery_id = id, %error, "could not renew a lease");
                }
            }
        }
    }

    async fn deliver_claimed(&self, delivery: PendingDelivery) -> Verdict {
        let (verdict, kind, delivery) = match find_destination(&self.forms, &delivery) {
            // Dead rather than pending or sent elsewhere: visible in `outbox list`, and replayable
            // once the destination is back.
            Err(missing) => (
                Verdict::Outcome(DeliveryOutcome::Dead(missing.to_string())),
                "unknown",
                delivery,
            ),
            Ok((form, destination, routed)) => {
                let verdict = self.attempt(&routed, form, destination).await;
                (verdict, destination.kind_name(), routed)
            }
        };
        self.record(&delivery, kind, &verdict).await;
        verdict
    }

    async fn attempt(
        &self,
        delivery: &PendingDelivery,
        form: &FormDefinition,
        destination: &Destination,
    ) -> Verdict {
        // Build first: a request that cannot be built must not use up a rate-limit slot.
        let request = match build_attempt(
            destination,
            delivery,
            form,
            self.config.public_url.as_deref(),
            self.clock.as_ref(),
        ) {
            Ok(request) => request,
            Err(outcome) => return Verdict::Outcome(outcome),
        };
        let key = delivery.destination_key.as_str();
        let is_probe = match self
            .store
            .pass_outage_gate(key, delivery.id, duration_ms(self.config.lease))
            .await
        {
            Ok(OutageGate::Open) => false,
            Ok(OutageGate::Probe) => true,
            Ok(OutageGate::Wait { wait_ms, failures }) => {
                // Look again within the probe cap at the latest (a probe in flight holds its
                // place for a whole lease); recorded after a probe's success, due at once.
                let wait_ms = wait_ms.min(duration_ms(self.config.probe.cap));
                let reason = format!(
                    "waiting: {key} is failing ({failures} failed probes); \
                     one probe at a time goes out, and its success releases the rest"
                );
                return Verdict::WaitingForProbe { wait_ms, reason };
            }
            Err(error) => {
                let outcome = DeliveryOutcome::Retry {
                    after: None,
                    reason: format!("could not check the destination's health: {error}"),
                };
                return Verdict::Outcome(outcome);
            }
        };
        let admitted_at_ms = self.now_ms();
        let admission = self
            .limiter
            .admit(
                destination,
                &delivery.destination_key,
                admitted_at_ms,
                duration_ms(self.config.lease),
                self.store.as_ref(),
            )
            .await;
        let ticket = match admission {
            Ok(Admission::Proceed(ticket)) => ticket,
            Ok(Admission::Wait { wait_ms, reason }) => {
                return Verdict::RateLimited { wait_ms, reason };
            }
            Err(error) => {
                let outcome = DeliveryOutcome::Retry {
                    after: None,
                    reason: format!("could not check the rate limit: {error}"),
                };
                return Verdict::Outcome(outcome);
            }
        };
        // A full lease from here: the request (bounded by the request timeout, under half a
        // lease) ends before any other instance may claim this delivery, whatever waits came
        // before it (the batch ahead of it, the rate limit, the database).
        let lease_ms = duration_ms(self.config.lease);
        let not_sent = match self
            .store
            .renew_lease(delivery.id, &delivery.claim_token, lease_ms)
            .await
        {
            Ok(true) => None,
            Ok(false) => Some(Verdict::LostClaim),
            Err(error) => Some(Verdict::Outcome(DeliveryOutcome::Retry {
                after: None,
                reason: format!("not sent: could not renew the lease: {error}"),
            })),
        };
        if let Some(verdict) = not_sent {
            self.finish_place(ticket, false).await;
            return verdict;
        }
        let outcome =
            send_and_classify(&self.sender, destination, &request, self.clock.as_ref()).await;
        let delivered = matches!(outcome, DeliveryOutcome::Delivered(_));
        self.finish_place(ticket, delivered).await;
        self.note_health(delivery, is_probe, &outcome).await;
        if let DeliveryOutcome::Retry {
            after: Some(after), ..
        } = &outcome
        {
            let until = self.now_ms().saturating_add(duration_ms(*after));
            self.limiter.pause(&delivery.destination_key, until);
        }
        Verdict::Outcome(outcome)
    }

    /// Feeds an answer (or its absence) to the destination's outage record: a failure starts an
    /// outage or backs the probe off; any answer to a probe (even a refusal: the vendor is up)
    /// ends it and releases the queue at once.
    async fn note_health(
        &self,
        delivery: &PendingDelivery,
        is_probe: bool,
        outcome: &DeliveryOutcome,
    ) {
        let key = delivery.destination_key.as_str();
        let result = match outcome {
            DeliveryOutcome::Retry { after, reason } => self
                .store
                .record_destination_failure(
                    key,
                    delivery.id,
                    reason,
                    &self.config.probe,
                    after.map(duration_ms),
                )
                .await
                .map(|()| 0),
            DeliveryOutcome::Delivered(_) | DeliveryOutcome::Dead(_) if is_probe => {
                self.store.end_destination_outage(key).await
            }
            DeliveryOutcome::Delivered(_) | DeliveryOutcome::Dead(_) => Ok(0),
        };
        match result {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(
                    destination = key,
                    released,
                    "destination recovered; queue released"
                );
                // This instance claims them now; the others on their next poll.
                self.wake.notify_one();
            }
            Err(error) => tracing::warn!(%error, "could not record the destination's health"),
        }
    }

    /// Hands a rate-limit place back to the store's count. If that fails, the place keeps counting
    /// pessimistically until its in-flight time runs out: the limit is only ever kept too strictly.
    async fn finish_place(&self, ticket: AdmissionTicket, delivered: bool) {
        if let Err(error) = self
            .limiter
            .finish(ticket, delivered, self.store.as_ref())
            .await
        {
            tracing::warn!(%error, "could not finish a rate-limit place; it expires on its own");
        }
    }

    /// Writes the verdict to the store. A failed write is logged; the claim then expires and the
    /// delivery is taken again (the vendor sees the same Idempotency-Key).
    async fn record(&self, delivery: &PendingDelivery, kind: &'static str, verdict: &Verdict) {
        let (id, token) = (delivery.id, delivery.claim_token.as_str());
        if matches!(verdict, Verdict::LostClaim) {
            tracing::warn!(
                delivery_id = id,
                form_id = %delivery.form_id,
                "claim lost to another instance; its outcome is theirs to record"
            );
            return;
        }
        // Retry times are on the database's clock, like the claim that compares them.
        let database_now_ms = match verdict {
            Verdict::Outcome(DeliveryOutcome::Retry { .. })
            | Verdict::RateLimited { .. }
            | Verdict::WaitingForProbe { .. } => match self.store.database_now_ms().await {
                Ok(now_ms) => now_ms,
                Err(error) => {
                    tracing::error!(
                        delivery_id = id,
                        %error,
                        "could not read the database clock; the claim will expire and be retried"
                    );
                    return;
                }
            },
            _ => 0,
        };
        let result = match verdict {
            Verdict::Outcome(DeliveryOutcome::Delivered(detail)) => {
                self.store.mark_delivered(id, token, detail).await
            }
            Verdict::Outcome(DeliveryOutcome::Retry { after, reason }) => {
                let delay = self.config.retry.delay(delivery.attempts, *after);
                let at_ms = database_now_ms.saturating_add(duration_ms(delay));
                self.store
                    .schedule_retry(id, token, at_ms, reason, true)
                    .await
            }
            Verdict::Outcome(DeliveryOutcome::Dead(reason)) => {
                self.store.mark_dead(id, token, reason).await
            }
            Verdict::RateLimited { wait_ms, reason } => {
                let at_ms = database_now_ms.saturating_add(*wait_ms);
                self.store
                    .schedule_retry(id, token, at_ms, reason, false)
                    .await
            }
            Verdict::WaitingForProbe { wait_ms, reason } => {
                let at_ms = database_now_ms.saturating_add(*wait_ms);
                self.store.wait_for_probe(id, token, at_ms, reason).await
            }
            Verdict::LostClaim => return,
        };
        // Ids and labels only: never a field value, and never a vendor's text (it may quote one).
        let outcome = verdict.label();
        match result {
            Ok(()) => tracing::info!(
                delivery_id = id,
                form_id = %delivery.form_id,
                submission_id = %delivery.lead.submission_id,
                destination = kind,
                destination_id = delivery.destination_id.as_deref().unwrap_or("unknown"),
                attempts_before = delivery.attempts,
                outcome,
                "delivery attempt recorded"
            ),
            Err(error) => tracing::error!(
                delivery_id = id,
                form_id = %delivery.form_id,
                submission_id = %delivery.lead.submission_id,
                destination = kind,
                outcome,
                %error,
                "could not record the delivery outcome; the claim will expire and be retried"
            ),
        }
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_must_outlast_two_request_timeouts() {
        assert!(ForwarderConfig::default().check().is_ok());
        // Batches no longer matter: each delivery renews its own lease before it is sent.
        let big_batches = ForwarderConfig {
            batch_size: 640,
            concurrency: 8,
            ..ForwarderConfig::default()
        };
        assert!(big_batches.check().is_ok());
        let slow = ForwarderConfig {
            request_timeout: Duration::from_secs(30),
            ..ForwarderConfig::default()
        };
        let error = slow
            .check()
            .expect_err("a 30 s request leaves no margin in a 60 s lease");
        assert!(
            error
                .to_string()
                .starts_with("the lease (60s) must be longer than twice the request timeout (30s)"),
            "{error}"
        );
    }
}
