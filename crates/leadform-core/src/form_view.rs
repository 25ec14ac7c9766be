//! Which inputs one view of a form shows: progressive profiling ([`crate::choose_fields`])
//! applied to the public definition, plus the consent checkbox. Shared by the widget and the
//! handler's first markup, so a returning visitor's form does not change when the widget takes
//! over.

use crate::{
    choose_fields, ConsentDefinition, FieldDefinition, FieldKind, KnownProfile,
    PublicFormDefinition,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct FormView {
    /// The inputs to render, in order; the consent checkbox (when the form has one) is last.
    pub fields: Vec<FieldDefinition>,
    /// Known values to put in them.
    pub prefill: BTreeMap<String, String>,
    /// Nothing is missing about this visitor: offer the one-click form.
    pub one_click: bool,
}

pub fn form_view(definition: &PublicFormDefinition, known: &KnownProfile) -> FormView {
    let known = known.for_display(&definition.fields);
    let chosen = choose_fields(
        definition.kind,
        &definition.fields,
        definition.progressive.as_ref(),
        &known,
    );
    let mut fields: Vec<FieldDefinition> = definition
        .fields
        .iter()
        .filter(|f| chosen.shown.contains(&f.name))
        .cloned()
        .collect();
    if let Some(consent) = &definition.consent {
        fields.push(consent_field(consent));
    }
    // The one-click view still needs consent when the form demands it.
    let one_click = chosen.one_click && !definition.consent.as_ref().is_some_and(|c| c.required);
    let prefill = if chosen.one_click {
        // Sent with the one-click submission (or the consent-only form): core offers one-click only
        // when these prefillable values cover every required field outside the pool.
        known.values.clone()
    } else {
        chosen.prefill
    };
    FormView {
        fields,
        prefill,
        one_click,
    }
}

/// The consent checkbox as a field, so it renders and validates like any other checkbox.
pub fn consent_field(consent: &ConsentDefinition) -> FieldDefinition {
    FieldDefinition {
        name: ConsentDefinition::FIELD_NAME.to_owned(),
        label: consent.text.clone(),
        kind: FieldKind::Checkbox,
        required: consent.required,
        max_length: None,
        options: Vec::new(),
        help: None,
        placeholder: None,
        prefill: false,
        value: None,
        autocomplete: None,
    }
}

/// The name to greet a known visitor with, from the prefillable values.
pub fn greeting_name(known: &BTreeMap<String, String>) -> Option<&str> {
    ["first_name", "name", "full_name"]
        .iter()
        .find_map(|key| known.get(*key))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(consent: Option<bool>) -> PublicFormDefinition {
        let consent = match consent {
            Some(required) => {
                format!(r#", "consent": {{"text": "Email me.", "required": {required}}}"#)
            }
            None => String::new(),
        };
        serde_json::from_str(&format!(
            r#"{{"id": "ebook", "title": "T", "kind": "content_download", "submit_label": "Go",
            "success_message": "Done", "fields": [
              {{"name": "email", "label": "Email", "kind": "email", "required": true, "prefill": true}},
              {{"name": "first_name", "label": "First name", "kind": "text", "prefill": true}},
              {{"name": "company", "label": "Company", "kind": "text", "required": true}},
              {{"name": "phone", "label": "Phone", "kind": "tel"}},
              {{"name": "source", "label": "S", "kind": "hidden", "value": "x"}}],
            "progressive": {{"max_new_fields": 1, "pool": ["company", "phone"]}}{consent}}}"#
        ))
        .unwrap()
    }

    fn known(names: &[&str]) -> KnownProfile {
        KnownProfile {
            known: names.iter().map(|n| n.to_string()).collect(),
            values: [
                ("email", "ada@example.com"),
                ("first_name", "Ada"),
                ("company", "Acme"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        }
    }

    fn names(view: &FormView) -> Vec<&str> {
        view.fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn a_new_visitor_sees_the_first_pool_question_and_the_consent_box_last() {
        let view = form_view(&definition(Some(false)), &KnownProfile::default());
        assert_eq!(names(&view), ["email", "first_name", "company", "consent"]);
        assert!(!view.one_click);
    }

    #[test]
    fn only_prefillable_values_are_shown_back() {
        let view = form_view(
            &definition(None),
            &known(&["email", "first_name", "company"]),
        );
        assert_eq!(names(&view), ["email", "first_name", "phone"]);
        assert_eq!(
            view.prefill.get("email").map(String::as_str),
            Some("ada@example.com")
        );
        assert_eq!(
            view.prefill.get("company"),
            None,
            "company is not prefillable"
        );
    }

    #[test]
    fn nothing_missing_gives_one_click_carrying_the_known_values() {
        let everything = ["email", "first_name", "company", "phone"];
        let view = form_view(&definition(Some(false)), &known(&everything));
        assert!(view.one_click);
        assert_eq!(
            view.prefill.get("first_name").map(String::as_str),
            Some("Ada")
        );
        assert_eq!(greeting_name(&view.prefill), Some("Ada"));
    }

    #[test]
    fn a_required_consent_still_has_to_be_ticked_by_a_known_visitor() {
        let everything = ["email", "first_name", "company", "phone"];
        let view = form_view(&definition(Some(true)), &known(&everything));
        assert!(!view.one_click);
        assert_eq!(names(&view), ["consent"]);
        assert_eq!(
            view.prefill.get("email").map(String::as_str),
            Some("ada@example.com")
        );
    }
}
