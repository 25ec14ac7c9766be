//! The lead payload the widget posts to `POST /v1/leads`, and the handler's answer.

use crate::attribution::LeadAttribution;
use crate::definition::FormKind;
// Defined beside the form definition (its defaults), so `definition` never needs this module.
pub use crate::definition::HiddenValues;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Signals the handler uses to spot bots. The widget fills them; a visitor never sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotCheck {
    /// A field hidden from people; anything typed into it came from a bot.
    pub honeypot: String,
    /// Milliseconds from the form being shown to it being submitted.
    pub fill_ms: u64,
}

/// One submission of one form by one visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSubmission {
    pub form_id: String,
    /// A UUID v4 made in the browser. A repeat of the same id is the same submission (retry,
    /// double click) and is stored once.
    pub submission_id: String,
    /// Field name → value as typed. Checkboxes are `"true"` when ticked.
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub hidden: HiddenValues,
    #[serde(default)]
    pub page_url: String,
    #[serde(default)]
    pub page_title: String,
    #[serde(default)]
    pub referrer: String,
    /// ISO 8601 from the browser clock; the handler records its own receipt time as well.
    pub submitted_at: String,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub attribution: Option<LeadAttribution>,
    /// Did the visitor tick the form's consent checkbox?
    #[serde(default)]
    pub consent: bool,
    /// Advisory and ignored on input: older widgets still send their own id (a payload from a
    /// widget cached in a browser is accepted as before), but the handler sets this from the
    /// signed visitor cookie, and to `None` when it may not remember the visitor. Stored leads
    /// carry the handler's value.
    #[serde(default)]
    pub visitor_id: Option<String>,
    /// The names of the fields the visitor was shown. Progressive profiling hides pool fields, so a
    /// required pool field is enforced only when it was shown. `None` means every field was shown.
    #[serde(default)]
    pub shown_fields: Option<Vec<String>>,
    #[serde(default)]
    pub bot_check: BotCheck,
    /// The signed token the handler gave out with the form (`GET /v1/forms/{id}` or the fallback
    /// page). The handler times the visit by it; a lead without a valid one is stored as spam.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_token: Option<String>,
    /// The host page's Marketo Munchkin cookie (`_mkto_trk`), for Marketo's `cookie`; checked by
    /// [`crate::munchkin::check_munchkin_cookie`]. Dropped when the form may not remember the
    /// visitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub munchkin_cookie: Option<String>,
}

/// The routing hint stored with every lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A person asked to be contacted: respond fast.
    ContactRequest,
    /// A person downloaded content: nurture, don't phone.
    ContentDownload,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::ContactRequest => "contact_request",
            Intent::ContentDownload => "content_download",
        }
    }
}

/// A stored or typed intent that is neither of the two.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not contact_request or content_download")]
pub struct UnknownIntent(pub String);

/// The stored and typed spelling (`contact_request`), the same as serde's; every reader parses
/// it once here instead of comparing strings.
impl FromStr for Intent {
    type Err = UnknownIntent;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "contact_request" => Ok(Intent::ContactRequest),
            "content_download" => Ok(Intent::ContentDownload),
            other => Err(UnknownIntent(other.to_owned())),
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<FormKind> for Intent {
    fn from(kind: FormKind) -> Self {
        match kind {
            FormKind::Contact => Intent::ContactRequest,
            FormKind::ContentDownload => Intent::ContentDownload,
        }
    }
}

/// The handler's `201` answer (and, for a repeated submission id, the first answer again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadAccepted {
    pub id: i64,
    pub submission_id: String,
    /// The gated asset's URL, revealed now that the visitor has submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_read_back_as_written_and_nothing_else_parses() {
        for intent in [Intent::ContactRequest, Intent::ContentDownload] {
            assert_eq!(intent.as_str().parse::<Intent>(), Ok(intent));
            assert_eq!(intent.to_string(), intent.as_str());
            // The same spelling as the JSON the handler and the outbox write.
            assert_eq!(
                serde_json::to_value(intent).expect("serialises"),
                intent.as_str()
            );
        }
        assert_eq!(
            "Contact_Request".parse::<Intent>(),
            Err(UnknownIntent("Contact_Request".into()))
        );
        assert_eq!(
            "".parse::<Intent>().map_err(|e| e.to_string()),
            Err("\"\" is not contact_request or content_download".into())
        );
    }

    #[test]
    fn payload_parses_with_only_the_required_keys() {
        let json = r#"{"form_id":"contact-us","submission_id":"3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
            "fields":{"email":"ada@example.com"},"submitted_at":"2026-11-23T07:00:00Z"}"#;
        let parsed: LeadSubmission = serde_json::from_str(json).expect("valid payload");
        assert_eq!(parsed.fields["email"], "ada@example.com");
        assert_eq!(parsed.bot_check, BotCheck::default());
    }

    #[test]
    fn wrong_types_are_refused_by_the_parser() {
        let json = r#"{"form_id":"contact-us","submission_id":"x","fields":{"email":42},"submitted_at":"x"}"#;
        assert!(serde_json::from_str::<LeadSubmission>(json).is_err());
    }
}
