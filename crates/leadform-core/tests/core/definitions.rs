//! Form definitions: the demo forms load, and each kind of mistake is refused with a message that
//! names the value at fault.

use leadform_core::{DefinitionError, FormDefinition, FormKind};
use serde_json::{json, Value};

fn parse(value: Value) -> Result<FormDefinition, String> {
    let definition: FormDefinition =
        serde_json::from_value(value).map_err(|error| error.to_string())?;
    definition
        .check()
        .map_err(|DefinitionError { path, message }| format!("{path}: {message}"))?;
    Ok(definition)
}

fn minimal() -> Value {
    json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": { "message": "Thanks!" },
        "fields": [
            { "name": "email", "label": "Email", "kind": "email", "required": true }
        ]
    })
}

fn with(mut base: Value, path: &[&str], value: Value) -> Value {
    let mut slot = &mut base;
    for key in &path[..path.len() - 1] {
        slot = match key.parse::<usize>() {
            Ok(index) => &mut slot[index],
            Err(_) => &mut slot[*key],
        };
    }
    slot[path[path.len() - 1]] = value;
    base
}

#[test]
fn the_demo_forms_are_valid() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("forms dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("readable");
            let value: Value = serde_json::from_str(&text).expect("json");
            parse(value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            count += 1;
        }
    }
    assert!(count >= 2, "expected the contact and eBook demo forms");
}

#[test]
fn a_minimal_definition_gets_sensible_defaults() {
    let form = parse(minimal()).expect("valid");
    assert_eq!(form.kind, FormKind::Contact);
    assert_eq!(form.min_fill_seconds, 3);
    assert!(form.destinations.is_empty());
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let error = parse(with(minimal(), &["fields", "0", "requried"], json!(true))).unwrap_err();
    assert!(error.contains("unknown field `requried`"), "{error}");
    let error = parse(with(minimal(), &["colour"], json!("red"))).unwrap_err();
    assert!(error.contains("unknown field `colour`"), "{error}");
}

#[test]
fn invalid_definitions_name_the_path_at_fault() {
    let cases = [
        (with(minimal(), &["id"], json!("Contact Us")), "id:"),
        (
            with(minimal(), &["fields", "0", "name"], json!("E-mail")),
            "fields[0].name:",
        ),
        (with(minimal(), &["fields"], json!([])), "fields:"),
        (
            with(minimal(), &["fields", "0", "kind"], json!("select")),
            "fields[0].options: a select needs at least one option",
        ),
        (
            with(
                minimal(),
                &["fields", "0", "options"],
                json!([{"value": "a", "label": "A"}]),
            ),
            "fields[0].options: only a `select` field takes options",
        ),
        (
            with(minimal(), &["kind"], json!("content_download")),
            "asset:",
        ),
        (
            with(
                minimal(),
                &["allowed_origins"],
                json!(["https://example.com/contact"]),
            ),
            "allowed_origins:",
        ),
        (
            with(
                minimal(),
                &["success", "redirect_url"],
                json!("javascript:alert(1)"),
            ),
            "success.redirect_url:",
        ),
        (
            with(
                minimal(),
                &["progressive"],
                json!({"max_new_fields": 2, "pool": ["company"]}),
            ),
            "progressive.pool[0]: `company` is not a field of this form",
        ),
        (
            with(minimal(), &["storage"], json!("after_consent")),
            "storage: `after_consent` needs a `consent` section",
        ),
        (
            with(
                with(minimal(), &["allowed_lead_sources"], json!(["Blog"])),
                &["hidden"],
                json!({"lead_source": "Website"}),
            ),
            "hidden.lead_source: `Website` is not in the form's own allow-list",
        ),
        (
            with(
                minimal(),
                &["destinations"],
                json!([{"kind": "webhook", "url": "https://hooks.example.com/x", "secret_env": "hunter2 secret"}]),
            ),
            "destinations[0].secret_env:",
        ),
    ];
    for (definition, expected) in cases {
        let error = parse(definition).expect_err(expected);
        assert!(
            error.starts_with(expected) || error.contains(expected),
            "expected `{expected}`, got `{error}`"
        );
    }
}

#[test]
fn destinations_parse_by_kind_and_refuse_unknown_keys() {
    let form = parse(with(
        minimal(),
        &["destinations"],
        json!([
            {"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd", "field_map": {"email": "email"}},
            {"kind": "hubspot", "portal_id": "123456", "form_guid": "abc-def"},
            {"kind": "pardot_form_handler", "url": "https://go.pardot.com/l/1/2026-01-01/abc"},
            {"kind": "webhook", "url": "https://hooks.example.com/lead", "secret_env": "LEADFORM_HOOK_SECRET"}
        ]),
    ))
    .expect("valid");
    let kinds: Vec<_> = form.destinations.iter().map(|d| d.kind_name()).collect();
    assert_eq!(
        kinds,
        [
            "salesforce_web_to_lead",
            "hubspot",
            "pardot_form_handler",
            "webhook"
        ]
    );

    let error = parse(with(
        minimal(),
        &["destinations"],
        json!([{"kind": "webhook", "url": "https://h.example.com", "secret_env": "X", "secret": "plain"}]),
    ))
    .unwrap_err();
    assert!(error.contains("unknown field `secret`"), "{error}");

    let form = parse(with(
        minimal(),
        &["destinations"],
        json!([{"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd",
                "attribution_map": {"utm_source": "00N5g00000Src01", "first_touch.gclid": "00N5g00000Gcl01", "last_touch.landing_page": "00N5g00000Lnd01AAA"}}]),
    ))
    .expect("known attribution keys are accepted");
    assert_eq!(form.destinations.len(), 1);
    let error = parse(with(
        minimal(),
        &["destinations"],
        json!([{"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd",
                "attribution_map": {"middle_touch.utm_source": "00N5g00000Src01"}}]),
    ))
    .unwrap_err();
    assert!(
        error.starts_with("destinations[0].attribution_map: `middle_touch.utm_source` is not an attribution value"),
        "{error}"
    );
    for (map, expected) in [
        (
            json!({"field_map": {"topic": "00N5g00000Topic1"}}),
            "`topic` → `00N5g00000Topic1`: a custom field id is 15 or 18 characters",
        ),
        (
            json!({"field_map": {"email": "e-mail"}}),
            "`email` → `e-mail`: use a Web-to-Lead field name",
        ),
        (
            json!({"field_map": {"page": "retURL"}}),
            "`page` → `retURL`: Leadform sets this field itself",
        ),
        (
            json!({"attribution_map": {"gclid": "00N12"}}),
            "`gclid` → `00N12`: a custom field id is 15 or 18",
        ),
    ] {
        let mut destination =
            json!({"kind": "salesforce_web_to_lead", "org_id": "00D5g000004abcd"});
        for (key, value) in map.as_object().expect("object") {
            destination[key] = value.clone();
        }
        let error = parse(with(minimal(), &["destinations"], json!([destination]))).unwrap_err();
        assert!(
            error.starts_with("destinations[0].") && error.contains(expected),
            "expected `{expected}`, got `{error}`"
        );
    }
}

#[test]
fn the_public_view_hides_the_asset_url_destinations_and_allow_lists() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../forms/ebook-12-charts.json"
    );
    let form =
        parse(serde_json::from_str(&std::fs::read_to_string(dir).expect("file")).expect("json"))
            .expect("valid");
    let public = serde_json::to_string(&form.public_view()).expect("serialises");
    assert!(public.contains("12 Must-Have Dashboard Charts"));
    assert!(!public.contains(".pdf"), "asset URL leaked: {public}");
    assert!(!public.contains("allowed_"), "allow-list leaked: {public}");
    assert!(!public.contains("destinations"));
}

#[test]
fn origins_match_exactly_apart_from_case_and_trailing_slash() {
    let form = parse(with(
        minimal(),
        &["allowed_origins"],
        json!(["https://www.example.com"]),
    ))
    .expect("valid");
    assert!(form.allows_origin("https://www.example.com"));
    assert!(form.allows_origin("https://WWW.example.com/"));
    assert!(!form.allows_origin("https://www.example.com.evil.test"));
    assert!(!form.allows_origin("http://www.example.com"));
    assert!(!form.allows_origin("null"));
}

#[test]
fn an_allowed_origin_written_with_a_trailing_slash_is_accepted_and_normalised() {
    let form = parse(with(
        minimal(),
        &["allowed_origins"],
        json!(["https://www.example.com/", "http://localhost:8000"]),
    ))
    .expect("a trailing slash is accepted, as --public-url accepts one");
    assert_eq!(
        form.allowed_origins,
        ["https://www.example.com", "http://localhost:8000"]
    );
    assert!(form.allows_origin("https://www.example.com"));
}

#[test]
fn retention_days_is_optional_at_least_one_and_strictly_a_number() {
    assert_eq!(parse(minimal()).expect("valid").retention_days, None);
    let kept = parse(with(minimal(), &["retention_days"], json!(30))).expect("valid");
    assert_eq!(kept.retention_days, Some(30));
    assert_eq!(
        kept.retention_cutoff_ms(40 * 86_400_000),
        Some(10 * 86_400_000),
        "leads received before now minus 30 days are past it"
    );
    assert_eq!(
        parse(with(minimal(), &["retention_days"], json!(0))).unwrap_err(),
        "retention_days: keep leads for at least 1 and at most 36500 days (leave it out to keep them)"
    );
    for wrong in [json!(-1), json!("30"), json!(1.5)] {
        let error = parse(with(minimal(), &["retention_days"], wrong.clone())).unwrap_err();
        assert!(error.starts_with("invalid "), "{wrong}: {error}");
    }
    let error = parse(with(minimal(), &["retention_day"], json!(30))).unwrap_err();
    assert!(error.contains("unknown field `retention_day`"), "{error}");
}

#[test]
fn the_response_target_defaults_to_a_day_and_is_checked() {
    assert_eq!(parse(minimal()).unwrap().response_target_hours, 24);
    let form = parse(with(minimal(), &["response_target_hours"], json!(4))).unwrap();
    assert_eq!(form.response_target_hours, 4);
    for bad in [json!(0), json!(721)] {
        let error = parse(with(minimal(), &["response_target_hours"], bad)).unwrap_err();
        assert!(
            error.contains("response_target_hours: response_target_hours must be from 1 to 720"),
            "{error}"
        );
    }
    let error = parse(with(minimal(), &["response_target_hours"], json!("24"))).unwrap_err();
    assert!(error.contains("invalid type: string \"24\""), "{error}");
}

#[test]
fn a_webhook_subscribes_to_lead_created_unless_its_events_say_otherwise() {
    use leadform_core::definition::LeadEvent;
    let hook = |events: Option<Value>| {
        let mut destination =
            json!({"kind": "webhook", "url": "https://h.example.com/in", "secret_env": "HOOK"});
        if let Some(events) = events {
            destination["events"] = events;
        }
        parse(with(minimal(), &["destinations"], json!([destination])))
    };
    let plain = hook(None).expect("valid");
    assert!(plain.destinations[0].subscribes_to(LeadEvent::Created));
    assert!(!plain.destinations[0].subscribes_to(LeadEvent::Mql));
    let mql_only = hook(Some(json!(["lead.mql"]))).expect("valid");
    assert!(!mql_only.destinations[0].subscribes_to(LeadEvent::Created));
    assert!(mql_only.destinations[0].subscribes_to(LeadEvent::Mql));
    let both = hook(Some(json!(["lead.created", "lead.mql"]))).expect("valid");
    assert!(both.destinations[0].subscribes_to(LeadEvent::Created));
    assert!(both.destinations[0].subscribes_to(LeadEvent::Mql));

    let unknown = hook(Some(json!(["lead.updated"]))).unwrap_err();
    assert!(
        unknown.contains("unknown variant `lead.updated`"),
        "{unknown}"
    );
    assert!(unknown.contains("lead.mql"), "{unknown}");
    let empty = hook(Some(json!([]))).unwrap_err();
    assert!(empty.contains("destinations[0].events"), "{empty}");
    let twice = hook(Some(json!(["lead.mql", "lead.mql"]))).unwrap_err();
    assert!(twice.contains("\"lead.mql\" is listed twice"), "{twice}");
}
