//! Sending the form: from the state at the moment of `Submitting` to the reducer's
//! `Accepted`/`Rejected`/`Failed`, with the host page's events and the browser's memory on the way.
//! The component only starts it, so the view holds no effect.

use super::handler_url::resolve_url;
use super::leads::{send_lead, SendOutcome};
use super::{attribution, events, page, visitor};
use crate::handoff::EmbedOptions;
use crate::payload::{build_submission, consent_given, PayloadInput};
use crate::state::{Action, FormState};
use leadform_core::{BotCheck, Locale, PublicFormDefinition};
use std::rc::Rc;
use web_sys::Element;
use yew::UseReducerDispatcher;

/// Everything a send needs, captured when the form enters `Submitting`.
pub struct SendJob {
    pub options: Rc<EmbedOptions>,
    pub definition: Rc<PublicFormDefinition>,
    /// The embed's container: the host page's events are dispatched from it.
    pub container: Element,
    /// The language failures are told in.
    pub locale: Locale,
    pub state: FormState,
    /// What the hidden honeypot input held.
    pub honeypot: String,
    pub fill_ms: u64,
    pub dispatcher: UseReducerDispatcher<FormState>,
}

/// Posts the lead, tells the host page (`leadform:submit`, then `:success` or `:error`), keeps
/// what may be kept on success, follows a redirect, and hands the outcome to the form's reducer.
pub async fn send_form(job: SendJob) {
    let SendJob {
        options,
        definition,
        container,
        locale,
        state,
        honeypot,
        fill_ms,
        dispatcher,
    } = job;
    let definition = &*definition;
    let policy = definition.storage;
    let consent = consent_given(&state.values);
    let page = page::current_page();
    let mut submission = build_submission(PayloadInput {
        definition,
        options: &options,
        values: &state.values,
        shown: &state.fields,
        submission_id: &state.submission_id,
        page: &page,
        attribution: Some(attribution::current()),
        visitor_id: visitor::visitor_id(policy, consent),
        bot_check: BotCheck { honeypot, fill_ms },
    });
    // Without `data-locale`, the language the widget chose (which may come from `<html lang>`)
    // goes with the lead, so the handler's 422 speaks it too.
    if options.locale.is_none() {
        submission.locale = locale.code().to_owned();
    }
    let form_id = definition.id.as_str();
    let submission_id = Some(state.submission_id.as_str());
    events::dispatch(&container, events::SUBMIT, form_id, submission_id, None);

    let (message, action) = match send_lead(&options.endpoint, &submission, locale).await {
        SendOutcome::Accepted(answer) => {
            attribution::remember(policy, consent);
            visitor::remember_answers(policy, consent, &definition.fields, &submission.fields);
            events::dispatch(&container, events::SUCCESS, form_id, submission_id, None);
            let redirect = answer
                .redirect_url
                .as_deref()
                .and_then(|url| resolve_url(&options.endpoint, url));
            dispatcher.dispatch(Action::Accepted(answer));
            if let Some(url) = redirect {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&url);
                }
            }
            return;
        }
        // The event says what the visitor sees, hidden-value problems included.
        SendOutcome::Rejected(errors) => {
            (state.rejection_message(&errors), Action::Rejected(errors))
        }
        SendOutcome::Failed(message) => (message.clone(), Action::Failed(message)),
    };
    events::dispatch(
        &container,
        events::ERROR,
        form_id,
        submission_id,
        Some(&message),
    );
    dispatcher.dispatch(action);
}
