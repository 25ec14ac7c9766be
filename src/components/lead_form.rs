//! The form: fields from the definition, validation as the visitor goes, and the submission.

use super::action_callback::action_callback;
use super::error_summary::{ErrorSummary, SummaryEntry};
use super::field::Field;
use super::honeypot::Honeypot;
use super::one_click::OneClick;
use super::status::{Status as StatusRegion, Tone};
use super::success::Success;
use super::welcome::Welcome;
use crate::form_view::FormView;
use crate::handoff::{EmbedOptions, Takeover};
use crate::payload::consent_given;
use crate::services::submit::{send_form, SendJob};
use crate::services::{attribution, page, uuid};
use crate::state::{Action, FormState, Status};
use leadform_core::catalogue::{text, Text};
use leadform_core::{FormKind, Locale, PublicFormDefinition};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct LeadFormProps {
    pub options: Rc<EmbedOptions>,
    pub definition: Rc<PublicFormDefinition>,
    pub view: Rc<FormView>,
    /// The embed's container: events are dispatched from it.
    pub container: Element,
    /// Makes every element id of this mount unique on the page.
    pub id_prefix: AttrValue,
    /// Set for a visitor the widget recognises: greets them and offers "Not you?".
    pub welcome: Option<Option<AttrValue>>,
    pub on_not_you: Callback<()>,
    /// The language of the widget's own texts.
    pub locale: Locale,
    /// The shown form this one takes over: its values win over prefill, its fill time counts.
    pub takeover: Option<Rc<Takeover>>,
}

#[function_component(LeadForm)]
pub fn lead_form(props: &LeadFormProps) -> Html {
    let state = use_reducer(|| {
        let mut values = props.view.prefill.clone();
        if let Some(takeover) = &props.takeover {
            values.extend(takeover.values.clone());
        }
        FormState::new(
            props.view.fields.clone(),
            values,
            uuid::new_uuid_v4().unwrap_or_default(),
        )
        .with_locale(props.locale)
    });
    let shown_at = use_state(|| match &props.takeover {
        Some(takeover) => takeover.shown_at_ms,
        None => page::now_ms(),
    });
    let honeypot_ref = use_node_ref();
    let form_ref = use_node_ref();
    let summary_ref = use_node_ref();

    {
        // One send per entry into `Submitting`: a double click reaches the reducer twice, but the
        // second Submit is ignored there, so `send_count` moves once.
        let state = state.clone();
        let props = props.clone();
        let honeypot_ref = honeypot_ref.clone();
        let shown_at = *shown_at;
        use_effect_with(state.send_count, move |count| {
            if *count > 0 && state.is_submitting() {
                let honeypot = honeypot_ref
                    .cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default();
                let job = SendJob {
                    options: props.options,
                    definition: props.definition,
                    container: props.container,
                    locale: props.locale,
                    state: (*state).clone(),
                    honeypot,
                    fill_ms: (page::now_ms() - shown_at).max(0.0) as u64,
                    dispatcher: state.dispatcher(),
                };
                wasm_bindgen_futures::spawn_local(send_form(job));
            }
        });
    }
    {
        let state = state.clone();
        let form_ref = form_ref.clone();
        let summary_ref = summary_ref.clone();
        use_effect_with(state.focus_count, move |count| {
            if *count == 0 {
                return;
            }
            // GOV.UK's order: the summary takes focus, so its title and list are read first.
            match summary_ref.cast::<HtmlElement>() {
                Some(summary) => {
                    let _ = summary.focus();
                }
                None => focus_field(&form_ref, state.first_invalid()),
            }
        });
    }
    {
        // Under `after_consent`, ticking the box is the moment the browser may start remembering.
        let definition = props.definition.clone();
        let consent = consent_given(&state.values);
        use_effect_with(consent, move |consent| {
            if *consent {
                attribution::remember(definition.storage, true);
            }
        });
    }

    let definition = &props.definition;
    if let Status::Succeeded(answer) = &state.status {
        return html! {
            <>
                <Success message={definition.success_message.clone()}
                    asset={definition.asset.clone()} answer={answer.clone()}
                    endpoint={props.options.endpoint.clone()} />
                <StatusRegion text={Some(AttrValue::from(definition.success_message.clone()))}
                    tone={Tone::Success} />
            </>
        };
    }

    let dispatcher = state.dispatcher();
    let one_click = props.view.one_click;
    let on_submit = action_callback(&dispatcher, move |event: SubmitEvent| {
        event.prevent_default();
        if one_click {
            Action::SubmitKnown
        } else {
            Action::Submit
        }
    });
    let on_input = action_callback(&dispatcher, |(name, value)| Action::Input { name, value });
    let on_blur = action_callback(&dispatcher, |name| Action::Blur { name });

    let prefix = props.id_prefix.as_str();
    let title_id = [prefix, "-title"].concat();
    let summary_entries: Vec<SummaryEntry> = state
        .summary_entries()
        .into_iter()
        .map(|(field, message)| {
            SummaryEntry::new(
                [prefix, "-", field.name.as_str()].concat(),
                &field.label,
                message,
            )
        })
        .collect();
    let submitting = state.is_submitting();
    let download = definition.kind == FormKind::ContentDownload;
    let locale = props.locale;
    let button_label = if submitting {
        text(locale, Text::Sending)
    } else if props.view.one_click && download {
        text(locale, Text::DownloadButton)
    } else {
        definition.submit_label.as_str()
    };
    let tone = match state.status {
        Status::Failed(_) => Tone::Error,
        Status::Editing if !state.errors.is_empty() => Tone::Error,
        _ => Tone::Neutral,
    };
    html! {
        <form class="leadform-form" novalidate=true onsubmit={on_submit} ref={form_ref}
            aria-labelledby={title_id.clone()} aria-busy={submitting.then_some("true")}>
            <h2 class="leadform-title" id={title_id}>{ &definition.title }</h2>
            if let Some(description) = &definition.description {
                <p class="leadform-description">{ description }</p>
            }
            if !summary_entries.is_empty() {
                <ErrorSummary {locale} title_id={AttrValue::from([prefix, "-summary-title"].concat())}
                    entries={summary_entries} summary_ref={summary_ref.clone()} />
            }
            if let Some(name) = &props.welcome {
                <Welcome {locale} name={name.clone()} on_not_you={props.on_not_you.clone()} />
            }
            if props.view.one_click {
                <OneClick {locale} {download} />
            }
            { for state.fields.iter().map(|field| html! {
                <Field key={field.name.clone()} {locale} field={field.clone()}
                    id={AttrValue::from([prefix, "-", field.name.as_str()].concat())}
                    value={AttrValue::from(state.value(&field.name).to_owned())}
                    error={state.error(&field.name).map(|e| AttrValue::from(e.to_owned()))}
                    disabled={submitting} on_input={on_input.clone()} on_blur={on_blur.clone()} />
            }) }
            <Honeypot id={AttrValue::from([prefix, "-hp"].concat())} input_ref={honeypot_ref} {locale} />
            <button type="submit" class="leadform-submit" disabled={submitting}>
                { button_label }
            </button>
            <StatusRegion text={state.announcement().map(AttrValue::from)} {tone} />
        </form>
    }
}

fn focus_field(form_ref: &NodeRef, name: Option<&str>) {
    let (Some(form), Some(name)) = (form_ref.cast::<Element>(), name) else {
        return;
    };
    let selector = ["[name=\"", name, "\"]"].concat();
    if let Some(input) = form
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = input.focus();
    }
}
