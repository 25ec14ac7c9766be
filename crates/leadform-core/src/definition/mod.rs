//! A marketer's form definition: one JSON file per form in the handler's forms directory.
//!
//! Parsing is strict (`deny_unknown_fields`) so a typo such as `"requried": true` stops the handler at
//! start-up instead of silently making a field optional. After parsing, [`FormDefinition::check`]
//! enforces the rules serde cannot express (see `check.rs`).

mod check;
mod destination;
mod destination_id;
mod field;
mod field_map;
mod lead_event;
mod marketo_check;
mod public;

pub use destination::{
    parse_attribution_key, AttributionTouchChoice, Destination, HubspotConsent, HubspotDestination,
    MarketoDestination, PardotDestination, SalesforceDestination, WebhookDestination,
    ATTRIBUTION_VALUES,
};
pub use destination_id::DESTINATION_ID_RULE;
pub use field::{FieldDefinition, FieldKind, SelectOption};
pub use field_map::{
    FieldMap, FieldMapping, HUBSPOT_DEFAULT_FIELD_MAP, MARKETO_DEFAULT_FIELD_MAP,
    SALESFORCE_DEFAULT_FIELD_MAP, VENDOR_EMAIL_NAME,
};
pub use lead_event::{default_webhook_events, LeadEvent};
pub use public::{PublicAsset, PublicFormDefinition};

use crate::error::DefinitionError;
use crate::submission::HiddenValues;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// Who the form is for, which decides how sales treats the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// "Contact us": a person asked to be contacted. Respond fast.
    Contact,
    /// Gated content (eBook, white paper): nurture, don't phone.
    ContentDownload,
}

/// What the browser and the handler may remember about a visitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoragePolicy {
    #[default]
    Always,
    /// Nothing is stored and no cookie is set until the visitor ticks the consent checkbox.
    AfterConsent,
    Never,
}

/// What happens after a successful submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SuccessBehaviour {
    #[validate(length(min = 1, max = 2000, message = "write a success message"))]
    pub message: String,
    /// Where to send the visitor instead of showing the message (http(s) URL or a path).
    #[serde(default)]
    #[validate(custom(function = "check::http_url_or_path"))]
    pub redirect_url: Option<String>,
}

/// The content a `content_download` form gives away. Its URL is revealed only after a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct GatedAsset {
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    /// An http(s) URL, or a path such as `/assets/ebook.pdf` on the handler that serves the form.
    #[validate(custom(function = "check::http_url_or_path"))]
    pub url: String,
    #[serde(default)]
    #[validate(custom(function = "check::http_url_or_path"))]
    pub cover_image_url: Option<String>,
    #[serde(default)]
    #[validate(length(max = 300))]
    pub cover_alt: Option<String>,
}

/// Progressive profiling: ask a few new questions per visit instead of all of them at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProgressivePolicy {
    #[validate(range(min = 1, max = 20))]
    pub max_new_fields: usize,
    /// Field names in priority order; each must be a field of the form.
    #[validate(length(min = 1))]
    pub pool: Vec<String>,
}

/// The consent checkbox. It renders last, as a checkbox named [`ConsentDefinition::FIELD_NAME`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ConsentDefinition {
    /// The exact text the visitor agrees to; it is stored with the lead and sent to HubSpot.
    #[validate(length(min = 1, max = 1000))]
    pub text: String,
    #[serde(default)]
    pub required: bool,
}

impl StoragePolicy {
    /// May the widget write to the browser's storage, and the handler set its visitor cookie and
    /// keep a profile, given whether the visitor ticked the consent box?
    pub fn allows(self, consented: bool) -> bool {
        match self {
            StoragePolicy::Always => true,
            StoragePolicy::AfterConsent => consented,
            StoragePolicy::Never => false,
        }
    }
}

impl ConsentDefinition {
    pub const FIELD_NAME: &'static str = "consent";
}

/// One form, as the marketer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    #[validate(custom(function = "check::slug"))]
    pub id: String,
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub description: Option<String>,
    pub kind: FormKind,
    #[validate(length(min = 1, max = 60))]
    pub submit_label: String,
    #[validate(nested)]
    pub success: SuccessBehaviour,
    #[validate(
        length(min = 1, max = 50, message = "a form needs between 1 and 50 fields"),
        nested
    )]
    pub fields: Vec<FieldDefinition>,
    /// Default campaign and lead source; one embed may override them with data attributes.
    #[serde(default)]
    pub hidden: HiddenValues,
    /// Origins (`scheme://host[:port]`) whose pages may embed the form. One trailing `/` is
    /// accepted and dropped, as `--public-url` does, since browsers send `Origin` without it.
    #[serde(default, deserialize_with = "origins_without_trailing_slash")]
    #[validate(custom(function = "check::origins"))]
    pub allowed_origins: Vec<String>,
    /// When not empty, the only campaign ids an embed may send.
    #[serde(default)]
    pub allowed_campaign_ids: Vec<String>,
    /// When not empty, the only lead sources an embed may send.
    #[serde(default)]
    pub allowed_lead_sources: Vec<String>,
    #[serde(default)]
    #[validate(nested)]
    pub asset: Option<GatedAsset>,
    #[serde(default)]
    #[validate(nested)]
    pub progressive: Option<ProgressivePolicy>,
    #[serde(default)]
    pub storage: StoragePolicy,
    #[serde(default)]
    #[validate(nested)]
    pub consent: Option<ConsentDefinition>,
    /// Submissions filled faster than this are treated as bots.
    #[serde(default = "default_min_fill_seconds")]
    #[validate(range(max = 600))]
    pub min_fill_seconds: u32,
    /// Where accepted leads are delivered, besides the database.
    #[serde(default)]
    pub destinations: Vec<Destination>,
    /// Days a lead of this form is kept. The running handler erases older leads once a day (their
    /// values go; a tombstone row stays, as with `forget`). Absent: kept until erased by hand.
    #[serde(default)]
    #[validate(range(
        min = 1,
        max = 36500,
        message = "keep leads for at least 1 and at most 36500 days (leave it out to keep them)"
    ))]
    pub retention_days: Option<u32>,
    /// Contact requests should be answered within this many hours; the console lists those past
    /// it and still open. Content downloads go to nurture and have no such clock.
    #[serde(default = "default_response_target_hours")]
    #[validate(range(
        min = 1,
        max = 720,
        message = "response_target_hours must be from 1 to 720 (30 days)"
    ))]
    pub response_target_hours: u32,
}

fn default_min_fill_seconds() -> u32 {
    3
}

fn origins_without_trailing_slash<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let origins = Vec::<String>::deserialize(deserializer)?;
    Ok(origins
        .into_iter()
        .map(|origin| match origin.strip_suffix('/') {
            Some(bare) => bare.to_owned(),
            None => origin,
        })
        .collect())
}

fn default_response_target_hours() -> u32 {
    24
}

impl FormDefinition {
    /// Checks the rules serde cannot express: lengths and formats (validator), then cross-field rules.
    pub fn check(&self) -> Result<(), DefinitionError> {
        check::check_definition(self)
    }

    pub fn field(&self, name: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The view served to browsers: no asset URL, no destinations, no allow-lists.
    pub fn public_view(&self) -> PublicFormDefinition {
        PublicFormDefinition::from(self)
    }

    /// Leads received before this time (ms since the epoch) are past this form's retention;
    /// `None` when the form keeps its leads.
    pub fn retention_cutoff_ms(&self, now_ms: i64) -> Option<i64> {
        const DAY_MS: i64 = 24 * 60 * 60 * 1000;
        self.retention_days
            .map(|days| now_ms.saturating_sub(i64::from(days).saturating_mul(DAY_MS)))
    }

    /// `true` when `origin` (as sent in the `Origin` header) may embed this form.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.allowed_origins
            .iter()
            .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
}
