//! The values that go into and come out of the store.

use crate::delivery_status::DeliveryStatus;
use leadform_core::{Intent, KnownProfile, LeadSubmission};
use serde::Serialize;

/// A validated lead to store, with everything decided by the handler.
#[derive(Debug, Clone)]
pub struct NewLead {
    /// Validated and cleaned.
    pub lead: LeadSubmission,
    /// The request body exactly as received.
    pub raw_payload: String,
    pub intent: Intent,
    /// Links leads to one person; compared lowercased.
    pub email: Option<String>,
    /// Spam is stored for the record but gets no person, no profile merge and no deliveries.
    pub is_spam: bool,
    pub received_at_ms: i64,
    pub client_ip: Option<String>,
    pub hubspotutk: Option<String>,
    /// The request's `User-Agent`, for Marketo's `visitorData`; `None` when the form's storage
    /// policy forbids remembering the visitor.
    pub user_agent: Option<String>,
    /// The cookie's visitor id, when the form's storage policy allows it.
    pub visitor_id: Option<String>,
    /// The visitor id the request came with, when `visitor_id` replaces it (the id rotates on each
    /// submission): its profile moves to `visitor_id` in the same transaction.
    pub previous_visitor_id: Option<String>,
    /// Merged into the visitor's profile in the same transaction.
    pub profile_answers: Option<KnownProfile>,
    /// One per destination of the form; ignored for spam.
    pub deliveries: Vec<NewDelivery>,
    /// The id of the signed form token this lead spends, recorded in the lead's own transaction.
    /// A token carries one submission (and its retries): when another submission spent it first,
    /// the lead is a replay and is stored as spam ([`NewLead::mark_spam`]).
    pub form_token: Option<String>,
}

impl NewLead {
    /// Spam is stored for the record only: no deliveries, and no visitor (so no cookie, no
    /// profile move or merge). The one rule for the handler's spam and the store's replays.
    pub fn mark_spam(&mut self) {
        self.is_spam = true;
        self.deliveries.clear();
        self.visitor_id = None;
        self.lead.visitor_id = None;
        self.previous_visitor_id = None;
        self.profile_answers = None;
    }

    /// This lead, [marked as spam](NewLead::mark_spam).
    pub fn into_spam(mut self) -> NewLead {
        self.mark_spam();
        self
    }
}

/// One destination a new lead must be delivered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The destination's position when the lead arrived; a record only, never used to find it.
    pub destination_index: usize,
    pub destination_kind: String,
    /// `Destination::id()`: how the forwarder finds the destination again.
    pub destination_id: String,
    pub destination_key: String,
}

impl NewDelivery {
    /// The delivery row for the destination at `index` of a form.
    pub fn for_destination(index: usize, destination: &leadform_core::Destination) -> Self {
        Self {
            destination_index: index,
            destination_kind: destination.kind_name().to_owned(),
            destination_id: destination.id(),
            destination_key: leadform_delivery::destination_key(destination),
        }
    }
}

/// What `insert_lead` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted {
        lead_id: i64,
        person_id: Option<i64>,
        first_for_person: bool,
        /// The lead's form token was spent by another submission first: it was stored as spam.
        replayed_form_token: bool,
    },
    /// The submission id was stored before; nothing was written. `same_payload` says whether the
    /// form, field values, hidden values and consent match the stored lead (SHA-256), so a retry
    /// rebuilt with a new `submitted_at` still counts as the same submission.
    AlreadyStored { lead_id: i64, same_payload: bool },
}

impl InsertOutcome {
    /// A new lead's outcome, saying whether its form token was replayed.
    pub(crate) fn with_replayed_form_token(self, replayed: bool) -> InsertOutcome {
        match self {
            InsertOutcome::Inserted {
                lead_id,
                person_id,
                first_for_person,
                ..
            } => InsertOutcome::Inserted {
                lead_id,
                person_id,
                first_for_person,
                replayed_form_token: replayed,
            },
            stored_before => stored_before,
        }
    }

    pub fn lead_id(&self) -> i64 {
        match self {
            InsertOutcome::Inserted { lead_id, .. }
            | InsertOutcome::AlreadyStored { lead_id, .. } => *lead_id,
        }
    }
}

/// One row of `export`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLead {
    pub id: i64,
    pub submission_id: String,
    pub form_id: String,
    pub intent: Intent,
    /// The lowercased email that links the lead to a person, whichever field carried it.
    pub email: Option<String>,
    pub person_id: Option<i64>,
    pub first_for_person: bool,
    pub is_spam: bool,
    /// RFC 3339, UTC.
    pub received_at: String,
    pub lead: LeadSubmission,
    pub raw_payload: String,
    /// RFC 3339, UTC: when the lead's values were erased (`forget`, retention). An erased lead is
    /// a tombstone: no email, no answers, no attribution, an empty raw payload.
    pub erased_at: Option<String>,
}

/// One row of `outbox list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    pub id: i64,
    pub lead_id: i64,
    pub submission_id: String,
    pub form_id: String,
    pub destination_kind: String,
    /// `Destination::id()`; `None` for a row queued before destinations had ids.
    pub destination_id: Option<String>,
    pub destination_key: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// RFC 3339, UTC; set while the delivery is pending or in flight.
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    /// What the forwarder recorded on success (e.g. "HTTP 200").
    pub delivered_detail: Option<String>,
    /// `lead.created` or `lead.mql` (issue 10 §5).
    pub event: String,
}

/// Which deliveries `list_deliveries` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryFilter {
    All,
    Status(DeliveryStatus),
}
