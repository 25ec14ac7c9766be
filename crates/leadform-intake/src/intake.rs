//! Accepting one lead: the rules shared by the JSON API and the no-JavaScript fallback form.
//!
//! Validate with leadform-core, flag bots, decide what may be remembered about the visitor, and
//! store the lead with one delivery row per destination in one transaction. The caller answers only
//! after this returns, so a 201 always means the row is committed.

use crate::clock::now_ms;
use leadform_core::definition::LeadEvent;
use leadform_core::{
    looks_automated, validate_submission, FormDefinition, FormKind, KnownProfile, LeadAccepted,
    LeadSubmission, SubmissionError,
};
use leadform_scoring::ScoringRules;
use leadform_store::{InsertOutcome, NewDelivery, NewLead, Store, StoreError};
use thiserror::Error;
use tokio::sync::Notify;

/// A submission as it arrived, with what the request says about its sender.
pub struct IncomingLead<'a> {
    pub form: &'a FormDefinition,
    pub submission: LeadSubmission,
    /// The request body exactly as received.
    pub raw_payload: String,
    pub client_ip: Option<String>,
    /// The visitor's `hubspotutk` cookie, for HubSpot's `context.hutk`.
    pub hubspotutk: Option<String>,
    /// The `leadform_vid` cookie, when the browser sent a well-formed one.
    pub visitor_cookie: Option<String>,
}

/// A stored (or already stored) lead and the answer to give.
#[derive(Debug, Clone)]
pub struct AcceptedLead {
    pub answer: LeadAccepted,
    /// `true` when the submission id was already stored and nothing new was written.
    pub repeat: bool,
    pub is_spam: bool,
    /// A visitor id minted for this visitor, to be set as the `leadform_vid` cookie.
    pub new_visitor_id: Option<String>,
}

#[derive(Debug, Error)]
pub enum AcceptError {
    #[error(transparent)]
    Invalid(#[from] SubmissionError),
    #[error("the submission id was already used for a different submission")]
    SubmissionIdReused,
    #[error("storing the lead failed: {0}")]
    Storage(#[from] StoreError),
}

/// May the handler remember this visitor (cookie, profile) for this submission? The rule is
/// core's, the same one the widget applies to the browser's storage.
pub fn storage_allowed(form: &FormDefinition, consented: bool) -> bool {
    form.storage.allows(consented)
}

/// The 201 body: the asset URL is revealed only now, and only for gated content.
pub fn answer_for(form: &FormDefinition, lead_id: i64, submission_id: &str) -> LeadAccepted {
    LeadAccepted {
        id: lead_id,
        submission_id: submission_id.to_owned(),
        asset_url: match form.kind {
            FormKind::ContentDownload => form.asset.as_ref().map(|asset| asset.url.clone()),
            FormKind::Contact => None,
        },
        redirect_url: form.success.redirect_url.clone(),
    }
}

/// Validates and stores a lead; its person's score events and log rows go in the same transaction.
pub async fn accept_lead(
    store: &Store,
    deliveries_due: &Notify,
    scoring: &ScoringRules,
    incoming: IncomingLead<'_>,
) -> Result<AcceptedLead, AcceptError> {
    let form = incoming.form;
    let validated = validate_submission(form, &incoming.submission)?;
    let mut lead = validated.submission;
    let is_spam = looks_automated(form, &lead);

    // Bots get no cookie and no profile; people only as far as the form's storage policy allows.
    let remember = !is_spam && storage_allowed(form, lead.consent);
    let (visitor_id, new_visitor_id) = match (remember, incoming.visitor_cookie) {
        (false, _) => (None, None),
        (true, Some(existing)) => (Some(existing), None),
        (true, None) => {
            let minted = crate::http::cookies::new_visitor_id();
            (Some(minted.clone()), Some(minted))
        }
    };
    // The cookie, not the payload, says who the visitor is; and with storage refused, nobody.
    lead.visitor_id = visitor_id.clone();
    let profile_answers = remember.then(|| {
        let mut profile = KnownProfile::default();
        let visible_answers = lead
            .fields
            .iter()
            .filter(|(name, _)| form.field(name).is_some_and(|f| f.is_visible()));
        profile.merge_answers(visible_answers, &form.fields);
        profile
    });
    let deliveries = if is_spam {
        Vec::new()
    } else {
        // A webhook whose `events` leave out `lead.created` hears only of MQLs.
        form.destinations
            .iter()
            .enumerate()
            .filter(|(_, destination)| destination.subscribes_to(LeadEvent::Created))
            .map(|(index, destination)| NewDelivery::for_destination(index, destination))
            .collect()
    };
    let has_deliveries = !deliveries.is_empty();
    let submission_id = lead.submission_id.clone();
    let outcome = store
        .insert_scored_lead(
            NewLead {
                lead,
                raw_payload: incoming.raw_payload,
                intent: validated.intent,
                email: validated.email,
                is_spam,
                received_at_ms: now_ms(),
                client_ip: incoming.client_ip,
                hubspotutk: incoming.hubspotutk,
                visitor_id,
                profile_answers,
                deliveries,
            },
            Some(scoring),
        )
        .await?;
    match outcome {
        InsertOutcome::Inserted { lead_id, .. } => {
            if has_deliveries {
                deliveries_due.notify_one();
            }
            Ok(AcceptedLead {
                answer: answer_for(form, lead_id, &submission_id),
                repeat: false,
                is_spam,
                new_visitor_id,
            })
        }
        InsertOutcome::AlreadyStored {
            lead_id,
            same_payload: true,
        } => Ok(AcceptedLead {
            answer: answer_for(form, lead_id, &submission_id),
            repeat: true,
            is_spam,
            new_visitor_id: None,
        }),
        InsertOutcome::AlreadyStored {
            same_payload: false,
            ..
        } => Err(AcceptError::SubmissionIdReused),
    }
}
