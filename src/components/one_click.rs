//! The body of the one-click form for a visitor about whom nothing is missing: no questions, just
//! the button. It still sends a submission, because the download is a lead activity.

use leadform_core::catalogue::{text, Text};
use leadform_core::Locale;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OneClickProps {
    /// Is this gated content (the button then says "Download")?
    pub download: bool,
    pub locale: Locale,
}

#[function_component(OneClick)]
pub fn one_click(props: &OneClickProps) -> Html {
    let key = if props.download {
        Text::OneClickDownload
    } else {
        Text::OneClickContact
    };
    html! { <p class="leadform-one-click">{ text(props.locale, key) }</p> }
}
