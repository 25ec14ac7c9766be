//! One module per destination kind: each turns (destination, delivery, form) into an
//! [`OutgoingRequest`] and classifies the vendor's answer into a [`DeliveryOutcome`].

pub mod hubspot;
pub mod lead_values;
pub mod marketo;
mod marketo_quota;
pub mod pardot;
pub mod salesforce;
pub mod webhook;

#[cfg(test)]
pub(crate) mod fixtures;

use crate::outbox::PendingDelivery;
use crate::outcome::{DeliveryOutcome, VendorAnswer};
use crate::request::OutgoingRequest;
use leadform_core::{Destination, FormDefinition};
use std::time::{SystemTime, UNIX_EPOCH};

/// Why a request could not be built. Each is a configuration problem an operator can fix, so the
/// delivery stays pending (with this as its last error) instead of being dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error(
        "the webhook secret is missing: environment variable `{variable}` is not set (or not \
         UTF-8); set it and restart the handler"
    )]
    MissingSecret { variable: String },
    #[error("the webhook secret in environment variable `{variable}` is empty")]
    EmptySecret { variable: String },
    #[error(
        "the Marketo client secret is missing: environment variable `{variable}` is not set, not \
         UTF-8 or empty; set it and restart the handler"
    )]
    MissingMarketoSecret { variable: String },
}

/// A Marketo destination's client secret, read from its environment variable at send time.
pub fn marketo_client_secret(
    destination: &leadform_core::definition::MarketoDestination,
) -> Result<String, BuildError> {
    let variable = &destination.client_secret_env;
    std::env::var(variable)
        .ok()
        .filter(|secret| !secret.is_empty())
        .ok_or_else(|| BuildError::MissingMarketoSecret {
            variable: variable.clone(),
        })
}

/// The request for one attempt (for Marketo, without its token). Reads the webhook secret from the environment at send time, so
/// setting the variable and restarting is enough to release waiting deliveries.
pub fn build_request(
    destination: &Destination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
    now: SystemTime,
) -> Result<OutgoingRequest, BuildError> {
    Ok(match destination {
        Destination::SalesforceWebToLead(sf) => salesforce::build_request(sf, delivery, form),
        Destination::Hubspot(hs) => hubspot::build_request(hs, delivery, form),
        Destination::PardotFormHandler(pardot) => pardot::build_request(pardot, delivery, form),
        Destination::Marketo(mkto) => {
            // Checked here so a lead without a usable secret waits before taking a rate-limit
            // slot; the token itself is fetched when sending.
            marketo_client_secret(mkto)?;
            marketo::build_request(mkto, delivery, form)
        }
        Destination::Webhook(hook) => {
            let variable = hook.secret_env.clone();
            let secret = std::env::var(&variable).map_err(|_| BuildError::MissingSecret {
                variable: variable.clone(),
            })?;
            if secret.is_empty() {
                return Err(BuildError::EmptySecret { variable });
            }
            let timestamp = now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs());
            webhook::build_request(hook, delivery, form, secret.as_bytes(), timestamp)
        }
    })
}

/// The vendor's verdict on an HTTP answer.
pub fn classify(
    destination: &Destination,
    answer: &VendorAnswer,
    now: SystemTime,
) -> DeliveryOutcome {
    match destination {
        Destination::SalesforceWebToLead(_) => salesforce::classify(answer, now),
        Destination::Hubspot(_) => hubspot::classify(answer, now),
        Destination::PardotFormHandler(_) => pardot::classify(answer, now),
        Destination::Webhook(_) => webhook::classify(answer, now),
        Destination::Marketo(_) => match marketo::classify(answer, now) {
            marketo::MarketoVerdict::Outcome(outcome) => outcome,
            marketo::MarketoVerdict::TokenRejected(reason) => DeliveryOutcome::Retry {
                after: None,
                reason,
            },
        },
    }
}
