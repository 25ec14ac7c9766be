//! "Welcome back, Ada — Not you?": shown to a visitor the widget recognises.

use leadform_core::catalogue::{fill, text, Text};
use leadform_core::Locale;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    pub name: Option<AttrValue>,
    pub on_not_you: Callback<()>,
    pub locale: Locale,
}

#[function_component(Welcome)]
pub fn welcome(props: &WelcomeProps) -> Html {
    let greeting = match &props.name {
        Some(name) => fill(
            props.locale,
            Text::WelcomeBackName,
            &[("name", name.as_str())],
        ),
        None => text(props.locale, Text::WelcomeBack).to_owned(),
    };
    let on_click = {
        let on_not_you = props.on_not_you.clone();
        Callback::from(move |_: MouseEvent| on_not_you.emit(()))
    };
    html! {
        <p class="leadform-welcome">
            <span class="leadform-greeting">{ greeting }</span>
            // The full stop keeps "…Ada" and "Not you?" apart for screen readers.
            { if props.name.is_some() { ". " } else { " " } }
            <button type="button" class="leadform-link leadform-not-you" onclick={on_click}>
                { text(props.locale, Text::NotYou) }
            </button>
        </p>
    }
}
