//! The forwarder: claims due deliveries from the outbox, sends them within the vendors' limits, and
//! records each outcome. Stored first, delivered at most once per claim, retried until it lands.

use crate::attempt::send_and_classify;
use crate::outbox::{OutboxError, OutboxStore, PendingDelivery};
use crate::outcome::DeliveryOutcome;
use crate::policy::RetryPolicy;
use crate::rate_limit::{Admission, AdmissionTicket, RateLimiter, RateLimits};
use crate::routing::find_destination;
use crate::sender::{HttpSender, SendError};
use crate::vendors;
use futures_util::stream::{self, StreamExt};
use leadform_core::{Destination, FormDefinition};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct ForwarderConfig {
    /// Deliveries claimed per pass.
    pub batch_size: usize,
    /// Deliveries sent at the same time.
    pub concurrency: usize,
    /// How long a claim lasts; a crashed forwarder's claims are taken again after it.
    pub lease: Duration,
    /// How often to look for due retries when nothing pokes the forwarder.
    pub poll_interval: Duration,
    /// Per request, connect included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
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
            rate_limits: RateLimits::default(),
            public_url: None,
        }
    }
}

impl ForwarderConfig {
    /// Refuses a lease a pass could outlast: the last delivery of a batch may start only after the
    /// others' requests timed out, and an expired lease lets another claim send it again.
    pub fn check(&self) -> Result<(), ForwarderError> {
        let rounds = self.batch_size.div_ceil(self.concurrency.max(1)).max(1);
        let longest_pass = self
            .request_timeout
            .saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX));
        if self.lease <= longest_pass {
            return Err(ForwarderError::LeaseTooShort(self.lease, longest_pass));
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ForwarderError {
    #[error(transparent)]
    Sender(#[from] SendError),
    #[error(
        "the lease ({0:?}) must be longer than a pass can take ({1:?}: the request timeout times \
         batch size / concurrency), or a slow vendor's delivery could be claimed twice"
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
}

pub struct Forwarder<S: OutboxStore> {
    store: Arc<S>,
    forms: Arc<BTreeMap<String, FormDefinition>>,
    wake: Arc<Notify>,
    config: ForwarderConfig,
    sender: HttpSender,
    limiter: RateLimiter,
}

/// What to record for one claimed delivery.
enum Verdict {
    Outcome(DeliveryOutcome),
    RateLimited { at_ms: i64, reason: String },
}

impl Verdict {
    fn label(&self) -> &'static str {
        match self {
            Verdict::Outcome(outcome) => outcome.label(),
            Verdict::RateLimited { .. } => "rate_limited",
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
            store,
            forms,
            wake,
            config,
        })
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
        let claimed = self
            .store
            .claim_due(now_ms(), self.config.batch_size, lease_ms)
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
                Verdict::RateLimited { .. } => summary.rate_limited += 1,
            }
        }
        Ok(summary)
    }

    async fn deliver_one(&self, delivery: PendingDelivery) -> Verdict {
        let (verdict, kind, ticket, delivery) = match find_destination(&self.forms, &delivery) {
            // Dead rather than pending or sent elsewhere: visible in `outbox list`, and replayable
            // once the destination is back.
            Err(missing) => (
                Verdict::Outcome(DeliveryOutcome::Dead(missing.to_string())),
                "unknown",
                None,
                delivery,
            ),
            Ok((form, destination, routed)) => {
                let (verdict, ticket) = self.attempt(&routed, form, destination).await;
                (verdict, destination.kind_name(), ticket, routed)
            }
        };
        self.record(&delivery, kind, &verdict).await;
        // Only now may a Salesforce slot held in flight be handed to the store's count.
        drop(ticket);
        verdict
    }

    async fn attempt(
        &self,
        delivery: &PendingDelivery,
        form: &FormDefinition,
        destination: &Destination,
    ) -> (Verdict, Option<AdmissionTicket>) {
        // Build first: a request that cannot be built must not use up a rate-limit slot.
        let request = match vendors::build_request(
            destination,
            delivery,
            form,
            SystemTime::now(),
            self.config.public_url.as_deref(),
        ) {
            Ok(request) => request,
            Err(error) => {
                let outcome = DeliveryOutcome::Retry {
                    after: None,
                    reason: error.to_string(),
                };
                return (Verdict::Outcome(outcome), None);
            }
        };
        let admission = self
            .limiter
            .admit(
                destination,
                &delivery.destination_key,
                now_ms(),
                self.store.as_ref(),
            )
            .await;
        let ticket = match admission {
            Ok(Admission::Proceed(ticket)) => ticket,
            Ok(Admission::WaitUntil { at_ms, reason }) => {
                return (Verdict::RateLimited { at_ms, reason }, None)
            }
            Err(error) => {
                let outcome = DeliveryOutcome::Retry {
                    after: None,
                    reason: format!("could not check the rate limit: {error}"),
                };
                return (Verdict::Outcome(outcome), None);
            }
        };
        let outcome = send_and_classify(&self.sender, destination, &request).await;
        if let DeliveryOutcome::Retry {
            after: Some(after), ..
        } = &outcome
        {
            let until = now_ms().saturating_add(duration_ms(*after));
            self.limiter.pause(&delivery.destination_key, until);
        }
        (Verdict::Outcome(outcome), Some(ticket))
    }

    /// Writes the verdict to the store. A failed write is logged; the claim then expires and the
    /// delivery is taken again (the vendor sees the same Idempotency-Key).
    async fn record(&self, delivery: &PendingDelivery, kind: &'static str, verdict: &Verdict) {
        let (id, token) = (delivery.id, delivery.claim_token.as_str());
        let result = match verdict {
            Verdict::Outcome(DeliveryOutcome::Delivered(detail)) => {
                self.store.mark_delivered(id, token, detail).await
            }
            Verdict::Outcome(DeliveryOutcome::Retry { after, reason }) => {
                let delay = self.config.retry.delay(delivery.attempts, *after);
                let at_ms = now_ms().saturating_add(duration_ms(delay));
                self.store
                    .schedule_retry(id, token, at_ms, reason, true)
                    .await
            }
            Verdict::Outcome(DeliveryOutcome::Dead(reason)) => {
                self.store.mark_dead(id, token, reason).await
            }
            Verdict::RateLimited { at_ms, reason } => {
                self.store
                    .schedule_retry(id, token, *at_ms, reason, false)
                    .await
            }
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

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, duration_ms)
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_must_outlast_a_whole_pass() {
        assert!(ForwarderConfig::default().check().is_ok());
        let slow = ForwarderConfig {
            batch_size: 64,
            concurrency: 8,
            ..ForwarderConfig::default()
        };
        let error = slow
            .check()
            .expect_err("8 rounds of 10 s outlast a 60 s lease");
        assert!(
            error
                .to_string()
                .starts_with("the lease (60s) must be longer than a pass can take (80s"),
            "{error}"
        );
    }
}
