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
use leadform_store::{GroupCommitter, InsertOutcome, NewDelivery, NewLead, Store, StoreError};
use std::sync::Arc;
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
    /// The request's `User-Agent`, for Marketo's `visitorData`.
    pub user_agent: Option<String>,
    /// The visitor id from a cookie the handler signed, when the browser sent one.
    pub visitor_cookie: Option<String>,
}

/// What accepting a lead needs from the running handler.
pub struct Intake<'a> {
    pub store: &'a Store,
    /// Writes the lead (and its form token's use) together with the leads arriving alongside it:
    /// one transaction, one fsync, each answered once its own lead is committed.
    pub committer: &'a GroupCommitter,
    pub deliveries_due: &'a Notify,
    pub signing_key: &'a SigningKey,
    pub gated_assets: &'a GatedAssets,
    /// The lead-scoring rules: a lead's score events go in its own transaction.
    pub scoring: &'a Arc<ScoringRules>,
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

/// The JSON body without its `munchkin_cookie`, re-encoded (key order kept only as far as
/// serde_json keeps it); a body that is not a JSON object cannot carry one and stays as it is.
fn without_munchkin_cookie(raw_payload: String) -> String {
    match serde_json::from_str::<serde_json::Value>(&raw_payload) {
        Ok(serde_json::Value::Object(mut body)) => {
            body.remove("munchkin_cookie");
            serde_json::Value::Object(body).to_string()
        }
        _ => raw_payload,
    }
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

/// What the handler knows about a lead's spam before storing it.
struct SpamCheck {
    /// Why it is spam already: the honeypot, or a flawed form token.
    reason: Option<&'static str>,
    /// A sound token's id, spent in the lead's own transaction: if another submission spent it
    /// first, the store keeps the lead as spam (a replay).
    token_to_spend: Option<String>,
}

/// Is this lead spam, and why? The honeypot, then the form token (see [`crate::form_token`]).
async fn spam_check(
    intake: &Intake<'_>,
    form: &FormDefinition,
    lead: &LeadSubmission,
    form_token: Option<&str>,
    visitor_cookie: Option<&str>,
) -> Result<SpamCheck, StoreError> {
    let spam = |reason| SpamCheck {
        reason: Some(reason),
        token_to_spend: None,
    };
    if !lead.bot_check.honeypot.trim().is_empty() {
        return Ok(spam("honeypot"));
    }
    let timing_exempt =
        one_click_the_server_can_vouch_for(intake, form, lead, visitor_cookie).await?;
    Ok(
        match judge(
            intake.signing_key,
            form,
            form_token,
            intake.now_ms,
            timing_exempt,
        ) {
            TokenJudgement::Sound(token) => SpamCheck {
                reason: None,
                token_to_spend: Some(token.nonce),
            },
            TokenJudgement::Flawed(flaw) => spam(flaw.as_str()),
        },
    )
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
    let spam = spam_check(
        intake,
        form,
        &lead,
        incoming.submission.form_token.as_deref(),
        incoming.visitor_cookie.as_deref(),
    )
    .await?;

    // People are remembered only as far as the form's storage policy allows (bots not at all:
    // `NewLead::mark_spam`). A remembered visitor gets a new id on every submission, so an id
    // someone else planted or copied stops working the moment the visitor sends anything; the
    // profile follows the new id. The rule is core's, the same one the widget applies to the
    // browser's storage.
    let may_remember_visitor = form.storage.allows(lead.consent);
    let visitor_id = may_remember_visitor.then(crate::visitor_id::new_visitor_id);
    let previous_visitor_id = incoming.visitor_cookie.filter(|_| may_remember_visitor);
    // The cookie, not the payload, says who the visitor is; and with storage refused, nobody.
    lead.visitor_id = visitor_id.clone();
    // Marketo's visitor data (user agent, Munchkin cookie) ties the lead to the visitor's browser
    // and tracked visits: kept only where the form may remember the visitor, and then neither
    // stored nor sent, not even in the raw payload.
    let user_agent = incoming.user_agent.filter(|_| may_remember_visitor);
    let mut raw_payload = incoming.raw_payload;
    if !may_remember_visitor && lead.munchkin_cookie.take().is_some() {
        raw_payload = without_munchkin_cookie(raw_payload);
    }
    let profile_answers = may_remember_visitor.then(|| {
        let mut profile = KnownProfile::default();
        let visible_answers = lead
            .fields
            .iter()
            .filter(|(name, _)| form.field(name).is_some_and(|f| f.is_visible()));
        profile.merge_answers(visible_answers, &form.fields);
        profile
    });
    // A webhook whose `events` leave out `lead.created` hears only of MQLs.
    let deliveries = form
        .destinations
        .iter()
        .enumerate()
        .filter(|(_, destination)| destination.subscribes_to(LeadEvent::Created))
        .map(|(index, destination)| NewDelivery::for_destination(index, destination))
        .collect();
    let submission_id = lead.submission_id.clone();
    let mut new = NewLead {
        lead,
        raw_payload,
        intent: validated.intent,
        email: validated.email,
        is_spam: false,
        received_at_ms: intake.now_ms,
        client_ip: incoming.client_ip,
        hubspotutk: incoming.hubspotutk,
        user_agent,
        visitor_id,
        previous_visitor_id,
        profile_answers,
        deliveries,
        form_token: spam.token_to_spend,
    };
    if spam.reason.is_some() {
        new.mark_spam();
    }
    let has_deliveries = !new.deliveries.is_empty();
    let visitor_id = new.visitor_id.clone();
    let outcome = intake
        .committer
        .insert_scored_lead(new, Some(Arc::clone(intake.scoring)))
        .await?;
    match outcome {
        InsertOutcome::Inserted {
            lead_id,
            replayed_form_token,
            ..
        } => {
            // A replayed token made the store keep the lead as spam: no deliveries, no cookie.
            let spam_reason = match replayed_form_token {
                true => Some(TokenFlaw::Replayed.as_str()),
                false => spam.reason,
            };
            if has_deliveries && !replayed_form_token {
                intake.deliveries_due.notify_one();
            }
            Ok(AcceptedLead {
                answer: answer_for(intake, form, lead_id, &submission_id),
                repeat: false,
                is_spam: spam_reason.is_some(),
                spam_reason,
                new_visitor_id: visitor_id.filter(|_| !replayed_form_token),
            })
        }
        InsertOutcome::AlreadyStored {
            lead_id,
            same_payload: true,
        } => Ok(AcceptedLead {
            answer: answer_for(intake, form, lead_id, &submission_id),
            repeat: true,
            is_spam: spam.reason.is_some(),
            spam_reason: spam.reason,
            new_visitor_id: None,
        }),
        InsertOutcome::AlreadyStored {
            same_payload: false,
            ..
        } => Err(AcceptError::SubmissionIdReused),
    }
}
