//! The fallback form as server-rendered HTML (maud escapes every interpolated value).
//!
//! No scripts at all: this page exists for browsers where the widget cannot run.

use leadform_core::{ConsentDefinition, FieldDefinition, FieldErrors, FieldKind, FormDefinition};
use maud::{html, Markup, DOCTYPE};
use std::collections::BTreeMap;

/// Names of the fallback form's own inputs, besides the form's fields.
pub const HONEYPOT_INPUT: &str = "leadform_hp";
/// The signed form token (see `crate::form_token`), named as in the JSON payload.
pub const FORM_TOKEN_INPUT: &str = "form_token";
pub const SUBMISSION_ID_INPUT: &str = "leadform_submission_id";

/// What to put back into the form: values typed, errors, and the hidden bookkeeping values.
pub struct FormState<'a> {
    pub values: &'a BTreeMap<String, String>,
    pub errors: &'a FieldErrors,
    pub submission_id: &'a str,
    pub form_token: &'a str,
}

pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/v1/fallback.css";
            }
            body {
                main class="leadform-fallback" { (body) }
            }
        }
    }
}

pub fn form_page(form: &FormDefinition, state: &FormState<'_>) -> Markup {
    let action = format!("/v1/forms/{}/fallback", form.id);
    let title = if state.errors.is_empty() {
        form.title.clone()
    } else {
        format!("Error: {}", form.title)
    };
    page(
        &title,
        html! {
            h1 { (form.title) }
            @if let Some(description) = &form.description { p { (description) } }
            @if !state.errors.is_empty() { (error_summary(form, state.errors)) }
            form method="post" action=(action) {
                @for field in form.fields.iter().filter(|f| f.is_visible()) {
                    (field_markup(field, state))
                }
                @if let Some(consent) = &form.consent { (consent_markup(consent, state)) }
                // People never see or fill this; bots that fill every input do.
                div class="leadform-hp" aria-hidden="true" {
                    label for="leadform-hp" { "Leave this field empty" }
                    input id="leadform-hp" type="text" name=(HONEYPOT_INPUT) value="" tabindex="-1" autocomplete="off";
                }
                input type="hidden" name=(FORM_TOKEN_INPUT) value=(state.form_token);
                input type="hidden" name=(SUBMISSION_ID_INPUT) value=(state.submission_id);
                button type="submit" { (form.submit_label) }
            }
        },
    )
}

fn error_summary(form: &FormDefinition, errors: &FieldErrors) -> Markup {
    html! {
        div class="leadform-error-summary" role="alert" aria-labelledby="leadform-error-title" {
            h2 id="leadform-error-title" { "There is a problem" }
            ul {
                @for (name, error) in errors {
                    @let label = form.field(name).map(|f| f.label.as_str()).unwrap_or(name.as_str());
                    @if form.field(name).is_some() || name == ConsentDefinition::FIELD_NAME {
                        li { a href=(format!("#leadform-{name}")) { (label) ": " (error.message) } }
                    } @else {
                        li { (error.message) }
                    }
                }
            }
        }
    }
}

fn described_by(name: &str, has_help: bool, has_error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if has_error {
        ids.push(format!("leadform-{name}-error"));
    }
    if has_help {
        ids.push(format!("leadform-{name}-help"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn field_markup(field: &FieldDefinition, state: &FormState<'_>) -> Markup {
    let name = field.name.as_str();
    let id = format!("leadform-{name}");
    let value = state
        .values
        .get(name)
        .map(String::as_str)
        .unwrap_or_default();
    let error = state.errors.get(name);
    let describedby = described_by(name, field.help.is_some(), error.is_some());
    let invalid = error.map(|_| "true");
    let max_length = field.max_length();
    let input_type = match field.kind {
        FieldKind::Email => "email",
        FieldKind::Tel => "tel",
        _ => "text",
    };
    html! {
        div class=(if error.is_some() { "leadform-field leadform-field-invalid" } else { "leadform-field" }) {
            @if field.kind == FieldKind::Checkbox {
                input id=(id) type="checkbox" name=(name) value="true" checked[value == "true"]
                    required[field.required] aria-invalid=[invalid] aria-describedby=[describedby.as_deref()];
                label for=(id) { (field.label) @if field.required { " (required)" } }
            } @else {
                label for=(id) { (field.label) @if field.required { " (required)" } }
                @if let Some(help) = &field.help { p id=(format!("{id}-help")) class="leadform-help" { (help) } }
                @if let Some(error) = error { p id=(format!("{id}-error")) class="leadform-error" { (error.message) } }
                @match field.kind {
                    FieldKind::Textarea => {
                        textarea id=(id) name=(name) rows="5" maxlength=(max_length) required[field.required]
                            aria-invalid=[invalid] aria-describedby=[describedby.as_deref()] { (value) }
                    }
                    FieldKind::Select => {
                        select id=(id) name=(name) required[field.required]
                            aria-invalid=[invalid] aria-describedby=[describedby.as_deref()] {
                            option value="" { "Choose…" }
                            @for option in &field.options {
                                option value=(option.value) selected[option.value == value] { (option.label) }
                            }
                        }
                    }
                    _ => {
                        input id=(id) type=(input_type) name=(name) value=(value) maxlength=(max_length)
                            required[field.required] autocomplete=[field.autocomplete.as_deref()]
                            placeholder=[field.placeholder.as_deref()]
                            aria-invalid=[invalid] aria-describedby=[describedby.as_deref()];
                    }
                }
            }
            @if field.kind == FieldKind::Checkbox {
                @if let Some(help) = &field.help { p id=(format!("{id}-help")) class="leadform-help" { (help) } }
                @if let Some(error) = error { p id=(format!("{id}-error")) class="leadform-error" { (error.message) } }
            }
        }
    }
}

fn consent_markup(consent: &ConsentDefinition, state: &FormState<'_>) -> Markup {
    let name = ConsentDefinition::FIELD_NAME;
    let id = format!("leadform-{name}");
    let ticked = state.values.get(name).is_some_and(|v| v == "true");
    let error = state.errors.get(name);
    html! {
        div class="leadform-field leadform-consent" {
            input id=(id) type="checkbox" name=(name) value="true" checked[ticked] required[consent.required]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{id}-error"))];
            label for=(id) { (consent.text) }
            @if let Some(error) = error { p id=(format!("{id}-error")) class="leadform-error" { (error.message) } }
        }
    }
}

pub fn thanks_page(form: &FormDefinition) -> Markup {
    page(
        &form.title,
        html! {
            h1 { (form.title) }
            p role="status" { (form.success.message) }
        },
    )
}

/// A page for refusals that are not about one field (unknown form, origin, rate, storage).
pub fn problem_page(heading: &str, message: &str) -> Markup {
    page(
        heading,
        html! {
            h1 { (heading) }
            p { (message) }
        },
    )
}

pub const STYLESHEET: &str = "\
.leadform-fallback{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.leadform-field{margin:0 0 1rem}
.leadform-field label{display:block;font-weight:600}
.leadform-consent label{display:inline;font-weight:normal}
.leadform-field input[type=text],.leadform-field input[type=email],.leadform-field input[type=tel],
.leadform-field select,.leadform-field textarea{box-sizing:border-box;width:100%;padding:.5rem;font:inherit}
.leadform-help{margin:.25rem 0;color:#444}
.leadform-error{margin:.25rem 0;color:#b00020;font-weight:600}
.leadform-field-invalid input,.leadform-field-invalid select,.leadform-field-invalid textarea{border:2px solid #b00020}
.leadform-error-summary{border:3px solid #b00020;padding:1rem;margin:0 0 1.5rem}
.leadform-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.leadform-fallback button{padding:.6rem 1.2rem;font:inherit}
";
