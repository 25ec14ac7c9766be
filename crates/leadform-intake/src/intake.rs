//! Accepting one lead: the rules shared by the JSON API and the no-JavaScript fallback form.
//!
//! Validate with leadform-core, flag bots, decide what may be remembered about the visitor, and
//! store the lead with one delivery row per destination in one transaction. The caller answers only
//! after this returns, so a 201 always means the row is committed.

use crate::form_token::{judge, TokenFlaw, TokenJudgement};
use crate::gated_assets::GatedAssets;
use crate::signing::SigningKey;
use leadform_core::definition::LeadEvent;
use leadform_core::{
    validate_submission, FormDefinition, KnownProfile, LeadAccepted, LeadSubmission,
    SubmissionError,
};
use leadform_scoring::ScoringRules;
use leadform_store::{FormTokenUse, InsertOutcome, NewDelivery, NewLead, Store, StoreError};
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
    /// The visitor id from a cookie the handler signed, when the browser sent one.
    pub visitor_cookie: Option<String>,
}

/// What accepting a lead needs from the running handler.
pub struct Intake<'a> {
    pub store: &'a Store,
    pub deliveries_due: &'a Notify,
    pub signing_key: &'a SigningKey,
    pub gated_assets: &'a GatedAssets,
    /// The lead-scoring rules: a lead's score events go in its own transaction.
    pub scoring: &'a ScoringRules,
    /// The handler's clock, read once per request.
    pub now_ms: i64,
}

/// A stored (or already stored) lead and the answer to give.
#[derive(Debug, Clone)]
pub struct AcceptedLead {
    pub answer: LeadAccepted,
    /// `true` when the submission id was already stored and nothing new was written.
    pub repeat: bool,
    pub is_spam: bool,
    /// Why it is spam, for the logs.
    pub spam_reason: Option<&'static str>,
    /// The visitor's new id (it rotates on every stored submission), to be set as the cookie.
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

/// The 201 body: the asset link is revealed only now, and only for gated content.
pub fn answer_for(
    intake: &Intake<'_>,
    form: &FormDefinition,
    lead_id: i64,
    submission_id: &str,
) -> LeadAccepted {
    LeadAccepted {
        id: lead_id,
        submission_id: submission_id.to_owned(),
        asset_url: intake
            .gated_assets
            .link_for(intake.signing_key, form, intake.now_ms),
        redirect_url: form.success.redirect_url.clone(),
    }
}

/// Is this lead spam, and why? The honeypot, then the form token (see [`crate::form_token`]).
async fn spam_reason(
    intake: &Intake<'_>,
    form: &FormDefinition,
    lead: &LeadSubmission,
    form_token: Option<&str>,
    visitor_cookie: Option<&str>,
) -> Result<Option<&'static str>, StoreError> {
    if !lead.bot_check.honeypot.trim().is_empty() {
        return Ok(Some("honeypot"));
    }
    let timing_exempt =
        one_click_the_server_can_vouch_for(intake, form, lead, visitor_cookie).await?;
    let token = match judge(
        intake.signing_key,
        form,
        form_token,
        intake.now_ms,
        timing_exempt,
    ) {
        TokenJudgement::Sound(token) => token,
        TokenJudgement::Flawed(flaw) => return Ok(Some(flaw.as_str())),
    };
    let used = intake
        .store
        .use_form_token(&token.nonce, &lead.submission_id, intake.now_ms)
        .await?;
    Ok(match used {
        FormTokenUse::ThisSubmission => None,
        FormTokenUse::AnotherSubmission => Some(TokenFlaw::Replayed.as_str()),
    })
}

/// A returning visitor's one-click form shows no inputs, so a prompt click is a person. The server
/// believes "no inputs were shown" only when its own profile for the signed visitor id already
/// holds every answer the lead carries; a client's `shown_fields: []` alone proves nothing.
async fn one_click_the_server_can_vouch_for(
    intake: &Intake<'_>,
    form: &FormDefinition,
    lead: &LeadSubmission,
    visitor_cookie: Option<&str>,
) -> Result<bool, StoreError> {
    let (Some(visitor), Some(shown)) = (visitor_cookie, &lead.shown_fields) else {
        return Ok(false);
    };
    if !shown.is_empty() {
        return Ok(false);
    }
    let sent: Vec<String> = lead
        .fields
        .keys()
        .filter(|name| form.field(name).is_some_and(|f| f.is_visible()))
        .cloned()
        .collect();
    // Nothing sent is nothing the server can vouch for.
    if sent.is_empty() {
        return Ok(false);
    }
    let known = intake.store.visitor_profile(visitor).await?;
    Ok(sent.iter().all(|name| known.known.contains(name)))
}

/// Validates and stores a lead; its person's score events and log rows go in the same transaction.
pub async fn accept_lead(
    intake: &Intake<'_>,
    incoming: IncomingLead<'_>,
) -> Result<AcceptedLead, AcceptError> {
    let form = incoming.form;
    let validated = validate_submission(form, &incoming.submission)?;
    let mut lead = validated.submission;
    let spam_reason = spam_reason(
        intake,
        form,
        &lead,
        incoming.submission.form_token.as_deref(),
        incoming.visitor_cookie.as_deref(),
    )
    .await?;
    let is_spam = spam_reason.is_some();

    // Bots get no cookie and no profile; people only as far as the form's storage policy allows.
    // A remembered visitor gets a new id on every submission, so an id someone else planted or
    // copied stops working the moment the visitor sends anything; the profile follows the new id.
    let remember = !is_spam && storage_allowed(form, lead.consent);
    let (visitor_id, previous_visitor_id) = match remember {
        false => (None, None),
        true => (
            Some(crate::http::cookies::new_visitor_id()),
            incoming.visitor_cookie,
        ),
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
    let outcome = intake
        .store
        .insert_scored_lead(
            NewLead {
                lead,
                raw_payload: incoming.raw_payload,
                intent: validated.intent,
                email: validated.email,
                is_spam,
                received_at_ms: intake.now_ms,
                client_ip: incoming.client_ip,
                hubspotutk: incoming.hubspotutk,
                visitor_id: visitor_id.clone(),
                previous_visitor_id,
                profile_answers,
                deliveries,
            },
            Some(intake.scoring),
        )
        .await?;
    match outcome {
        InsertOutcome::Inserted { lead_id, .. } => {
            if has_deliveries {
                intake.deliveries_due.notify_one();
            }
            Ok(AcceptedLead {
                answer: answer_for(intake, form, lead_id, &submission_id),
                repeat: false,
                is_spam,
                spam_reason,
                new_visitor_id: visitor_id,
            })
        }
        InsertOutcome::AlreadyStored {
            lead_id,
            same_payload: true,
        } => Ok(AcceptedLead {
            answer: answer_for(intake, form, lead_id, &submission_id),
            repeat: true,
            is_spam,
            spam_reason,
            new_visitor_id: None,
        }),
        InsertOutcome::AlreadyStored {
            same_payload: false,
            ..
        } => Err(AcceptError::SubmissionIdReused),
    }
}
