//! Which destination a queued delivery goes to: the one with the identity it was queued for, found
//! by that identity and never by position. When it is gone, the delivery must go nowhere: a lead
//! sent to the wrong CRM or webhook is the worst failure this product can have.

use crate::outbox::{destination_key, legacy_destination_key, PendingDelivery};
use leadform_core::definition::LeadEvent;
use leadform_core::redact::redact_url;
use leadform_core::{Destination, FormDefinition};
use std::collections::BTreeMap;

/// Why a queued delivery has no destination any more. The message is stored as the dead
/// delivery's reason, so it says what happened and what to do, and never shows a URL's secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MissingDestination {
    #[error(
        "form `{form_id}` is no longer loaded, so its destination `{destination}` is unknown; the \
         lead was sent nowhere. Restore the form and run `outbox retry`"
    )]
    FormGone {
        form_id: String,
        destination: String,
    },
    #[error(
        "destination `{destination}` is no longer in form `{form_id}` (removed, or its `id` or \
         target changed); the lead was sent nowhere. Restore it and run `outbox retry`"
    )]
    DestinationGone {
        form_id: String,
        destination: String,
    },
    #[error(
        "this delivery was queued before destinations had ids, and {matches} destinations of form \
         `{form_id}` match its `{destination}`; the lead was sent nowhere rather than to a guess"
    )]
    Ambiguous {
        form_id: String,
        destination: String,
        matches: usize,
    },
    #[error(
        "destination `{destination}` of form `{form_id}` no longer subscribes to `lead.mql` (its \
         `events`); the hand-off was sent nowhere. Add \"lead.mql\" and run `outbox retry`"
    )]
    NotSubscribed {
        form_id: String,
        destination: String,
    },
}

/// The form and destination a delivery was queued for, and the delivery with its destination id
/// filled in (rows stored before ids existed get the id of the destination they matched).
pub fn find_destination<'a>(
    forms: &'a BTreeMap<String, FormDefinition>,
    delivery: &PendingDelivery,
) -> Result<(&'a FormDefinition, &'a Destination, PendingDelivery), MissingDestination> {
    let shown = shown_destination(delivery);
    let Some(form) = forms.get(&delivery.form_id) else {
        return Err(MissingDestination::FormGone {
            form_id: delivery.form_id.clone(),
            destination: shown,
        });
    };
    let destination = match &delivery.destination_id {
        Some(id) => form.destinations.iter().find(|d| d.id() == *id),
        None => {
            let matches: Vec<&Destination> = form
                .destinations
                .iter()
                .filter(|d| {
                    legacy_destination_key(d) == delivery.destination_key
                        || destination_key(d) == delivery.destination_key
                })
                .collect();
            if matches.len() > 1 {
                return Err(MissingDestination::Ambiguous {
                    form_id: form.id.clone(),
                    destination: shown,
                    matches: matches.len(),
                });
            }
            matches.first().copied()
        }
    };
    let Some(destination) = destination else {
        return Err(MissingDestination::DestinationGone {
            form_id: form.id.clone(),
            destination: shown,
        });
    };
    // A `lead.mql` body means nothing to a CRM form endpoint, nor to a webhook that dropped it.
    if delivery.event.name() == LeadEvent::Mql && !destination.subscribes_to(LeadEvent::Mql) {
        return Err(MissingDestination::NotSubscribed {
            form_id: form.id.clone(),
            destination: shown,
        });
    }
    let mut routed = delivery.clone();
    routed.destination_id = Some(destination.id());
    Ok((form, destination, routed))
}

/// The destination as a reason may show it: its id, or (for an old row) its key with any webhook
/// URL redacted.
fn shown_destination(delivery: &PendingDelivery) -> String {
    if let Some(id) = &delivery.destination_id {
        return id.clone();
    }
    match delivery.destination_key.strip_prefix("webhook:") {
        Some(url) if url.contains("://") && !url.contains("/…#") => {
            format!("webhook:{}", redact_url(url))
        }
        _ => delivery.destination_key.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{contact_form, delivery};

    fn forms(destinations: serde_json::Value) -> BTreeMap<String, FormDefinition> {
        let mut form = contact_form();
        form.destinations = serde_json::from_value(destinations).expect("destinations");
        BTreeMap::from([(form.id.clone(), form)])
    }

    const HOOK: &str = "https://hooks.example.com/in/s3cr3t";

    #[test]
    fn rows_from_before_ids_are_matched_by_their_old_key() {
        let forms = forms(serde_json::json!([
            {"kind": "hubspot", "portal_id": "123456", "form_guid": "g"},
            {"kind": "webhook", "url": HOOK, "secret_env": "HOOK"}
        ]));
        let mut old = delivery();
        old.destination_id = None;
        old.destination_key = format!("webhook:{HOOK}");
        let (_, destination, routed) = find_destination(&forms, &old).expect("found");
        assert_eq!(destination.kind_name(), "webhook");
        assert_eq!(routed.destination_id, Some(destination.id()));

        old.destination_key = "hubspot:123456".into();
        let (_, destination, _) = find_destination(&forms, &old).expect("found");
        assert_eq!(destination.kind_name(), "hubspot");
    }

    #[test]
    fn an_old_row_matching_two_destinations_goes_nowhere() {
        let forms = forms(serde_json::json!([
            {"kind": "hubspot", "portal_id": "123456", "form_guid": "a"},
            {"kind": "hubspot", "portal_id": "123456", "form_guid": "b"}
        ]));
        let mut old = delivery();
        old.destination_id = None;
        old.destination_key = "hubspot:123456".into();
        let error = find_destination(&forms, &old).expect_err("ambiguous");
        assert!(matches!(
            error,
            MissingDestination::Ambiguous { matches: 2, .. }
        ));
    }

    #[test]
    fn reasons_name_the_destination_without_its_secret() {
        let mut old = delivery();
        old.destination_id = None;
        old.destination_key = format!("webhook:{HOOK}");
        let error = find_destination(&forms(serde_json::json!([])), &old).expect_err("gone");
        let reason = error.to_string();
        assert!(
            reason.starts_with("destination `webhook:https://hooks.example.com/…#"),
            "{reason}"
        );
        assert!(!reason.contains("s3cr3t"), "{reason}");
        let gone = find_destination(&BTreeMap::new(), &delivery()).expect_err("no form");
        assert!(gone
            .to_string()
            .starts_with("form `contact-us` is no longer loaded"));
    }

    #[test]
    fn a_lead_mql_goes_only_to_a_destination_that_still_subscribes() {
        let mut mql = delivery();
        mql.event = crate::outbox::DeliveryEvent::Mql(crate::outbox::MqlHandOff {
            person_id: 1,
            email: "ada@example.com".into(),
            score: 100,
            mql_at_ms: 0,
        });
        let subscribed = forms(serde_json::json!([
            {"kind": "webhook", "id": "crm", "url": HOOK, "secret_env": "HOOK", "events": ["lead.mql"]}
        ]));
        mql.destination_id = Some("crm".into());
        assert!(find_destination(&subscribed, &mql).is_ok());
        let dropped = forms(serde_json::json!([
            {"kind": "webhook", "id": "crm", "url": HOOK, "secret_env": "HOOK"}
        ]));
        let error = find_destination(&dropped, &mql).expect_err("not subscribed");
        assert!(
            matches!(error, MissingDestination::NotSubscribed { .. }),
            "{error}"
        );
    }
}
