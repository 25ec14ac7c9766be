//! Reading the values a vendor needs out of a stored lead: mapped fields, hidden values, attribution.

use crate::outbox::{DeliveryEvent, PendingDelivery};
use leadform_core::definition::{parse_attribution_key, AttributionTouchChoice, FieldMapping};
use leadform_core::{AttributionTouch, FieldKind, FormDefinition, LeadAttribution};

/// The value of a Leadform name on this lead: a form field, or the hidden values `lead_source` and
/// `campaign_id` (the lead's own, else the form's default). Empty values count as absent.
pub fn lead_value<'a>(
    delivery: &'a PendingDelivery,
    form: &'a FormDefinition,
    name: &str,
) -> Option<&'a str> {
    let value = match name {
        _ if delivery.lead.fields.contains_key(name) => {
            delivery.lead.fields.get(name).map(String::as_str)
        }
        "lead_source" => lead_source(delivery, form),
        "campaign_id" => campaign_id(delivery, form),
        _ => None,
    };
    value.filter(|value| !value.trim().is_empty())
}

pub fn lead_source<'a>(delivery: &'a PendingDelivery, form: &'a FormDefinition) -> Option<&'a str> {
    delivery
        .lead
        .hidden
        .lead_source
        .as_deref()
        .or(form.hidden.lead_source.as_deref())
        .filter(|value| !value.is_empty())
}

pub fn campaign_id<'a>(delivery: &'a PendingDelivery, form: &'a FormDefinition) -> Option<&'a str> {
    delivery
        .lead
        .hidden
        .campaign_id
        .as_deref()
        .or(form.hidden.campaign_id.as_deref())
        .filter(|value| !value.is_empty())
}

/// `(vendor name, value)` for the lead's values, named by the destination's [`FieldMapping`]
/// (its kind's defaults with its `field_map` on top): every non-empty field the mapping sends, then
/// the names the `field_map` adds that are not fields (the hidden values `lead_source` and
/// `campaign_id`). Fields in `skip` (e.g. the consent checkbox) are never sent as fields.
pub fn mapped_fields(
    delivery: &PendingDelivery,
    form: &FormDefinition,
    mapping: &FieldMapping<'_>,
    skip: &[&str],
) -> Vec<MappedValue> {
    let mut mapped = Vec::new();
    for (name, value) in &delivery.lead.fields {
        if skip.contains(&name.as_str()) || value.trim().is_empty() {
            continue;
        }
        if let Some(vendor_name) = mapping.vendor_name(name) {
            mapped.push(MappedValue::new(form, name, vendor_name.to_owned(), value));
        }
    }
    for (name, vendor_name) in mapping.explicit() {
        if skip.contains(&name) || delivery.lead.fields.contains_key(name) {
            continue;
        }
        if let Some(value) = lead_value(delivery, form, name) {
            mapped.push(MappedValue::new(form, name, vendor_name.to_owned(), value));
        }
    }
    mapped
}

/// One value on its way to a vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedValue {
    pub vendor_name: String,
    pub value: String,
    /// The value came from a checkbox field (`"true"` when ticked).
    pub is_checkbox: bool,
}

impl MappedValue {
    fn new(form: &FormDefinition, name: &str, vendor_name: String, value: &str) -> Self {
        Self {
            vendor_name,
            value: value.to_owned(),
            is_checkbox: form
                .field(name)
                .is_some_and(|field| field.kind == FieldKind::Checkbox),
        }
    }
}

/// `true` for the ways a ticked checkbox arrives.
pub fn is_ticked(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "on" | "yes"
    )
}

/// The attribution value an `attribution_map` key names (see `SalesforceDestination`).
pub fn attribution_value<'a>(
    attribution: Option<&'a LeadAttribution>,
    key: &str,
) -> Option<&'a str> {
    let attribution = attribution?;
    let (choice, value_name) = parse_attribution_key(key)?;
    let from =
        |touch: &'a Option<AttributionTouch>| touch.as_ref().and_then(|t| t.value(value_name));
    match choice {
        AttributionTouchChoice::First => from(&attribution.first_touch),
        AttributionTouchChoice::Last => from(&attribution.last_touch),
        AttributionTouchChoice::Latest => {
            from(&attribution.last_touch).or_else(|| from(&attribution.first_touch))
        }
    }
}

/// The `Idempotency-Key` of one delivery: the same for every attempt, different per destination,
/// and unchanged when the form's destinations are reordered.
pub fn idempotency_key(delivery: &PendingDelivery) -> String {
    let destination = delivery
        .destination_id
        .as_deref()
        .unwrap_or(&delivery.destination_key);
    match &delivery.event {
        DeliveryEvent::Created => format!("{}:{destination}", delivery.lead.submission_id),
        // The hand-off is another event for the same lead and destination: its own key.
        DeliveryEvent::Mql(_) => format!("{}:{destination}:lead.mql", delivery.lead.submission_id),
    }
}

/// Joins an endpoint (scheme + host, optionally a path prefix) and a path without doubling `/`.
pub fn join_endpoint(endpoint: &str, path: &str) -> String {
    format!("{}{}", endpoint.trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_keys_pick_the_touch() {
        let attribution = LeadAttribution {
            first_touch: Some(AttributionTouch {
                utm_source: Some("google".into()),
                referrer: Some("https://www.google.com/".into()),
                ..Default::default()
            }),
            last_touch: Some(AttributionTouch {
                utm_source: Some("newsletter".into()),
                ..Default::default()
            }),
        };
        let value = |key| attribution_value(Some(&attribution), key);
        assert_eq!(value("utm_source"), Some("newsletter"));
        assert_eq!(value("first_touch.utm_source"), Some("google"));
        assert_eq!(value("last_touch.utm_source"), Some("newsletter"));
        assert_eq!(
            value("referrer"),
            Some("https://www.google.com/"),
            "falls back to the first touch"
        );
        assert_eq!(value("last_touch.referrer"), None);
        assert_eq!(value("gclid"), None);
        assert_eq!(value("nonsense"), None);
        assert_eq!(attribution_value(None, "utm_source"), None);
    }

    #[test]
    fn endpoints_join_without_double_slashes() {
        assert_eq!(
            join_endpoint("http://127.0.0.1:9/", "/a?b=1"),
            "http://127.0.0.1:9/a?b=1"
        );
        assert_eq!(join_endpoint("http://proxy/sf", "/a"), "http://proxy/sf/a");
    }
}
