//! The widget's form as HTML, rendered by the handler for the loader to show before the
//! WebAssembly arrives. It is the markup the Yew components (`src/components/`) draw for a fresh
//! visitor, element for element and class for class, so that when the widget takes over nothing
//! on screen moves. Change both together; the browser tests check the layout shift stays 0.
//! It speaks the visitor's language: the product's own texts from the core catalogue, `lang` and
//! `dir` on the root, as the widget writes them.

use leadform_core::catalogue::{fill, text, Text};
use leadform_core::form_view::{form_view, greeting_name, FormView};
use leadform_core::{
    FieldDefinition, FieldKind, FormKind, KnownProfile, Locale, PublicFormDefinition,
};
use maud::{html, Markup};

/// The widget's honeypot input name (`src/components/honeypot.rs`).
const HONEYPOT_NAME: &str = "leadform_website";

/// `div.leadform` and the form inside it; `prefix` makes the element ids unique on the page
/// (the widget's `id_prefix`, `lf1`, `lf2`, … chosen by the loader). `definition` is already
/// translated into `locale`. `known` is what the handler remembers about a returning visitor
/// (empty for a fresh one): the view, prefill and greeting follow the widget's own rules.
pub fn form(
    definition: &PublicFormDefinition,
    prefix: &str,
    locale: Locale,
    known: &KnownProfile,
) -> Markup {
    let title_id = format!("{prefix}-title");
    let view = form_view(definition, known);
    let download = definition.kind == FormKind::ContentDownload;
    let button_label = if view.one_click && download {
        text(locale, Text::DownloadButton)
    } else {
        definition.submit_label.as_str()
    };
    html! {
        div class="leadform" lang=(locale.code()) dir=(locale.direction()) {
            form class="leadform-form" novalidate aria-labelledby=(title_id) {
                h2 class="leadform-title" id=(title_id) { (definition.title) }
                @if let Some(description) = &definition.description {
                    p class="leadform-description" { (description) }
                }
                @if !known.is_empty() {
                    (welcome(definition, known, locale))
                }
                @if view.one_click {
                    p class="leadform-one-click" {
                        (text(locale, if download { Text::OneClickDownload } else { Text::OneClickContact }))
                    }
                }
                @for field in &view.fields {
                    (field_markup(field, &format!("{prefix}-{}", field.name), locale, prefilled(&view, field)))
                }
                div class="leadform-hp" aria-hidden="true" {
                    label for=(format!("{prefix}-hp")) { (text(locale, Text::HoneypotLabel)) }
                    input type="text" id=(format!("{prefix}-hp")) name=(HONEYPOT_NAME) tabindex="-1"
                        autocomplete="off";
                }
                button type="submit" class="leadform-submit" { (button_label) }
                p class="leadform-status" role="status" aria-live="polite" {}
            }
        }
    }
}

/// "Welcome back, Ada. Not you?" as `src/components/welcome.rs` draws it. The button does
/// nothing until the widget takes over (it is the widget's, with the same look).
fn welcome(definition: &PublicFormDefinition, known: &KnownProfile, locale: Locale) -> Markup {
    // Greet by name only where the form may show that value back.
    let shown_back = known.for_display(&definition.fields);
    let name = greeting_name(&shown_back.values);
    let greeting = match name {
        Some(name) => fill(locale, Text::WelcomeBackName, &[("name", name)]),
        None => text(locale, Text::WelcomeBack).to_owned(),
    };
    html! {
        p class="leadform-welcome" {
            span class="leadform-greeting" { (greeting) }
            (if name.is_some() { ". " } else { " " })
            button type="button" class="leadform-link leadform-not-you" { (text(locale, Text::NotYou)) }
        }
    }
}

/// The value the widget starts the field with (`FormState` seeds it from the view's prefill).
fn prefilled<'a>(view: &'a FormView, field: &FieldDefinition) -> &'a str {
    view.prefill
        .get(&field.name)
        .map(String::as_str)
        .unwrap_or("")
}

fn field_markup(field: &FieldDefinition, id: &str, locale: Locale, value: &str) -> Markup {
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
                aria-required=[required] aria-describedby=[described_by] { (value) }
        },
        FieldKind::Select => html! {
            select id=(id) name=(field.name) class="leadform-input"
                autocomplete=[field.autocomplete.as_deref()]
                aria-required=[required] aria-describedby=[described_by] {
                option value="" selected[value.is_empty()] { (text(locale, Text::ChoosePlaceholder)) }
                @for option in &field.options {
                    option value=(option.value) selected[value == option.value] { (option.label) }
                }
            }
        },
        FieldKind::Checkbox => html! {
            input type="checkbox" id=(id) name=(field.name) class="leadform-checkbox" value="true"
                checked[value == "true"] aria-required=[required] aria-describedby=[described_by];
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
                input type=(input_type) id=(id) name=(field.name) class="leadform-input" value=(value)
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
