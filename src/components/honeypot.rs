//! The bot trap: an input people never see or reach (hidden by a CSS class, not an inline style,
//! so strict CSPs still hide it). Whatever lands in it came from a script.

use leadform_core::catalogue::{text, Text};
use leadform_core::Locale;
use yew::prelude::*;

/// The honeypot input's name; plausible enough that form-filling bots fill it.
pub const HONEYPOT_NAME: &str = "leadform_website";

#[derive(Properties, PartialEq)]
pub struct HoneypotProps {
    pub id: AttrValue,
    pub input_ref: NodeRef,
    pub locale: Locale,
}

#[function_component(Honeypot)]
pub fn honeypot(props: &HoneypotProps) -> Html {
    html! {
        <div class="leadform-hp" aria-hidden="true">
            <label for={props.id.clone()}>{ text(props.locale, Text::HoneypotLabel) }</label>
            <input type="text" id={props.id.clone()} name={HONEYPOT_NAME} tabindex="-1"
                autocomplete="off" ref={props.input_ref.clone()} />
        </div>
    }
}
