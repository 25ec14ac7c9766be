//! Which inputs one view of a form shows: progressive profiling (`leadform_core::choose_fields`)
//! applied to the public definition, plus the consent checkbox.

use leadform_core::{
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
    let chosen = choose_fields(&definition.fields, definition.progressive.as_ref(), &known);
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
    let prefill = if one_click {
        // Sent with the one-click submission so the lead names the visitor.
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
