//! A definition's `translations`: checked complete per listed language, applied per visitor.

use leadform_core::{FormDefinition, Locale};
use serde_json::{json, Value};
use std::borrow::Cow;

use crate::support;

use support::contact_form_json;

/// A complete German translation of `forms/contact-us.json`, built from its own field list.
fn german(definition: &Value) -> Value {
    let mut fields = serde_json::Map::new();
    for field in definition["fields"].as_array().expect("fields") {
        if field["kind"] == "hidden" {
            continue;
        }
        let mut translated =
            json!({ "label": format!("DE {}", field["label"].as_str().unwrap_or_default()) });
        if field.get("help").is_some() {
            translated["help"] = json!("Hilfe");
        }
        if field.get("placeholder").is_some() {
            translated["placeholder"] = json!("Platzhalter");
        }
        if let Some(options) = field["options"].as_array() {
            let labels: serde_json::Map<String, Value> = options
                .iter()
                .map(|o| {
                    (
                        o["value"].as_str().unwrap_or_default().to_owned(),
                        json!("Option"),
                    )
                })
                .collect();
            translated["options"] = Value::Object(labels);
        }
        fields.insert(
            field["name"].as_str().unwrap_or_default().to_owned(),
            translated,
        );
    }
    let mut translation = json!({
        "title": "Sprechen Sie mit uns",
        "submit_label": "Nachricht senden",
        "success_message": "Danke! Wir melden uns innerhalb eines Werktags.",
        "fields": fields
    });
    if definition.get("description").is_some() {
        translation["description"] = json!("Beschreibung");
    }
    if definition.get("consent").is_some() {
        translation["consent_text"] = json!("Einwilligung");
    }
    translation
}

fn parse(definition: Value) -> FormDefinition {
    serde_json::from_value(definition).expect("parses")
}

#[test]
fn a_complete_translation_is_accepted_and_applied() {
    let mut definition = contact_form_json();
    definition["translations"] = json!({ "de": german(&definition) });
    let form = parse(definition);
    form.check().expect("complete");
    let in_german = form.translated(Locale::De);
    assert_eq!(in_german.title, "Sprechen Sie mit uns");
    assert_eq!(in_german.submit_label, "Nachricht senden");
    assert_eq!(
        in_german.field("first_name").map(|f| f.label.as_str()),
        Some("DE First name")
    );
    assert!(in_german
        .field("topic")
        .expect("topic")
        .options
        .iter()
        .all(|o| o.label == "Option"));
    // Values stay: only what a visitor reads changes.
    assert_eq!(
        in_german.field("topic").map(|f| &f.options[0].value),
        form.field("topic").map(|f| &f.options[0].value)
    );
    // A language without a translation keeps the originals, uncopied.
    assert!(matches!(form.translated(Locale::Fr), Cow::Borrowed(same) if *same == form));
}

#[test]
fn check_names_every_text_a_listed_language_misses() {
    let mut definition = contact_form_json();
    let mut translation = german(&definition);
    translation["fields"]
        .as_object_mut()
        .expect("fields")
        .remove("email");
    translation["fields"]["topic"]["options"]
        .as_object_mut()
        .expect("options")
        .remove("demo");
    translation
        .as_object_mut()
        .expect("object")
        .remove("submit_label");
    definition["translations"] = json!({ "de": translation });
    let error = parse(definition).check().expect_err("incomplete");
    assert_eq!(error.path, "translations.de");
    for missing in [
        "submit_label",
        "fields.email.label",
        "fields.email.help",
        "fields.topic.options.demo",
    ] {
        assert!(error.message.contains(missing), "{missing} in {error}");
    }
}

#[test]
fn a_translation_of_something_the_form_lacks_is_refused() {
    let mut definition = contact_form_json();
    let mut translation = german(&definition);
    translation["fields"]["fax"] = json!({ "label": "Fax" });
    definition["translations"] = json!({ "de": translation });
    let error = parse(definition).check().expect_err("unknown field");
    assert_eq!(error.path, "translations.de.fields.fax");

    let mut definition = contact_form_json();
    let mut translation = german(&definition);
    translation["fields"]["topic"]["options"]["nope"] = json!("Nein");
    definition["translations"] = json!({ "de": translation });
    let error = parse(definition).check().expect_err("unknown option");
    assert_eq!(error.path, "translations.de.fields.topic.options.nope");

    let mut definition = contact_form_json();
    let mut translation = german(&definition);
    translation["title"] = json!("  ");
    definition["translations"] = json!({ "de": translation });
    let error = parse(definition).check().expect_err("empty title");
    assert_eq!(error.path, "translations.de.title");
}

#[test]
fn translations_are_keyed_by_a_supported_language_and_strictly_shaped() {
    let mut definition = contact_form_json();
    definition["translations"] = json!({ "pt": { "title": "Fale connosco" } });
    let refused = serde_json::from_value::<FormDefinition>(definition).expect_err("pt");
    assert!(
        refused
            .to_string()
            .contains("`pt` is not a supported language"),
        "{refused}"
    );

    let mut definition = contact_form_json();
    definition["translations"] = json!({ "de": { "titel": "Tippfehler" } });
    let refused = serde_json::from_value::<FormDefinition>(definition).expect_err("typo");
    assert!(refused.to_string().contains("titel"), "{refused}");
}
