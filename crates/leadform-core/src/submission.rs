//! The lead payload the widget posts to `POST /v1/leads`, and the handler's answer.

use crate::attribution::LeadAttribution;
use crate::definition::FormKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The campaign and lead source every lead is tied to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HiddenValues {
    pub lead_source: Option<String>,
    pub campaign_id: Option<String>,
}

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

/// Longest lead source or campaign id we accept (Salesforce's Campaign name limit).
pub const MAX_HIDDEN_VALUE_CHARS: usize = 80;

/// Checks a lead source or campaign id: short, printable (no bidi controls or zero-width
/// characters either), and not markup.
pub fn check_hidden_value(value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_HIDDEN_VALUE_CHARS {
        return Err(format!(
            "must be at most {MAX_HIDDEN_VALUE_CHARS} characters"
        ));
    }
    if let Some(bad) = value.chars().find(|c| {
        c.is_control()
            || crate::sanitize::is_invisible_formatting(*c)
            || matches!(c, '<' | '>' | '"' | '`' | '\\')
    }) {
        return Err(format!("must not contain {bad:?}"));
    }
    Ok(())
}

/// `true` for a lowercase or uppercase hyphenated UUID version 4 (RFC 9562 variant).
pub fn is_uuid_v4(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && bytes[14] == b'4'
        && matches!(bytes[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_shape_is_checked() {
        assert!(is_uuid_v4("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"));
        assert!(is_uuid_v4("3F2B8C1E-9D4A-4B6E-AF0A-1C2D3E4F5A6B"));
        assert!(
            !is_uuid_v4("3f2b8c1e-9d4a-1b6e-8f0a-1c2d3e4f5a6b"),
            "version 1"
        );
        assert!(
            !is_uuid_v4("3f2b8c1e-9d4a-4b6e-7f0a-1c2d3e4f5a6b"),
            "bad variant"
        );
        assert!(!is_uuid_v4("3f2b8c1e9d4a4b6e8f0a1c2d3e4f5a6b"));
        assert!(!is_uuid_v4("'; drop table leads; --"));
    }

    #[test]
    fn hidden_values_refuse_markup_and_long_text() {
        assert!(check_hidden_value("Web - Blog").is_ok());
        assert!(check_hidden_value("7015g000000ABCDAA4").is_ok());
        assert!(check_hidden_value("<img src=x>").is_err());
        assert!(check_hidden_value("a\nb").is_err());
        assert!(check_hidden_value(&"x".repeat(81)).is_err());
        // A campaign id that reads the same but is not: CRMs would file it under a new campaign.
        assert!(check_hidden_value("701A\u{200B}").is_err());
        assert!(check_hidden_value("\u{202E}Blog").is_err());
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
