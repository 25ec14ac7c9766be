//! Validation messages in the visitor's language: the same rule book, five languages.

use leadform_core::{
    submission_locale, validate_field_in, validate_submission, FormDefinition, LeadSubmission,
    Locale, SubmissionError,
};
use serde_json::{json, Value};

use crate::support;

/// The demo's contact form with `extra`'s top-level keys set.
fn contact_form(extra: Value) -> FormDefinition {
    let mut definition = support::contact_form_json();
    if let (Some(target), Value::Object(extra)) = (definition.as_object_mut(), extra) {
        target.extend(extra);
    }
    support::checked(definition)
}

fn empty_submission(locale: &str) -> LeadSubmission {
    serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": { "email": "not-an-address" },
        "locale": locale,
        "submitted_at": "2026-11-29T15:00:00.000Z",
        "bot_check": { "honeypot": "", "fill_ms": 9000 }
    }))
    .expect("payload")
}

fn messages(form: &FormDefinition, submission: &LeadSubmission) -> Vec<(String, String)> {
    match validate_submission(form, submission) {
        Err(SubmissionError::Fields(errors)) => errors
            .into_iter()
            .map(|(name, error)| (name, error.message))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn message_for<'a>(messages: &'a [(String, String)], field: &str) -> &'a str {
    messages
        .iter()
        .find(|(name, _)| name == field)
        .map(|(_, message)| message.as_str())
        .unwrap_or_else(|| panic!("no message for {field} in {messages:?}"))
}

#[test]
fn a_german_submission_gets_german_messages() {
    let form = contact_form(json!({}));
    let errors = messages(&form, &empty_submission("de-AT"));
    assert_eq!(
        message_for(&errors, "email"),
        "Geben Sie eine E-Mail-Adresse ein, z. B. name@firma.de"
    );
    // The contact form carries a German translation, so the label is German too.
    assert_eq!(
        message_for(&errors, "first_name"),
        "Bitte füllen Sie das Feld „Vorname“ aus."
    );
    assert_eq!(message_for(&errors, "topic"), "Wählen Sie eine Option.");
}

#[test]
fn an_arabic_submission_gets_arabic_messages() {
    let form = contact_form(json!({}));
    let errors = messages(&form, &empty_submission("ar"));
    assert_eq!(
        message_for(&errors, "email"),
        "أدخل عنوان بريد إلكتروني مثل name@company.com"
    );
    assert_eq!(message_for(&errors, "topic"), "اختر أحد الخيارات.");
}

#[test]
fn without_a_supported_locale_the_form_default_then_english_speaks() {
    let english = contact_form(json!({}));
    let errors = messages(&english, &empty_submission("pt-BR"));
    assert_eq!(message_for(&errors, "first_name"), "Enter your first name.");

    let french = contact_form(json!({ "default_locale": "fr" }));
    assert_eq!(
        submission_locale(&french, &empty_submission("")),
        Locale::Fr
    );
    let errors = messages(&french, &empty_submission(""));
    assert_eq!(
        message_for(&errors, "first_name"),
        // The demo form translates its labels into French too.
        "Veuillez renseigner le champ «\u{a0}Prénom\u{a0}»."
    );
    // The visitor's own supported language beats the form's default.
    assert_eq!(
        submission_locale(&french, &empty_submission("es-MX")),
        Locale::Es
    );
}

#[test]
fn a_default_locale_the_product_does_not_speak_is_refused_by_name() {
    let mut definition = support::contact_form_json();
    definition["default_locale"] = json!("pt");
    let refused = serde_json::from_value::<FormDefinition>(definition).expect_err("pt");
    assert!(
        refused
            .to_string()
            .contains("`pt` is not a supported language; use one of en, de, fr, es, ar"),
        "{refused}"
    );
}

#[test]
fn counts_in_the_length_message_follow_the_language() {
    let form = contact_form(json!({}));
    let message = form.field("message").expect("message field");
    let long = "x".repeat(2001);
    let german = validate_field_in(Locale::De, message, &long).expect_err("too long");
    assert_eq!(
        german.message,
        "Verwenden Sie höchstens 2.000 Zeichen (derzeit 2.001)."
    );
    let english = validate_field_in(Locale::En, message, &long).expect_err("too long");
    assert_eq!(
        english.message,
        "Use at most 2,000 characters (this has 2,001)."
    );
    let arabic = validate_field_in(Locale::Ar, message, &long).expect_err("too long");
    assert!(arabic.message.contains("٢٬٠٠٠"), "{}", arabic.message);
}

#[test]
fn the_lead_keeps_the_visitors_tag_or_else_the_language_spoken() {
    let form = contact_form(json!({ "default_locale": "de" }));
    let mut submission: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": {
            "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
            "company": "Analytical Engines", "topic": "demo", "message": "Hallo"
        },
        "locale": "",
        "submitted_at": "2026-11-29T15:00:00.000Z",
        "bot_check": { "honeypot": "", "fill_ms": 9000 }
    }))
    .expect("payload");
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.locale, "de");
    submission.locale = "fr-CA".into();
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.locale, "fr-CA");
}

#[test]
fn messages_name_fields_by_their_translated_label() {
    let form = contact_form(json!({ "translations": { "de": {
        "title": "Sprechen Sie mit uns", "description": "Beschreibung",
        "submit_label": "Senden", "success_message": "Danke!",
        "fields": {
            "first_name": { "label": "Vorname" }, "last_name": { "label": "Nachname" },
            "email": { "label": "E-Mail", "help": "Hilfe" }, "company": { "label": "Firma" },
            "phone": { "label": "Telefon", "help": "Optional" },
            "topic": { "label": "Thema", "options": {
                "demo": "Demo", "pricing": "Preise", "support": "Hilfe", "other": "Anderes" } },
            "message": { "label": "Nachricht" }
        }
    } } }));
    let errors = messages(&form, &empty_submission("de"));
    assert_eq!(
        message_for(&errors, "first_name"),
        "Bitte füllen Sie das Feld „Vorname“ aus."
    );
    let errors = messages(&form, &empty_submission("en"));
    assert_eq!(message_for(&errors, "first_name"), "Enter your first name.");
}
