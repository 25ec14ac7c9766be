//! Destination identity: an explicit `id` is accepted and checked; without one the identity comes
//! from where the destination sends, never from its position, and never shows a URL's secret.

use leadform_core::{DefinitionError, FormDefinition};
use serde_json::{json, Value};

fn parse(destinations: Value) -> Result<FormDefinition, String> {
    let definition: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": { "message": "Thanks!" },
        "fields": [{ "name": "email", "label": "Email", "kind": "email", "required": true }],
        "destinations": destinations
    }))
    .map_err(|error| error.to_string())?;
    definition
        .check()
        .map_err(|DefinitionError { path, message }| format!("{path}: {message}"))?;
    Ok(definition)
}

const SLACK: &str = "https://hooks.slack.com/services/T0001/B0002/SeCrEtToKeN";

#[test]
fn ids_do_not_depend_on_position() {
    let a = json!({"kind": "webhook", "url": SLACK, "secret_env": "HOOK_A"});
    let b = json!({"kind": "webhook", "url": "https://b.example.com/in", "secret_env": "HOOK_B"});
    let before = parse(json!([a.clone()])).expect("valid");
    let after = parse(json!([b, a])).expect("valid");
    assert_eq!(before.destinations[0].id(), after.destinations[1].id());
    assert_ne!(after.destinations[0].id(), after.destinations[1].id());
}

#[test]
fn derived_ids_name_the_target_without_secrets() {
    let form = parse(json!([
        {"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd"},
        {"kind": "hubspot", "portal_id": "123456", "form_guid": "abc-def"},
        {"kind": "pardot_form_handler", "url": "https://go.pardot.com/l/1/2026-01-01/s3cr3t"},
        {"kind": "webhook", "url": SLACK, "secret_env": "HOOK"}
    ]))
    .expect("valid");
    let ids: Vec<String> = form.destinations.iter().map(|d| d.id()).collect();
    assert_eq!(ids[0], "salesforce:00D5g000004abcd");
    assert_eq!(ids[1], "hubspot:123456:abc-def");
    assert!(ids[2].starts_with("pardot:go.pardot.com:"), "{}", ids[2]);
    assert!(ids[3].starts_with("webhook:hooks.slack.com:"), "{}", ids[3]);
    for id in &ids[2..] {
        assert!(!id.contains("s3cr3t") && !id.contains("SeCrEt") && !id.contains("T0001"));
    }
}

#[test]
fn explicit_ids_win_and_are_checked() {
    let form = parse(json!([
        {"kind": "webhook", "id": "slack-sales", "url": SLACK, "secret_env": "HOOK"}
    ]))
    .expect("valid");
    assert_eq!(form.destinations[0].id(), "slack-sales");
    assert_eq!(form.destinations[0].explicit_id(), Some("slack-sales"));

    for bad in ["", "Sales", "-x", "a b", "x:y", &"a".repeat(65)] {
        let error = parse(json!([
            {"kind": "hubspot", "id": bad, "portal_id": "1", "form_guid": "g"}
        ]))
        .unwrap_err();
        assert!(
            error.starts_with("destinations[0].id: use 1-64 lowercase letters"),
            "{bad:?}: {error}"
        );
    }
}

#[test]
fn two_destinations_may_not_share_an_identity() {
    let error = parse(json!([
        {"kind": "webhook", "id": "crm", "url": SLACK, "secret_env": "HOOK"},
        {"kind": "hubspot", "id": "crm", "portal_id": "1", "form_guid": "g"}
    ]))
    .unwrap_err();
    assert_eq!(
        error,
        "destinations[1].id: `crm` is already the id of destinations[0]"
    );

    let error = parse(json!([
        {"kind": "webhook", "url": SLACK, "secret_env": "HOOK_A"},
        {"kind": "webhook", "url": SLACK, "secret_env": "HOOK_B"}
    ]))
    .unwrap_err();
    assert!(
        error.starts_with("destinations[1]: sends to the same place as destinations[0]")
            && error.contains("give each an `id`")
            && !error.contains("SeCrEt"),
        "{error}"
    );
    parse(json!([
        {"kind": "webhook", "id": "first", "url": SLACK, "secret_env": "HOOK_A"},
        {"kind": "webhook", "id": "second", "url": SLACK, "secret_env": "HOOK_B"}
    ]))
    .expect("explicit ids tell them apart");
}
