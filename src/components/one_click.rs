//! The body of the one-click form for a visitor about whom nothing is missing: no questions, just
//! the button. It still sends a submission, because the download is a lead activity.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OneClickProps {
    /// Is this gated content (the button then says "Download")?
    pub download: bool,
}

#[function_component(OneClick)]
pub fn one_click(props: &OneClickProps) -> Html {
    let text = if props.download {
        "We have your details already. One click and the download is yours."
    } else {
        "We have your details already. One click and we will be in touch."
    };
    html! { <p class="leadform-one-click">{ text }</p> }
}
