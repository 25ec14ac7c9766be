//! `validate_submission`: the handler's last word on a lead. Each rule the issue names is here.

use leadform_core::{
    looks_automated, validate_field, validate_submission, FieldDefinition, Intent, LeadSubmission,
    SubmissionError,
};
use serde_json::json;

use crate::support;

use support::{contact_form, demo_form};

fn contact_submission() -> LeadSubmission {
    serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": {
            "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.com",
            "company": "Analytical Engines", "topic": "demo", "message": "Hello\nthere"
        },
        "submitted_at": "2026-11-23T07:00:00.000Z",
        "page_url": "http://127.0.0.1:8080/contact.html",
        "locale": "en-GB",
        "bot_check": { "honeypot": "", "fill_ms": 9000 }
    }))
    .expect("payload")
}

fn field_errors(
    result: Result<leadform_core::ValidatedLead, SubmissionError>,
) -> Vec<(String, String)> {
    match result {
        Err(SubmissionError::Fields(errors)) => {
            errors.into_iter().map(|(k, v)| (k, v.code)).collect()
        }
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_good_contact_request_is_cleaned_and_tagged() {
    let form = contact_form();
    let lead = validate_submission(&form, &contact_submission()).expect("valid");
    assert_eq!(lead.intent, Intent::ContactRequest);
    assert_eq!(lead.email.as_deref(), Some("ada@example.com"));
    assert_eq!(
        lead.submission.fields["first_name"], "Ada",
        "values are trimmed"
    );
    assert_eq!(
        lead.submission.fields["form_variant"], "contact-page-v1",
        "hidden value from the definition"
    );
    assert_eq!(
        lead.submission.hidden.lead_source.as_deref(),
        Some("Website")
    );
    assert_eq!(
        lead.submission.hidden.campaign_id.as_deref(),
        Some("701Hs00000ContactA")
    );
    assert_eq!(lead.submission.locale, "en-GB");
}

#[test]
fn bad_email_missing_fields_and_unknown_fields_are_reported_per_field() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission.fields.insert("email".into(), "ada@".into());
    submission.fields.remove("company");
    submission.fields.insert("is_admin".into(), "true".into());
    submission
        .fields
        .insert("topic".into(), "free money".into());
    let errors = field_errors(validate_submission(&form, &submission));
    assert_eq!(
        errors,
        [
            ("company".to_string(), "required".to_string()),
            ("email".into(), "email".into()),
            ("is_admin".into(), "unknown_field".into()),
            ("topic".into(), "not_an_option".into()),
        ]
    );
}

#[test]
fn a_100_kb_field_is_too_long() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission
        .fields
        .insert("message".into(), "x".repeat(100 * 1024));
    assert_eq!(
        field_errors(validate_submission(&form, &submission)),
        [("message".to_string(), "too_long".to_string())]
    );
}

#[test]
fn the_browser_cannot_override_a_hidden_field() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission
        .fields
        .insert("form_variant".into(), "forged".into());
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.fields["form_variant"], "contact-page-v1");
}

#[test]
fn wrong_form_and_bad_submission_ids_are_refused() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission.form_id = "ebook-12-charts".into();
    assert!(matches!(
        validate_submission(&form, &submission),
        Err(SubmissionError::WrongForm { .. })
    ));
    let mut submission = contact_submission();
    submission.submission_id = "1".into();
    assert!(matches!(
        validate_submission(&form, &submission),
        Err(SubmissionError::BadSubmissionId(_))
    ));
}

#[test]
fn lead_sources_outside_the_allow_list_are_refused_and_listed_ones_override() {
    let form = demo_form("ebook-12-charts");
    let mut submission: LeadSubmission = serde_json::from_value(json!({
        "form_id": "ebook-12-charts",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": { "email": "ada@example.com", "first_name": "Ada", "company": "AE", "job_title": "CTO" },
        "shown_fields": ["email", "first_name", "company", "job_title"],
        "hidden": { "lead_source": "Blog", "campaign_id": "701Hs00000BlogQ4AA" },
        "submitted_at": "2026-11-23T07:00:00.000Z"
    }))
    .expect("payload");
    let lead =
        validate_submission(&form, &submission).expect("Blog is allowed, any campaign id is");
    assert_eq!(lead.intent, Intent::ContentDownload);
    assert_eq!(lead.submission.hidden.lead_source.as_deref(), Some("Blog"));
    assert_eq!(
        lead.submission.hidden.campaign_id.as_deref(),
        Some("701Hs00000BlogQ4AA")
    );

    submission.hidden.lead_source = Some("Paid Search".into());
    submission.hidden.campaign_id = Some("<script>".into());
    assert_eq!(
        field_errors(validate_submission(&form, &submission)),
        [
            (
                "campaign_id".to_string(),
                "invalid_hidden_value".to_string()
            ),
            ("lead_source".into(), "not_allowed".into())
        ]
    );
}

#[test]
fn required_pool_fields_are_enforced_only_when_shown() {
    let form = demo_form("ebook-12-charts");
    let base = json!({
        "form_id": "ebook-12-charts",
        "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        "fields": { "email": "ada@example.com", "first_name": "Ada", "phone": "+44 20 7946 0000" },
        "submitted_at": "2026-11-23T07:00:00.000Z"
    });
    let mut shown_two: LeadSubmission = serde_json::from_value(base.clone()).expect("payload");
    shown_two.shown_fields = Some(vec![
        "email".into(),
        "first_name".into(),
        "phone".into(),
        "country".into(),
    ]);
    assert_eq!(
        field_errors(validate_submission(&form, &shown_two)),
        [("country".to_string(), "required".to_string())]
    );

    let all_shown: LeadSubmission = serde_json::from_value(base).expect("payload");
    let errors = field_errors(validate_submission(&form, &all_shown));
    assert_eq!(
        errors.len(),
        4,
        "company, job_title, country, company_size: {errors:?}"
    );
}

#[test]
fn attribution_is_sanitised_again_on_the_server() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission.referrer = "javascript:alert(1)".into();
    submission.attribution = Some(serde_json::from_value(json!({
        "first_touch": { "utm_source": format!("<b>{}</b>", "x".repeat(400)), "referrer": "data:text/html,x" }
    })).expect("attribution"));
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.referrer, "");
    let first = lead
        .submission
        .attribution
        .and_then(|a| a.first_touch)
        .expect("first touch");
    assert_eq!(first.utm_source.map(|s| s.chars().count()), Some(256));
    assert_eq!(first.referrer, None);
}

#[test]
fn consent_is_required_when_the_definition_says_so() {
    let mut form = contact_form();
    form.consent = Some(
        serde_json::from_value(json!({"text": "I agree", "required": true})).expect("consent"),
    );
    let submission = contact_submission();
    assert_eq!(
        field_errors(validate_submission(&form, &submission)),
        [("consent".to_string(), "required".to_string())]
    );
    let consenting = LeadSubmission {
        consent: true,
        ..contact_submission()
    };
    assert!(validate_submission(&form, &consenting).is_ok());
}

#[test]
fn bots_are_spotted_by_honeypot_or_speed() {
    let form = contact_form();
    let human = contact_submission();
    assert!(!looks_automated(&form, &human));
    let mut honeypot = contact_submission();
    honeypot.bot_check.honeypot = "http://spam.example".into();
    assert!(looks_automated(&form, &honeypot));
    let mut fast = contact_submission();
    fast.bot_check.fill_ms = 800;
    assert!(looks_automated(&form, &fast));
    // A one-click download shows no inputs: a prompt click is a person.
    let mut one_click = contact_submission();
    one_click.bot_check.fill_ms = 400;
    one_click.shown_fields = Some(Vec::new());
    assert!(!looks_automated(&form, &one_click));
    one_click.bot_check.honeypot = "x".into();
    assert!(
        looks_automated(&form, &one_click),
        "the honeypot still applies"
    );
}

#[test]
fn storage_policies_decide_what_may_be_remembered() {
    use leadform_core::StoragePolicy;
    assert!(StoragePolicy::Always.allows(false));
    assert!(!StoragePolicy::AfterConsent.allows(false));
    assert!(StoragePolicy::AfterConsent.allows(true));
    assert!(!StoragePolicy::Never.allows(true));
}

#[test]
fn page_url_and_referrer_are_capped_at_256_characters() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission.page_url = format!("https://www.example.com/?q={}", "x".repeat(3000));
    submission.referrer = format!("https://ref.example.com/{}", "y".repeat(3000));
    submission.page_title = "t".repeat(3000);
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.page_url.chars().count(), 256);
    assert_eq!(lead.submission.referrer.chars().count(), 256);
    assert_eq!(lead.submission.page_title.chars().count(), 256);
}

#[test]
fn field_messages_are_plain_language() {
    let form = contact_form();
    let field = |name: &str| -> &FieldDefinition { form.field(name).expect("field") };
    let message =
        |name: &str, value: &str| validate_field(field(name), value).expect_err(value).message;
    assert_eq!(
        message("email", "ada@"),
        "Enter an email address like name@company.com"
    );
    assert_eq!(message("first_name", ""), "Enter your first name.");
    assert!(message("phone", "call me maybe").starts_with("Enter a phone number"));
    assert!(validate_field(field("phone"), "+1 (415) 555-0100").is_ok());
    assert!(
        validate_field(field("phone"), "").is_ok(),
        "phone is optional"
    );
    assert!(message("first_name", "a\u{0}b").contains("control characters"));
    assert!(validate_field(field("message"), "line one\nline two").is_ok());
}

#[test]
fn bidi_controls_and_zero_width_characters_are_stripped_from_field_values() {
    let form = contact_form();
    let mut submission = contact_submission();
    // An override makes the stored text display reversed; zero-width spaces make two equal-looking
    // emails differ, so the same person would become two.
    submission
        .fields
        .insert("first_name".into(), "\u{202E}adA\u{202C}".into());
    submission
        .fields
        .insert("email".into(), "ada\u{200B}@exam\u{FEFF}ple.com".into());
    submission.fields.insert(
        "company".into(),
        "\u{2067}Analytical\u{2060} Engines\u{2069}".into(),
    );
    // A Persian name keeps the ZWNJ its spelling needs.
    submission
        .fields
        .insert("last_name".into(), "می\u{200C}خواهم".into());
    let lead = validate_submission(&form, &submission).expect("valid");
    assert_eq!(lead.submission.fields["first_name"], "adA");
    assert_eq!(lead.submission.fields["email"], "ada@example.com");
    assert_eq!(lead.email.as_deref(), Some("ada@example.com"));
    assert_eq!(lead.submission.fields["company"], "Analytical Engines");
    assert_eq!(lead.submission.fields["last_name"], "می\u{200C}خواهم");
}

#[test]
fn a_value_of_only_invisible_characters_is_empty() {
    let form = contact_form();
    let mut submission = contact_submission();
    submission
        .fields
        .insert("last_name".into(), "\u{200B}\u{202E}\u{FEFF}".into());
    let errors = field_errors(validate_submission(&form, &submission));
    assert_eq!(
        errors,
        vec![("last_name".to_owned(), "required".to_owned())]
    );
    let last_name = form.field("last_name").expect("field");
    assert_eq!(
        validate_field(last_name, "\u{200B}").map_err(|e| e.code),
        Err("required".to_owned()),
        "the widget judges the same text as the handler"
    );
}

#[test]
fn a_visitor_id_in_the_payload_is_accepted_but_never_kept() {
    // Widgets cached in browsers before the handler took the id from its signed cookie still
    // send their own; the payload is valid, and the id it names is not the visitor's.
    let mut submission = contact_submission();
    submission.visitor_id = Some("0f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b".into());
    let lead = validate_submission(&contact_form(), &submission).expect("still valid");
    assert_eq!(lead.submission.visitor_id, None);
}
