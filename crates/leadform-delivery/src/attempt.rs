//! One delivery attempt without the outbox: build the request, send it, classify the answer.

use crate::clock::ForwarderClock;
use crate::marketo_attempt;
use crate::outbox::PendingDelivery;
use crate::outcome::DeliveryOutcome;
use crate::request::OutgoingRequest;
use crate::sender::HttpSender;
use crate::vendors;
use leadform_core::{Destination, FormDefinition};

/// Sends a built request and classifies the answer; a network failure is a retry. Marketo's
/// request gets its access token here (see [`marketo_attempt`]). `clock` judges the answer (an
/// HTTP-date `Retry-After`) and Marketo's token expiry: the forwarder's one clock.
pub async fn send_and_classify(
    sender: &HttpSender,
    destination: &Destination,
    request: &OutgoingRequest,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    if let Destination::Marketo(mkto) = destination {
        return marketo_attempt::send_with_token(sender, mkto, request, clock).await;
    }
    match sender.send(request).await {
        Ok(answer) => vendors::classify(destination, &answer, clock.now()),
        Err(error) => DeliveryOutcome::Retry {
            after: None,
            reason: format!("{} not reachable: {error}", destination.kind_name()),
        },
    }
}

/// Builds the request for one attempt. A configuration problem (a missing webhook secret) is a
/// retry with a clear reason: the lead waits for the operator instead of being dropped. Slack
/// messages link to the handler at `public_url` (its own origin); without it they cannot be built.
/// A webhook's signed timestamp is `clock`'s.
pub fn build_attempt(
    destination: &Destination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
    public_url: Option<&str>,
    clock: &dyn ForwarderClock,
) -> Result<OutgoingRequest, DeliveryOutcome> {
    vendors::build_request(destination, delivery, form, clock.now(), public_url).map_err(|error| {
        DeliveryOutcome::Retry {
            after: None,
            reason: error.to_string(),
        }
    })
}

/// One attempt without the outbox, its rate limits or outage probes (the forwarder adds those
/// between the two steps): [`build_attempt`], then [`send_and_classify`].
pub async fn attempt_delivery(
    sender: &HttpSender,
    destination: &Destination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
    public_url: Option<&str>,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    match build_attempt(destination, delivery, form, public_url, clock) {
        Ok(request) => send_and_classify(sender, destination, &request, clock).await,
        Err(outcome) => outcome,
    }
}
