//! The events a destination can subscribe to (issue 10 §5). Every destination gets `lead.created`;
//! a webhook may also, or instead, ask for `lead.mql`, sent once when a person's score first reaches
//! the MQL threshold.

use serde::{Deserialize, Serialize};
use validator::ValidationError;

/// What a delivery tells a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LeadEvent {
    /// A lead was stored (the only event vendors such as Salesforce take).
    #[serde(rename = "lead.created")]
    Created,
    /// The lead's person crossed the MQL threshold.
    #[serde(rename = "lead.mql")]
    Mql,
}

impl LeadEvent {
    pub const ALL: [LeadEvent; 2] = [LeadEvent::Created, LeadEvent::Mql];

    /// As stored in `deliveries.event` and sent in a webhook body.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadEvent::Created => "lead.created",
            LeadEvent::Mql => "lead.mql",
        }
    }

    pub fn parse(stored: &str) -> Option<LeadEvent> {
        LeadEvent::ALL.into_iter().find(|e| e.as_str() == stored)
    }
}

/// A webhook's default: what every destination got before events existed.
pub fn default_webhook_events() -> Vec<LeadEvent> {
    vec![LeadEvent::Created]
}

/// An `events` list names at least one event, each once.
pub(super) fn webhook_events(events: &[LeadEvent]) -> Result<(), ValidationError> {
    let problem = if events.is_empty() {
        Some("name at least one event: \"lead.created\" or \"lead.mql\"".to_owned())
    } else {
        events
            .iter()
            .enumerate()
            .find(|(i, e)| events[..*i].contains(e))
            .map(|(_, e)| format!("\"{}\" is listed twice", e.as_str()))
    };
    match problem {
        None => Ok(()),
        Some(message) => Err(ValidationError::new("events").with_message(message.into())),
    }
}
