//! Where a form's leads are delivered besides the database. The wire formats live in
//! `leadform-delivery`; this is only what a marketer writes in the definition.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use validator::Validate;

/// One delivery target. A form may list several; each gets its own outbox row per lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    SalesforceWebToLead(SalesforceDestination),
    Hubspot(HubspotDestination),
    PardotFormHandler(PardotDestination),
    Webhook(WebhookDestination),
}

impl Destination {
    /// A short, stable label for logs and `outbox list`, e.g. `hubspot`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Destination::SalesforceWebToLead(_) => "salesforce_web_to_lead",
            Destination::Hubspot(_) => "hubspot",
            Destination::PardotFormHandler(_) => "pardot_form_handler",
            Destination::Webhook(_) => "webhook",
        }
    }
}

/// Salesforce Web-to-Lead. `field_map` maps a Leadform field name to a Salesforce field
/// (`first_name`, `company`, or a custom field id `00N...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SalesforceDestination {
    /// The 15- or 18-character org id, sent as `oid`.
    #[validate(custom(function = "super::check::salesforce_id"))]
    pub org_id: String,
    /// Post to `test.salesforce.com` instead of `webto.salesforce.com`.
    #[serde(default)]
    pub sandbox: bool,
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
    /// Attribution values (`utm_source`, `first_touch.utm_source`, `gclid`, `referrer`, ...) to custom
    /// field ids (`00N...`).
    #[serde(default)]
    pub attribution_map: BTreeMap<String, String>,
    /// Overrides the Web-to-Lead URL; for a local stand-in in tests or a proxy.
    #[serde(default)]
    #[validate(custom(function = "super::check::http_url"))]
    pub endpoint: Option<String>,
}

/// HubSpot Forms submission API v3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct HubspotDestination {
    #[validate(length(min = 1, max = 20))]
    pub portal_id: String,
    #[validate(length(min = 1, max = 64))]
    pub form_guid: String,
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
    /// How the form's consent checkbox maps to `legalConsentOptions`.
    #[serde(default)]
    pub consent: Option<HubspotConsent>,
    /// Overrides `https://api.hsforms.com`; for a local stand-in in tests or a proxy.
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
    #[validate(custom(function = "super::check::http_url_required"))]
    pub url: String,
    /// Leadform field name → the handler's external field name.
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
}

/// A signed JSON webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct WebhookDestination {
    #[validate(custom(function = "super::check::http_url_required"))]
    pub url: String,
    /// Name of the environment variable holding the HMAC secret. The secret itself never goes in
    /// a definition file.
    #[validate(custom(function = "super::check::env_var_name"))]
    pub secret_env: String,
}
