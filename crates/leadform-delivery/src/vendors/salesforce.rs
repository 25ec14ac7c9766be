//! Salesforce Web-to-Lead: a urlencoded UTF-8 POST to `/servlet/servlet.WebToLead?encoding=UTF-8`.
//! Salesforce answers 200 (or a redirect) whether or not it creates the lead, so "delivered" here
//! means "Salesforce took the post"; its validation and duplicate rules may still drop it.

use super::lead_values::{
    attribution_value, campaign_id, idempotency_key, is_ticked, join_endpoint, lead_source,
    mapped_fields,
};
use crate::outbox::PendingDelivery;
use crate::outcome::{body_suffix, retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{urlencode, OutgoingRequest, FORM_URLENCODED};
use leadform_core::definition::{FieldMapping, SalesforceDestination};
use leadform_core::FormDefinition;
use std::time::SystemTime;

const PRODUCTION_HOST: &str = "https://webto.salesforce.com";
const SANDBOX_HOST: &str = "https://test.salesforce.com";
const PATH: &str = "/servlet/servlet.WebToLead?encoding=UTF-8";

/// Leadform field → Salesforce standard field; a `field_map` adds to and overrides it. Fields in
/// neither are not sent: Web-to-Lead has nowhere to put them.
pub use leadform_core::definition::SALESFORCE_DEFAULT_FIELD_MAP as DEFAULT_FIELD_MAP;

/// The Web-to-Lead URL: `endpoint` (when set) replaces the scheme and host.
pub fn url(destination: &SalesforceDestination) -> String {
    let base = match (&destination.endpoint, destination.sandbox) {
        (Some(endpoint), _) => endpoint.as_str(),
        (None, true) => SANDBOX_HOST,
        (None, false) => PRODUCTION_HOST,
    };
    join_endpoint(base, PATH)
}

pub fn build_request(
    destination: &SalesforceDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
) -> OutgoingRequest {
    let mut pairs = vec![("oid".to_owned(), destination.org_id.clone())];
    let mapping = FieldMapping::salesforce(&destination.field_map);
    for mapped in mapped_fields(delivery, form, &mapping, &[]) {
        // Web-to-Lead checkboxes (emailOptOut and custom ones) take `1`; an unticked box is left out
        // so Salesforce keeps its default.
        if mapped.is_checkbox || mapped.vendor_name == "emailOptOut" {
            if is_ticked(&mapped.value) {
                pairs.push((mapped.vendor_name, "1".to_owned()));
            }
        } else {
            pairs.push((mapped.vendor_name, mapped.value));
        }
    }
    let already_sent = |name: &str| pairs.iter().any(|(sent, _)| sent == name);
    let mut hidden = Vec::new();
    if let Some(source) = lead_source(delivery, form).filter(|_| !already_sent("lead_source")) {
        hidden.push(("lead_source".to_owned(), source.to_owned()));
    }
    if let Some(campaign) = campaign_id(delivery, form).filter(|_| !already_sent("Campaign_ID")) {
        hidden.push(("Campaign_ID".to_owned(), campaign.to_owned()));
    }
    pairs.extend(hidden);
    for (key, field_id) in &destination.attribution_map {
        if let Some(value) = attribution_value(delivery.lead.attribution.as_ref(), key) {
            pairs.push((field_id.clone(), value.to_owned()));
        }
    }
    OutgoingRequest::post(url(destination), FORM_URLENCODED, urlencode(&pairs))
        .with_header("Idempotency-Key", idempotency_key(delivery))
}

pub fn classify(answer: &VendorAnswer, now: SystemTime) -> DeliveryOutcome {
    match answer.status {
        200..=399 => DeliveryOutcome::Delivered(format!(
            "HTTP {}; Salesforce gives no error body, so its validation or duplicate rules may still \
             have dropped the lead",
            answer.status
        )),
        408 | 429 | 500..=599 => retry_for(answer, now, "Salesforce"),
        status => DeliveryOutcome::Dead(format!(
            "Salesforce refused the post with HTTP {status}{}",
            body_suffix(&answer.body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};
    use std::collections::BTreeMap;

    fn destination() -> SalesforceDestination {
        SalesforceDestination {
            id: None,
            org_id: "00D5g000004abcd".into(),
            sandbox: false,
            field_map: BTreeMap::new(),
            attribution_map: BTreeMap::new(),
            endpoint: None,
        }
    }

    #[test]
    fn urls_follow_sandbox_and_endpoint() {
        let mut sf = destination();
        assert_eq!(
            url(&sf),
            "https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8"
        );
        sf.sandbox = true;
        assert_eq!(
            url(&sf),
            "https://test.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8"
        );
        sf.endpoint = Some("http://127.0.0.1:4010/sf/".into());
        assert_eq!(
            url(&sf),
            "http://127.0.0.1:4010/sf/servlet/servlet.WebToLead?encoding=UTF-8"
        );
    }

    #[test]
    fn default_map_sends_standard_fields_hidden_values_and_no_ret_url() {
        let request = build_request(&destination(), &delivery(), &contact_form());
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            request.header("idempotency-key"),
            Some("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b:salesforce:00D5g000004abcd")
        );
        assert_eq!(
            String::from_utf8(request.body).expect("utf-8"),
            "oid=00D5g000004abcd&company=Analytical+Engines+GmbH&email=ada%40example.com\
             &first_name=Ad%C3%A0&last_name=Lovelace&description=Gr%C3%BC%C3%9Fe+%26+a+demo%3F\
             &lead_source=Website&Campaign_ID=701Hs00000ContactA"
        );
    }

    #[test]
    fn field_and_attribution_maps_use_custom_ids() {
        let mut sf = destination();
        sf.field_map = BTreeMap::from([
            ("topic".into(), Some("00N5g00000Topic".into())),
            ("newsletter".into(), Some("emailOptOut".into())),
            ("campaign_id".into(), Some("Campaign_ID".into())),
            // Left out: the defaults still send the rest, email included.
            ("message".into(), None),
            ("first_name".into(), None),
        ]);
        sf.attribution_map = BTreeMap::from([
            ("utm_source".into(), "00N5g00000Src01".into()),
            ("first_touch.utm_source".into(), "00N5g00000FSr01".into()),
            ("last_touch.gclid".into(), "00N5g00000Gcl01".into()),
        ]);
        let body = String::from_utf8(build_request(&sf, &delivery(), &contact_form()).body)
            .expect("utf-8");
        assert_eq!(
            body,
            "oid=00D5g000004abcd&company=Analytical+Engines+GmbH&email=ada%40example.com\
             &last_name=Lovelace&emailOptOut=1&00N5g00000Topic=demo&Campaign_ID=701Hs00000ContactA\
             &lead_source=Website\
             &00N5g00000FSr01=google&00N5g00000Gcl01=gcl-1&00N5g00000Src01=newsletter"
        );
    }

    #[test]
    fn answers_are_classified() {
        let now = SystemTime::now();
        assert!(matches!(
            classify(&answer(200, ""), now),
            DeliveryOutcome::Delivered(_)
        ));
        assert!(matches!(
            classify(&answer(302, ""), now),
            DeliveryOutcome::Delivered(_)
        ));
        assert!(matches!(
            classify(&answer(503, ""), now),
            DeliveryOutcome::Retry { .. }
        ));
        assert_eq!(
            classify(&answer(403, "Forbidden"), now),
            DeliveryOutcome::Dead("Salesforce refused the post with HTTP 403: Forbidden".into())
        );
    }
}
