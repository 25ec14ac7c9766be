//! Pardot (Account Engagement) form handler: a urlencoded POST of the handler's external field names.
//! Pardot answers with a redirect to its success or error page either way, so "delivered" means
//! "the handler took the post".

use super::lead_values::{idempotency_key, mapped_fields};
use crate::outbox::PendingDelivery;
use crate::outcome::{body_suffix, retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{urlencode, OutgoingRequest, FORM_URLENCODED};
use leadform_core::definition::{FieldMapping, PardotDestination};
use leadform_core::FormDefinition;
use std::time::SystemTime;

/// Every field is sent under its Leadform name unless the `field_map` renames it (or leaves it out
/// with `null`); the admin names the handler's external fields to match.
pub fn build_request(
    destination: &PardotDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
) -> OutgoingRequest {
    let pairs: Vec<(String, String)> = mapped_fields(
        delivery,
        form,
        &FieldMapping::pardot(&destination.field_map),
        &[],
    )
    .into_iter()
    .map(|mapped| (mapped.vendor_name, mapped.value))
    .collect();
    OutgoingRequest::post(destination.url.clone(), FORM_URLENCODED, urlencode(&pairs))
        .with_header("Idempotency-Key", idempotency_key(delivery))
}

pub fn classify(answer: &VendorAnswer, now: SystemTime) -> DeliveryOutcome {
    match answer.status {
        200..=399 => DeliveryOutcome::Delivered(format!(
            "HTTP {}; Pardot gives no machine-readable result, so check the handler's error location \
             in Pardot if the prospect is missing",
            answer.status
        )),
        408 | 429 | 500..=599 => retry_for(answer, now, "Pardot"),
        status => DeliveryOutcome::Dead(format!(
            "Pardot refused the post with HTTP {status}{}",
            body_suffix(&answer.body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};
    use std::collections::BTreeMap;

    #[test]
    fn mapped_fields_are_sent_urlencoded_to_the_handler_url() {
        let pardot = PardotDestination {
            id: None,
            url: "https://go.pardot.com/l/1/2026-01-01/abc".into(),
            field_map: BTreeMap::from([
                ("first_name".into(), Some("FirstName".into())),
                ("campaign_id".into(), Some("campaign".into())),
                ("phone".into(), Some("Phone".into())),
                ("message".into(), None),
                ("newsletter".into(), None),
            ]),
        };
        let request = build_request(&pardot, &delivery(), &contact_form());
        assert_eq!(request.url, "https://go.pardot.com/l/1/2026-01-01/abc");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            String::from_utf8(request.body).expect("utf-8"),
            "company=Analytical+Engines+GmbH&email=ada%40example.com&FirstName=Ad%C3%A0\
             &last_name=Lovelace&topic=demo&campaign=701Hs00000ContactA"
        );
    }

    #[test]
    fn redirects_count_as_delivered_and_4xx_as_dead() {
        let now = SystemTime::now();
        assert!(matches!(
            classify(&answer(302, ""), now),
            DeliveryOutcome::Delivered(_)
        ));
        assert!(matches!(
            classify(&answer(500, ""), now),
            DeliveryOutcome::Retry { .. }
        ));
        assert!(
            matches!(classify(&answer(415, ""), now), DeliveryOutcome::Dead(r) if r.contains("415"))
        );
    }
}
