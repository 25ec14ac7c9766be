//! One labelled input, of any visible field kind, with its help text and inline error.

use leadform_core::catalogue::{text, Text};
use leadform_core::{FieldDefinition, FieldKind, Locale};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct FieldProps {
    pub field: FieldDefinition,
    /// The input's id, unique per mount (the label and error point at it).
    pub id: AttrValue,
    pub value: AttrValue,
    pub error: Option<AttrValue>,
    pub disabled: bool,
    /// `(field name, new value)`; checkboxes report `"true"` or `"false"`.
    pub on_input: Callback<(String, String)>,
    /// The field name, when the input loses focus.
    pub on_blur: Callback<String>,
    pub locale: Locale,
}

/// Reads `value` (or `checked`, for a checkbox) from whichever element fired the event.
fn read_target(event: &Event, checkbox: bool) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    let target = JsValue::from(target);
    if checkbox {
        let checked = js_sys::Reflect::get(&target, &"checked".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        return if checked { "true" } else { "false" }.to_owned();
    }
    js_sys::Reflect::get(&target, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Whether focus leaves for a submit button (`relatedTarget`; browsers that do not focus buttons
/// on click give none, and the field is checked as usual).
fn moves_to_submit(event: &FocusEvent) -> bool {
    event
        .related_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.get_attribute("type"))
        .is_some_and(|kind| kind == "submit")
}

#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let field = &props.field;
    let checkbox = field.kind == FieldKind::Checkbox;
    let error_id = AttrValue::from([props.id.as_str(), "-error"].concat());
    let help_id = AttrValue::from([props.id.as_str(), "-help"].concat());

    let described_by = {
        let mut ids = Vec::new();
        if field.help.is_some() {
            ids.push(help_id.as_str());
        }
        if props.error.is_some() {
            ids.push(error_id.as_str());
        }
        (!ids.is_empty()).then(|| AttrValue::from(ids.join(" ")))
    };
    let invalid = props.error.as_ref().map(|_| AttrValue::Static("true"));
    let required = field.required.then_some(AttrValue::Static("true"));
    let max_length = (!checkbox && field.kind != FieldKind::Select)
        .then(|| AttrValue::from(field.max_length().to_string()));

    let on_change = {
        let name = field.name.clone();
        let on_input = props.on_input.clone();
        Callback::from(move |event: Event| {
            on_input.emit((name.clone(), read_target(&event, checkbox)))
        })
    };
    let on_text_input = {
        let name = field.name.clone();
        let on_input = props.on_input.clone();
        Callback::from(move |event: InputEvent| {
            on_input.emit((name.clone(), read_target(&event, false)))
        })
    };
    let on_blur = {
        let name = field.name.clone();
        let on_blur = props.on_blur.clone();
        Callback::from(move |event: FocusEvent| {
            // Focus moving to the send button: the submit checks every field itself. Checking
            // here would show this field's message first, which moves the button down between
            // the press and the release of the click, and the click would send nothing.
            if !moves_to_submit(&event) {
                on_blur.emit(name.clone())
            }
        })
    };

    let label = html! {
        <label class="leadform-label" for={props.id.clone()}>
            { &field.label }
            if field.required {
                <span class="leadform-required" aria-hidden="true">{ " *" }</span>
            }
        </label>
    };
    let input = match field.kind {
        FieldKind::Textarea => html! {
            <textarea id={props.id.clone()} name={field.name.clone()} class="leadform-input"
                value={props.value.clone()} maxlength={max_length} rows="5"
                placeholder={field.placeholder.clone()} autocomplete={field.autocomplete.clone()}
                aria-invalid={invalid} aria-required={required} aria-describedby={described_by}
                disabled={props.disabled} oninput={on_text_input} onblur={on_blur} />
        },
        FieldKind::Select => html! {
            <select id={props.id.clone()} name={field.name.clone()} class="leadform-input"
                autocomplete={field.autocomplete.clone()}
                aria-invalid={invalid} aria-required={required} aria-describedby={described_by}
                disabled={props.disabled} onchange={on_change} onblur={on_blur}>
                <option value="" selected={props.value.is_empty()}>{ text(props.locale, Text::ChoosePlaceholder) }</option>
                { for field.options.iter().map(|option| html! {
                    <option value={option.value.clone()} selected={props.value == option.value}>
                        { &option.label }
                    </option>
                }) }
            </select>
        },
        FieldKind::Checkbox => html! {
            <input type="checkbox" id={props.id.clone()} name={field.name.clone()}
                class="leadform-checkbox" value="true" checked={props.value == "true"}
                aria-invalid={invalid} aria-required={required} aria-describedby={described_by}
                disabled={props.disabled} onchange={on_change} onblur={on_blur} />
        },
        kind => {
            let input_type = match kind {
                FieldKind::Email => "email",
                FieldKind::Tel => "tel",
                _ => "text",
            };
            // Addresses and numbers read left to right even inside an Arabic form.
            let dir = matches!(kind, FieldKind::Email | FieldKind::Tel).then_some("ltr");
            html! {
                <input type={input_type} {dir} id={props.id.clone()} name={field.name.clone()}
                    class="leadform-input" value={props.value.clone()} maxlength={max_length}
                    placeholder={field.placeholder.clone()} autocomplete={field.autocomplete.clone()}
                    aria-invalid={invalid} aria-required={required} aria-describedby={described_by}
                    disabled={props.disabled} oninput={on_text_input} onblur={on_blur} />
            }
        }
    };
    let class = classes!(
        "leadform-field",
        checkbox.then_some("leadform-field-checkbox"),
        props.error.is_some().then_some("leadform-field-invalid")
    );
    html! {
        <div {class}>
            if checkbox { { input } { label } } else { { label } { input } }
            if let Some(help) = &field.help {
                <p class="leadform-help" id={help_id.clone()}>{ help }</p>
            }
            if let Some(error) = &props.error {
                <p class="leadform-error" id={error_id.clone()}>{ error }</p>
            }
        </div>
    }
}
