//! The live region: screen readers hear "Sending…", failures and success without moving focus.

use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Error,
    /// The success message is on screen already; the region only announces it.
    Success,
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub text: Option<AttrValue>,
    pub tone: Tone,
}

#[function_component(Status)]
pub fn status(props: &StatusProps) -> Html {
    let class = classes!(
        "leadform-status",
        match props.tone {
            Tone::Neutral => None,
            Tone::Error => Some("leadform-status-error"),
            Tone::Success => Some("leadform-visually-hidden"),
        }
    );
    html! {
        <p {class} role="status" aria-live="polite">{ props.text.clone().unwrap_or_default() }</p>
    }
}
