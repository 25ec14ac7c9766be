//! The error summary, as the GOV.UK Design System does it: after a failed submit, a titled box at
//! the top of the form lists each problem as a link to its field, and takes focus.
//!
//! The form lives in a shadow root, where following `#id` does not reach the field (the document
//! has no such id): a click focuses the field itself. The `href` stays, so the links are links to
//! assistive technology and still name their target.

use leadform_core::catalogue::{text, Text};
use leadform_core::Locale;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// One problem: the field's element id and what the link says.
#[derive(Clone, PartialEq)]
pub struct SummaryEntry {
    pub field_id: AttrValue,
    pub text: AttrValue,
}

impl SummaryEntry {
    /// The inline message, as GOV.UK words its links; prefixed with the label only where the
    /// message does not name the field ("Choose an option." alone would not say which).
    pub fn new(field_id: String, label: &str, message: &str) -> Self {
        let names_field = message.to_lowercase().contains(&label.to_lowercase());
        let text = if names_field {
            message.to_owned()
        } else {
            [label, ": ", message].concat()
        };
        Self {
            field_id: AttrValue::from(field_id),
            text: AttrValue::from(text),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorSummaryProps {
    pub locale: Locale,
    /// The title's id, unique per mount.
    pub title_id: AttrValue,
    pub entries: Vec<SummaryEntry>,
    /// Focus moves here after a failed submit.
    pub summary_ref: NodeRef,
}

/// Focuses the control whose id the clicked link's `href` names, within the same form.
fn focus_linked_field(event: MouseEvent) {
    // The target, not `current_target`: Yew delegates events to its root.
    let Some(link) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|e| e.closest("a").ok().flatten())
    else {
        return;
    };
    let Some(id) = link
        .get_attribute("href")
        .and_then(|href| href.strip_prefix('#').map(str::to_owned))
    else {
        return;
    };
    let target = link
        .closest("form")
        .ok()
        .flatten()
        .and_then(|form| form.query_selector(&["[id=\"", &id, "\"]"].concat()).ok())
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(field) = target {
        event.prevent_default();
        let _ = field.focus();
    }
}

#[function_component(ErrorSummary)]
pub fn error_summary(props: &ErrorSummaryProps) -> Html {
    let on_click = Callback::from(focus_linked_field);
    html! {
        <div class="leadform-error-summary" role="alert" tabindex="-1"
            aria-labelledby={props.title_id.clone()} ref={props.summary_ref.clone()}>
            <h3 class="leadform-error-summary-title" id={props.title_id.clone()}>
                { text(props.locale, Text::ErrorSummaryTitle) }
            </h3>
            <ul class="leadform-error-summary-list">
                { for props.entries.iter().map(|entry| html! {
                    <li key={entry.field_id.as_str()}>
                        <a href={["#", entry.field_id.as_str()].concat()} onclick={on_click.clone()}>
                            { entry.text.as_str() }
                        </a>
                    </li>
                }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::SummaryEntry;

    #[test]
    fn a_link_says_the_message_and_names_the_field_only_when_the_message_does_not() {
        let named = SummaryEntry::new(
            "lf1-first_name".into(),
            "First name",
            "Enter your first name.",
        );
        assert_eq!(named.text, "Enter your first name.");
        let unnamed = SummaryEntry::new("lf1-topic".into(), "Thema", "Wählen Sie eine Option.");
        assert_eq!(unnamed.text, "Thema: Wählen Sie eine Option.");
        assert_eq!(unnamed.field_id, "lf1-topic");
    }
}
