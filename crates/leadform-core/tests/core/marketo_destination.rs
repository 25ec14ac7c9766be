//! A Marketo destination is parsed strictly: Marketo's own formats for its account values, the
//! client secret only by the name of its environment variable, and an identity like the others.

use leadform_core::{DefinitionError, Destination, FormDefinition};
use serde_json::{json, Value};

fn marketo(overrides: Value) -> Value {
    let mut destination = json!({
        "kind": "marketo", "munchkin_id": "123-ABC-456", "client_id": "5f1c8a7e-client",
        "client_secret_env": "LEADFORM_MARKETO_SECRET", "form_id": 1029
    });
    for (key, value) in overrides.as_object().expect("object") {
        destination[key] = value.clone();
    }
    destination
}

fn parse(destination: Value) -> Result<FormDefinition, String> {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us", "title": "Talk to us", "kind": "contact", "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [{"name": "email", "label": "Email", "kind": "email", "required": true}],
        "destinations": [destination]
    }))
    .map_err(|e| e.to_string())?;
    form.check()
        .map_err(|DefinitionError { path, message }| format!("{path}: {message}"))?;
    Ok(form)
}

#[test]
fn a_marketo_destination_parses_with_a_derived_identity() {
    let form = parse(marketo(json!({}))).expect("valid");
    let destination = &form.destinations[0];
    assert_eq!(destination.kind_name(), "marketo");
    assert_eq!(destination.id(), "marketo:123-ABC-456:1029");
    let named = parse(marketo(json!({"id": "mkto-main"}))).expect("valid");
    assert_eq!(named.destinations[0].id(), "mkto-main");
    assert!(matches!(destination, Destination::Marketo(m) if m.form_id == 1029));
}

#[test]
fn bad_marketo_values_are_refused_by_name() {
    let cases = [
        (
            json!({"munchkin_id": "123-abc-456"}),
            "destinations[0].munchkin_id:",
        ),
        (
            json!({"munchkin_id": "123ABC456"}),
            "destinations[0].munchkin_id:",
        ),
        (
            json!({"client_id": "has space"}),
            "destinations[0].client_id:",
        ),
        (
            json!({"client_secret_env": "my secret"}),
            "destinations[0].client_secret_env:",
        ),
        (json!({"form_id": 0}), "destinations[0].form_id:"),
        (
            json!({"endpoint": "javascript:alert(1)"}),
            "destinations[0].endpoint:",
        ),
        (json!({"id": "Bad Id"}), "destinations[0].id:"),
    ];
    for (overrides, expected) in cases {
        let error = parse(marketo(overrides.clone())).expect_err("refused");
        assert!(error.starts_with(expected), "{overrides}: {error}");
    }
    let error = parse(marketo(json!({"munchkin_id": "12-ABC-456"}))).expect_err("refused");
    assert!(
        error.contains("looks like `123-ABC-456`"),
        "the message shows the format: {error}"
    );
}

#[test]
fn the_secret_itself_and_unknown_keys_are_refused() {
    for (key, value) in [
        ("client_secret", json!("plain")),
        ("formId", json!(1029)),
        ("munchkin", json!("123-ABC-456")),
    ] {
        let mut destination = marketo(json!({}));
        destination[key] = value;
        let error = parse(destination).expect_err("refused");
        assert!(error.contains(&format!("unknown field `{key}`")), "{error}");
    }
    let mut missing = marketo(json!({}));
    missing
        .as_object_mut()
        .expect("object")
        .remove("client_secret_env");
    let error = parse(missing).expect_err("refused");
    assert!(
        error.contains("missing field `client_secret_env`"),
        "{error}"
    );
}

#[test]
fn a_field_map_that_would_send_no_email_is_refused() {
    assert!(parse(marketo(
        json!({"field_map": {"first_name": "FirstName__c"}})
    ))
    .is_ok());
    let error = parse(marketo(json!({"field_map": {"email": null}}))).expect_err("refused");
    assert_eq!(
        error,
        "destinations[0].field_map: this marketo destination would send no email; map the \
         form's email field with `\"email\": \"email\"`"
    );
}
