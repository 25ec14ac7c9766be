//! The widget's form as HTML, rendered by the handler for the loader to show before the
//! WebAssembly arrives. It is the markup the Yew components (`src/components/`) draw for a fresh
//! visitor, element for element and class for class, so that when the widget takes over nothing
//! on screen moves. Change both together; the browser tests check the layout shift stays 0.
//! It speaks the visitor's language: the product's own texts from the core catalogue, `lang` and
//! `dir` on the root, as the widget writes them.

use leadform_core::catalogue::{text, Text};
use leadform_core::{
    choose_fields, ConsentDefinition, FieldDefinition, FieldKind, KnownProfile, Locale,
    PublicFormDefinition,
};
use maud::{html, Markup};

/// The widget's honeypot input name (`src/components/honeypot.rs`).
const HONEYPOT_NAME: &str = "leadform_website";

/// The fields a fresh visitor is shown, in order, the consent checkbox last (as `form_view`).
pub fn shown_fields(definition: &PublicFormDefinition) -> Vec<FieldDefinition> {
    let chosen = choose_fields(
        definition.kind,
        &definition.fields,
        definition.progressive.as_ref(),
        &KnownProfile::default(),
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
    fields
}

fn consent_field(consent: &ConsentDefinition) -> FieldDefinition {
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

/// `div.leadform` and the form inside it; `prefix` makes the element ids unique on the page
/// (the widget's `id_prefix`, `lf1`, `lf2`, … chosen by the loader). `definition` is already
/// translated into `locale`.
pub fn form(definition: &PublicFormDefinition, prefix: &str, locale: Locale) -> Markup {
    let title_id = format!("{prefix}-title");
    html! {
        div class="leadform" lang=(locale.code()) dir=(locale.direction()) {
            form class="leadform-form" novalidate aria-labelledby=(title_id) {
                h2 class="leadform-title" id=(title_id) { (definition.title) }
                @if let Some(description) = &definition.description {
                    p class="leadform-description" { (description) }
                }
                @for field in shown_fields(definition) {
                    (field_markup(&field, &format!("{prefix}-{}", field.name), locale))
                }
                div class="leadform-hp" aria-hidden="true" {
                    label for=(format!("{prefix}-hp")) { (text(locale, Text::HoneypotLabel)) }
                    input type="text" id=(format!("{prefix}-hp")) name=(HONEYPOT_NAME) tabindex="-1"
                        autocomplete="off";
                }
                button type="submit" class="leadform-submit" { (definition.submit_label) }
                p class="leadform-status" role="status" aria-live="polite" {}
            }
        }
    }
}

fn field_markup(field: &FieldDefinition, id: &str, locale: Locale) -> Markup {
    let checkbox = field.kind == FieldKind::Checkbox;
    let help_id = format!("{id}-help");
    let described_by = field.help.as_ref().map(|_| help_id.as_str());
    let required = field.required.then_some("true");
    let max_length =
        (!checkbox && field.kind != FieldKind::Select).then(|| field.max_length().to_string());
    let label = html! {
        label class="leadform-label" for=(id) {
            (field.label)
            @if field.required { span class="leadform-required" aria-hidden="true" { " *" } }
        }
    };
    let input = match field.kind {
        FieldKind::Textarea => html! {
            textarea id=(id) name=(field.name) class="leadform-input" maxlength=[max_length] rows="5"
                placeholder=[field.placeholder.as_deref()] autocomplete=[field.autocomplete.as_deref()]
                aria-required=[required] aria-describedby=[described_by] {}
        },
        FieldKind::Select => html! {
            select id=(id) name=(field.name) class="leadform-input"
                autocomplete=[field.autocomplete.as_deref()]
                aria-required=[required] aria-describedby=[described_by] {
                option value="" selected { (text(locale, Text::ChoosePlaceholder)) }
                @for option in &field.options {
                    option value=(option.value) { (option.label) }
                }
            }
        },
        FieldKind::Checkbox => html! {
            input type="checkbox" id=(id) name=(field.name) class="leadform-checkbox" value="true"
                aria-required=[required] aria-describedby=[described_by];
        },
        kind => {
            let input_type = match kind {
                FieldKind::Email => "email",
                FieldKind::Tel => "tel",
                _ => "text",
            };
            // Addresses and numbers read left to right even inside an Arabic form (as the widget).
            let dir = matches!(kind, FieldKind::Email | FieldKind::Tel).then_some("ltr");
            html! {
                input type=(input_type) id=(id) name=(field.name) class="leadform-input" value=""
                    maxlength=[max_length] placeholder=[field.placeholder.as_deref()]
                    autocomplete=[field.autocomplete.as_deref()]
                    aria-required=[required] aria-describedby=[described_by] dir=[dir];
            }
        }
    };
    let class = if checkbox {
        "leadform-field leadform-field-checkbox"
    } else {
        "leadform-field"
    };
    html! {
        div class=(class) {
            @if checkbox { (input) (label) } @else { (label) (input) }
            @if let Some(help) = &field.help {
                p class="leadform-help" id=(help_id) { (help) }
            }
        }
    }
}
