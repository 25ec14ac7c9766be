//! The widget's reader of parsed JSON (`services::js_value`): everything the handler sends reads
//! back as it was written, and a wrong answer is refused with the reason.

#![cfg(target_arch = "wasm32")]

use leadform::services::js_value::{from_js, JsReadError};
use leadform_core::{
    ConsentDefinition, FieldDefinition, FieldErrors, FieldKind, FormKind, KnownProfile,
    LeadAccepted, LeadAttribution, Locale, ProgressivePolicy, PublicFormDefinition, SelectOption,
    StoragePolicy,
};
use serde::de::DeserializeOwned;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What the widget does with an answer: the browser parses the text, the reader reads the value.
fn read<T: DeserializeOwned>(json: &str) -> Result<T, JsReadError> {
    from_js(js_sys::JSON::parse(json).expect("the test's JSON parses"))
}

fn field(name: &str, kind: FieldKind) -> FieldDefinition {
    serde_json::from_value(serde_json::json!({"name": name, "label": name, "kind": kind}))
        .expect("a minimal field")
}

fn full_definition() -> PublicFormDefinition {
    let mut topic = field("topic", FieldKind::Select);
    topic.options = vec![SelectOption {
        value: "sales".into(),
        label: "Talk to sales — «vite»".into(),
    }];
    topic.required = true;
    let mut message = field("message", FieldKind::Textarea);
    message.max_length = Some(2000);
    message.help = Some("No more than a page.".into());
    message.placeholder = Some("Hello".into());
    PublicFormDefinition {
        id: "contact-us".into(),
        title: "اتصل بنا".into(),
        description: Some("We answer within a day.".into()),
        kind: FormKind::ContentDownload,
        submit_label: "Send".into(),
        success_message: "Thanks!".into(),
        fields: vec![field("email", FieldKind::Email), topic, message],
        hidden: leadform_core::HiddenValues {
            lead_source: Some("web".into()),
            campaign_id: None,
        },
        asset: Some(leadform_core::definition::PublicAsset {
            title: "The guide".into(),
            cover_image_url: Some("/assets/cover.png".into()),
            cover_alt: None,
        }),
        progressive: Some(ProgressivePolicy {
            max_new_fields: 2,
            pool: vec!["topic".into(), "message".into()],
        }),
        storage: StoragePolicy::AfterConsent,
        consent: Some(ConsentDefinition {
            text: "Email me.".into(),
            required: true,
        }),
        default_locale: Some(Locale::De),
        form_token: Some("v1.abc.def".into()),
        catalogue: None,
    }
}

#[wasm_bindgen_test]
fn a_definition_reads_back_exactly_as_the_handler_wrote_it() {
    let written = full_definition();
    let json = serde_json::to_string(&written).unwrap();
    assert_eq!(read::<PublicFormDefinition>(&json), Ok(written));
}

#[wasm_bindgen_test]
fn absent_and_null_optional_values_take_their_defaults() {
    let json = r#"{"id": "c", "title": "T", "description": null, "kind": "contact",
        "submit_label": "Send", "success_message": "Thanks", "fields": [],
        "some_later_addition": {"nested": [1, 2.5, "x"]}}"#;
    let definition: PublicFormDefinition = read(json).expect("a minimal definition reads");
    assert_eq!(definition.description, None);
    assert_eq!(definition.storage, StoragePolicy::Always);
    assert_eq!(definition.default_locale, None);
    assert!(definition.fields.is_empty());
}

#[wasm_bindgen_test]
fn a_wrong_answer_is_refused_with_its_reason() {
    assert_eq!(
        read::<PublicFormDefinition>(r#"{"id": "c", "title": "T"}"#),
        Err(JsReadError::MissingField("kind"))
    );
    let bad_kind = r#"{"id": "c", "title": "T", "kind": "survey", "submit_label": "S",
        "success_message": "M", "fields": []}"#;
    assert_eq!(
        read::<PublicFormDefinition>(bad_kind),
        Err(JsReadError::UnknownVariant("survey".into()))
    );
    assert_eq!(
        read::<FieldDefinition>(r#"{"name": "a", "label": "A", "kind": "text", "colour": 1}"#),
        Err(JsReadError::UnknownField("colour".into()))
    );
    // A fraction, a negative number and a string where a count belongs.
    for max_length in ["2.5", "-3", "\"10\""] {
        let json =
            format!(r#"{{"name": "a", "label": "A", "kind": "text", "max_length": {max_length}}}"#);
        assert_eq!(
            read::<FieldDefinition>(&json),
            Err(JsReadError::WrongShape),
            "{max_length}"
        );
    }
    assert!(matches!(
        read::<PublicFormDefinition>(r#"{"id": "c", "title": "T", "kind": "contact",
            "submit_label": "S", "success_message": "M", "fields": [],
            "default_locale": "tlh"}"#),
        Err(JsReadError::Invalid(reason)) if reason.contains("tlh")
    ));
    assert_eq!(
        read::<PublicFormDefinition>("[]"),
        Err(JsReadError::WrongShape)
    );
}

#[wasm_bindgen_test]
fn the_handlers_answers_to_a_lead_read_back() {
    let accepted: LeadAccepted =
        read(r#"{"id": 9007199254740991, "submission_id": "s-1", "asset_url": "/assets/x.pdf"}"#)
            .unwrap();
    assert_eq!(accepted.id, 9_007_199_254_740_991);
    assert_eq!(accepted.asset_url.as_deref(), Some("/assets/x.pdf"));
    assert_eq!(accepted.redirect_url, None);

    let errors: FieldErrors = read(
        r#"{"email": {"code": "email", "message": "Check the address"},
            "name": {"code": "required", "message": "Required"}}"#,
    )
    .unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors["email"].message, "Check the address");
}

#[wasm_bindgen_test]
fn what_the_widget_keeps_in_storage_reads_back() {
    let mut profile = KnownProfile::default();
    profile.known.insert("email".into());
    profile.values.insert("company".into(), "Acme".into());
    let json = serde_json::to_string(&profile).unwrap();
    assert_eq!(read::<KnownProfile>(&json), Ok(profile));

    let attribution: LeadAttribution = read(
        r#"{"first_touch": {"utm_source": "news", "captured_at": "2026-11-29T10:00:00Z"},
            "last_touch": null}"#,
    )
    .unwrap();
    let first = attribution.first_touch.expect("the first touch");
    assert_eq!(first.utm_source.as_deref(), Some("news"));
    assert_eq!(attribution.last_touch, None);
    assert_eq!(
        read::<String>(r#""a-visitor-id""#),
        Ok("a-visitor-id".to_owned())
    );
}

#[wasm_bindgen_test]
fn what_the_widget_writes_reads_back_on_both_sides() {
    use leadform::services::storage;
    let mut profile = KnownProfile::default();
    profile.known.insert("email".into());
    profile
        .values
        .insert("city".into(), "Zürich \"Nord\"\n".into());
    assert!(
        storage::write("js-value-test", &profile),
        "local storage is writable"
    );
    // The widget reads it back, and the text is the JSON the handler would parse.
    assert_eq!(
        storage::read::<KnownProfile>("js-value-test"),
        Some(profile.clone())
    );
    let text = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("leadform:js-value-test").ok().flatten())
        .expect("the stored text");
    assert_eq!(
        serde_json::from_str::<KnownProfile>(&text).unwrap(),
        profile
    );
    storage::remove("js-value-test");
}
