//! Where a form's leads are delivered besides the database. The wire formats live in
//! `leadform-delivery`; this is only what a marketer writes in the definition.

use super::field_map::FieldMap;
use super::lead_event::LeadEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use validator::{Validate, ValidationError};

/// One delivery target. A form may list several; each gets its own outbox row per lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    SalesforceWebToLead(SalesforceDestination),
    Hubspot(HubspotDestination),
    PardotFormHandler(PardotDestination),
    Webhook(WebhookDestination),
    Marketo(MarketoDestination),
    Slack(SlackDestination),
}

impl Destination {
    /// A short, stable label for logs and `outbox list`, e.g. `hubspot`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Destination::SalesforceWebToLead(_) => "salesforce_web_to_lead",
            Destination::Hubspot(_) => "hubspot",
            Destination::PardotFormHandler(_) => "pardot_form_handler",
            Destination::Webhook(_) => "webhook",
            Destination::Marketo(_) => "marketo",
            Destination::Slack(_) => "slack",
        }
    }

    /// Whether this destination receives `event`. Only a webhook can take `lead.mql`; vendors
    /// receive each lead once, as it is created.
    pub fn subscribes_to(&self, event: LeadEvent) -> bool {
        match self {
            Destination::Webhook(hook) => hook.events.contains(&event),
            _ => event == LeadEvent::Created,
        }
    }
}

/// Salesforce Web-to-Lead. `field_map` maps a Leadform field name to a Salesforce field
/// (`first_name`, `company`, or a custom field id `00N...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SalesforceDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from where the destination
    /// sends (see `Destination::id`). Renaming it orphans the deliveries still queued for it.
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    /// The 15- or 18-character org id, sent as `oid`.
    #[validate(custom(function = "super::check::salesforce_id"))]
    pub org_id: String,
    /// Post to `test.salesforce.com` instead of `webto.salesforce.com`.
    #[serde(default)]
    pub sandbox: bool,
    /// Adds to and overrides [`super::SALESFORCE_DEFAULT_FIELD_MAP`]; `null` leaves a field out.
    #[serde(default)]
    #[validate(custom(function = "salesforce_field_map"))]
    pub field_map: FieldMap,
    /// Attribution values to custom field ids (`00N...`). A key is one of [`ATTRIBUTION_VALUES`],
    /// alone (the last touch, falling back to the first touch) or prefixed with `first_touch.` or
    /// `last_touch.` (that touch only): `utm_source`, `first_touch.utm_source`, `last_touch.gclid`.
    #[serde(default)]
    #[validate(
        custom(function = "attribution_keys"),
        custom(function = "salesforce_field_names")
    )]
    pub attribution_map: BTreeMap<String, String>,
    /// Replaces `https://webto.salesforce.com` (or the sandbox host): the post goes to
    /// `{endpoint}/servlet/servlet.WebToLead?encoding=UTF-8`, `endpoint` without a trailing `/`.
    /// It may carry a path prefix (`http://proxy.internal/sf`). For a local stand-in or a proxy.
    #[serde(default)]
    #[validate(custom(function = "super::check::http_url"))]
    pub endpoint: Option<String>,
}

/// The attribution values a Salesforce `attribution_map` key may name.
pub use crate::attribution::TOUCH_VALUES as ATTRIBUTION_VALUES;

/// Which touch an attribution key reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributionTouchChoice {
    /// The last touch, falling back to the first touch when there is no last touch.
    Latest,
    First,
    Last,
}

/// Splits an `attribution_map` key into the touch and the value it names; `None` for an unknown key.
pub fn parse_attribution_key(key: &str) -> Option<(AttributionTouchChoice, &'static str)> {
    let (choice, value) = if let Some(rest) = key.strip_prefix("first_touch.") {
        (AttributionTouchChoice::First, rest)
    } else if let Some(rest) = key.strip_prefix("last_touch.") {
        (AttributionTouchChoice::Last, rest)
    } else {
        (AttributionTouchChoice::Latest, key)
    };
    ATTRIBUTION_VALUES
        .iter()
        .find(|known| **known == value)
        .map(|known| (choice, *known))
}

fn attribution_keys(map: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    match map.keys().find(|key| parse_attribution_key(key).is_none()) {
        None => Ok(()),
        Some(unknown) => Err(ValidationError::new("attribution_key").with_message(
            format!(
                "`{unknown}` is not an attribution value; use one of {} (optionally prefixed with \
                 `first_touch.` or `last_touch.`)",
                ATTRIBUTION_VALUES.join(", ")
            )
            .into(),
        )),
    }
}

/// Web-to-Lead fields Leadform fills itself and a map must not name.
const SALESFORCE_RESERVED_FIELDS: [&str; 2] = ["oid", "retURL"];

/// A `field_map`'s Salesforce names (see [`salesforce_field_names`]); `null` entries need none.
fn salesforce_field_map(map: &FieldMap) -> Result<(), ValidationError> {
    let named: BTreeMap<String, String> = map
        .iter()
        .filter_map(|(ours, theirs)| Some((ours.clone(), theirs.clone()?)))
        .collect();
    salesforce_field_names(&named)
}

/// A vendor's field name may not be empty or hold control characters.
fn vendor_field_names(map: &FieldMap) -> Result<(), ValidationError> {
    for (ours, theirs) in map {
        if let Some(theirs) = theirs {
            if theirs.trim().is_empty() || theirs.chars().any(char::is_control) {
                return Err(ValidationError::new("vendor_field").with_message(
                    format!("`{ours}` → `{theirs}`: name the vendor's field, or use null to leave it out")
                        .into(),
                ));
            }
        }
    }
    Ok(())
}

/// A map's Salesforce side: a field API name (`first_name`, `Campaign_ID`) or a custom field id
/// (`00N` and 12 or 15 more letters and digits, as Setup shows it).
fn salesforce_field_names(map: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    for (ours, theirs) in map {
        let is_api_name = theirs.starts_with(|c: char| c.is_ascii_alphabetic())
            && theirs
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let problem = if theirs.starts_with("00N") && !matches!(theirs.len(), 15 | 18) {
            Some("a custom field id is 15 or 18 characters (00N...)")
        } else if !is_api_name && !theirs.starts_with("00N") {
            Some("use a Web-to-Lead field name such as `company`, or a custom field id `00N...`")
        } else if SALESFORCE_RESERVED_FIELDS.contains(&theirs.as_str()) {
            Some("Leadform sets this field itself")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(ValidationError::new("salesforce_field")
                .with_message(format!("`{ours}` → `{theirs}`: {problem}").into()));
        }
    }
    Ok(())
}

/// HubSpot Forms submission API v3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct HubspotDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from where the destination
    /// sends (see `Destination::id`). Renaming it orphans the deliveries still queued for it.
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    #[validate(length(min = 1, max = 20))]
    pub portal_id: String,
    #[validate(length(min = 1, max = 64))]
    pub form_guid: String,
    /// Adds to and overrides [`super::HUBSPOT_DEFAULT_FIELD_MAP`]; `null` leaves a field out.
    #[serde(default)]
    #[validate(custom(function = "vendor_field_names"))]
    pub field_map: FieldMap,
    /// How the form's consent checkbox maps to `legalConsentOptions`.
    #[serde(default)]
    pub consent: Option<HubspotConsent>,
    /// Replaces `https://api.hsforms.com`: the post goes to
    /// `{endpoint}/submissions/v3/integration/submit/{portal_id}/{form_guid}`, `endpoint` without a
    /// trailing `/`. It may carry a path prefix. For a local stand-in or a proxy.
    #[serde(default)]
    #[validate(custom(function = "super::check::http_url"))]
    pub endpoint: Option<String>,
}

/// The subscription a ticked consent box subscribes the visitor to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubspotConsent {
    pub subscription_type_id: u64,
    /// Text of the communications consent; the form's consent text when absent.
    #[serde(default)]
    pub communication_text: Option<String>,
}

/// A Pardot (Account Engagement) form handler, posted urlencoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct PardotDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from where the destination
    /// sends (see `Destination::id`). Renaming it orphans the deliveries still queued for it.
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    #[validate(custom(function = "super::check::http_url"))]
    pub url: String,
    /// Leadform field name → the handler's external field name; fields not named are sent under
    /// their own name, and `null` leaves a field out.
    #[serde(default)]
    #[validate(custom(function = "vendor_field_names"))]
    pub field_map: FieldMap,
}

/// A signed JSON webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct WebhookDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from where the destination
    /// sends (see `Destination::id`). Renaming it orphans the deliveries still queued for it.
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    #[validate(custom(function = "super::check::http_url"))]
    pub url: String,
    /// Name of the environment variable holding the HMAC secret. The secret itself never goes in
    /// a definition file.
    #[validate(custom(function = "super::check::env_var_name"))]
    pub secret_env: String,
    /// The events this webhook receives: `"lead.created"`, `"lead.mql"` or both. Default
    /// `["lead.created"]`, so a definition without the key behaves as before.
    #[serde(default = "super::lead_event::default_webhook_events")]
    #[validate(custom(function = "super::lead_event::webhook_events"))]
    pub events: Vec<LeadEvent>,
}

/// Marketo Engage, through the REST API's `submitForm` (see `leadform-delivery`'s `marketo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct MarketoDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from where the destination
    /// sends (see `Destination::id`). Renaming it orphans the deliveries still queued for it.
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    /// The instance's Munchkin id, `123-ABC-456` (Admin → Munchkin): the REST host is
    /// `https://{munchkin_id}.mktorest.com`.
    #[validate(custom(function = "super::marketo_check::munchkin_id"))]
    pub munchkin_id: String,
    /// The API-only user's client id (Admin → LaunchPoint → View Details).
    #[validate(custom(function = "super::marketo_check::client_id"))]
    pub client_id: String,
    /// Name of the environment variable holding the client secret. The secret itself never goes
    /// in a definition file.
    #[validate(custom(function = "super::check::env_var_name"))]
    pub client_secret_env: String,
    /// The Marketo form the lead is submitted as (`formId`), a positive number.
    #[validate(range(min = 1))]
    pub form_id: u64,
    /// Adds to and overrides [`super::MARKETO_DEFAULT_FIELD_MAP`]; `null` leaves a field out.
    /// The vendor side is a REST API field name (`firstName`, `company`).
    #[serde(default)]
    #[validate(custom(function = "vendor_field_names"))]
    pub field_map: FieldMap,
    /// Replaces `https://{munchkin_id}.mktorest.com` for both the token and the submission,
    /// `endpoint` without a trailing `/`. It may carry a path prefix. For a local stand-in or a
    /// proxy.
    #[serde(default)]
    #[validate(custom(function = "super::check::http_url"))]
    pub endpoint: Option<String>,
}

/// A Slack incoming webhook: a short message to a channel for each new contact request, linking
/// to the lead's console page (see `leadform-delivery`'s `slack`). Only a `contact` form may have
/// one: downloads go to nurture and ping no one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SlackDestination {
    /// This destination's identity, kept when the list is reordered or another destination is
    /// added: queued deliveries follow it. Without one, it is derived from the URL (a hash).
    #[serde(default)]
    #[validate(custom(function = "super::destination_id::explicit_id"))]
    pub id: Option<String>,
    /// The incoming-webhook URL (`https://hooks.slack.com/services/T…/B…/…`). It is its own
    /// secret: stored and shown only as scheme, host and a hash.
    #[validate(custom(function = "super::check::http_url"))]
    pub url: String,
}
