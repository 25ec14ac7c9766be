//! One Marketo send: a cached access token (or a fresh one from the identity endpoint), the
//! `submitForm` request with it as a Bearer header, and one more try with a new token when
//! Marketo says the token is invalid or expired (601/602).

use crate::clock::ForwarderClock;
use crate::marketo_tokens::CachedToken;
use crate::outcome::DeliveryOutcome;
use crate::request::OutgoingRequest;
use crate::sender::HttpSender;
use crate::vendors::{marketo, marketo_client_secret};
use leadform_core::definition::MarketoDestination;
use marketo::MarketoVerdict;

/// Sends `submit` (built by `marketo::build_request`) with a valid token and classifies the answer.
/// The whole exchange (up to two token fetches and two submissions) is bounded by one request
/// timeout, so the forwarder's lease, sized for one request per delivery, still holds. `clock`
/// judges the token's expiry and the answer.
pub async fn send_with_token(
    sender: &HttpSender,
    destination: &MarketoDestination,
    submit: &OutgoingRequest,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    let bound = sender.timeout();
    match tokio::time::timeout(bound, exchange(sender, destination, submit, clock)).await {
        Ok(outcome) => outcome,
        Err(_) => DeliveryOutcome::Retry {
            after: None,
            reason: format!(
                "marketo not reachable: timed out after {bound:?} waiting for the vendor"
            ),
        },
    }
}

async fn exchange(
    sender: &HttpSender,
    destination: &MarketoDestination,
    submit: &OutgoingRequest,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    let key = marketo::token_key(destination);
    let mut rejected_reason = String::new();
    // A token rejected once is replaced once; a second rejection is Marketo's problem, not a
    // stale cache, and the lead waits for the normal backoff.
    for _ in 0..2 {
        let token = match token(sender, destination, &key, clock).await {
            Ok(token) => token,
            Err(outcome) => return outcome,
        };
        let request = submit
            .clone()
            .with_header("Authorization", format!("Bearer {token}"));
        let answer = match sender.send(&request).await {
            Ok(answer) => answer,
            Err(error) => {
                return DeliveryOutcome::Retry {
                    after: None,
                    reason: format!("marketo not reachable: {error}"),
                }
            }
        };
        match marketo::classify(&answer, clock.now()) {
            MarketoVerdict::Outcome(outcome) => return outcome,
            MarketoVerdict::TokenRejected(reason) => {
                sender.marketo_tokens().forget(&key, &token);
                rejected_reason = reason;
            }
        }
    }
    DeliveryOutcome::Retry {
        after: None,
        reason: rejected_reason,
    }
}

/// The cached token, or a new one. A failure is a retry with the reason: the lead waits for the
/// credentials (or the identity endpoint) to be fixed.
async fn token(
    sender: &HttpSender,
    destination: &MarketoDestination,
    key: &str,
    clock: &dyn ForwarderClock,
) -> Result<String, DeliveryOutcome> {
    let tokens = sender.marketo_tokens();
    if let Some(token) = tokens.usable(key, clock.now()) {
        return Ok(token);
    }
    let _fetching = tokens.fetch_guard().await;
    // Another delivery may have fetched one while this one waited.
    if let Some(token) = tokens.usable(key, clock.now()) {
        return Ok(token);
    }
    let retry = |reason: String| DeliveryOutcome::Retry {
        after: None,
        reason,
    };
    let secret = marketo_client_secret(destination).map_err(|error| retry(error.to_string()))?;
    let requested_at = clock.now();
    let answer = sender
        .send(&marketo::token_request(destination, &secret))
        .await
        .map_err(|error| {
            retry(format!(
                "Marketo's identity endpoint not reachable: {error}"
            ))
        })?;
    let issued =
        marketo::read_token(&answer, destination).map_err(|refused| retry(refused.to_string()))?;
    // Counted from the request, not the answer: the token's life started at Marketo meanwhile.
    tokens.store(
        key,
        CachedToken::issued(issued.access_token.clone(), issued.expires_in, requested_at),
    );
    Ok(issued.access_token)
}
