//! The behaviour that scores: one recorded event of one person.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a person did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreEventKind {
    /// A form submitted for the first time by this submission id.
    FormSubmitted,
    /// A further submission of a form this person had already submitted.
    RepeatSubmission,
    /// A gated asset fetched.
    AssetFetched,
    /// A known visitor came back to a page that carries the loader.
    ReturningVisit,
    /// A visit that landed from an email (`utm_medium=email`).
    EmailLanding,
}

impl ScoreEventKind {
    pub const ALL: [ScoreEventKind; 5] = [
        ScoreEventKind::FormSubmitted,
        ScoreEventKind::RepeatSubmission,
        ScoreEventKind::AssetFetched,
        ScoreEventKind::ReturningVisit,
        ScoreEventKind::EmailLanding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreEventKind::FormSubmitted => "form_submitted",
            ScoreEventKind::RepeatSubmission => "repeat_submission",
            ScoreEventKind::AssetFetched => "asset_fetched",
            ScoreEventKind::ReturningVisit => "returning_visit",
            ScoreEventKind::EmailLanding => "email_landing",
        }
    }

    /// The kind stored as `as_str`, or `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// One recorded event. `id` is the store's row id, so log rows can name the event they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreEvent {
    pub id: i64,
    pub kind: ScoreEventKind,
    pub at_ms: i64,
    /// The form submitted, or whose asset or page was involved.
    pub form_id: Option<String>,
    /// `contact_request` or `content_download` for submissions.
    pub intent: Option<String>,
    /// The submitted values the fit rules read (field name → value; the email among them).
    pub fields: BTreeMap<String, String>,
}

impl ScoreEvent {
    pub fn new(id: i64, kind: ScoreEventKind, at_ms: i64) -> Self {
        ScoreEvent {
            id,
            kind,
            at_ms,
            form_id: None,
            intent: None,
            fields: BTreeMap::new(),
        }
    }
}
