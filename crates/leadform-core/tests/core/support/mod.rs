//! The demo's form definitions as the tests read them: one reader instead of a copy per file.
//! `forms/contact-us.json` is the contact form every test of the rule book uses, so a change to the
//! demo form is tested everywhere at once.

#![allow(dead_code)]

use leadform_core::FormDefinition;
use serde_json::Value;

/// `forms/{name}.json` as JSON, for tests that change it before parsing.
pub fn demo_form_json(name: &str) -> Value {
    let path = format!("{}/../../forms/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `forms/{name}.json`, parsed and checked.
pub fn demo_form(name: &str) -> FormDefinition {
    checked(demo_form_json(name))
}

/// The demo's contact form as JSON.
pub fn contact_form_json() -> Value {
    demo_form_json("contact-us")
}

/// The demo's contact form, parsed and checked.
pub fn contact_form() -> FormDefinition {
    demo_form("contact-us")
}

/// Parses `definition` and checks it, as the handler does when it loads `forms/`.
pub fn checked(definition: Value) -> FormDefinition {
    let form: FormDefinition = serde_json::from_value(definition).expect("parses");
    form.check().expect("valid");
    form
}
