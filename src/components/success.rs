//! What replaces the form once the handler accepted the lead: the success message and, for gated
//! content, the download the answer revealed.

use crate::services::handler_url::resolve_url;
use leadform_core::definition::PublicAsset;
use leadform_core::LeadAccepted;
use std::rc::Rc;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SuccessProps {
    pub message: AttrValue,
    pub asset: Option<PublicAsset>,
    pub answer: Rc<LeadAccepted>,
    /// The handler's base URL: relative asset paths are on it.
    pub endpoint: AttrValue,
}

#[function_component(Success)]
pub fn success(props: &SuccessProps) -> Html {
    let container = use_node_ref();
    {
        // Move focus to the message: the form the visitor was in is gone.
        let container = container.clone();
        use_effect_with((), move |_| {
            if let Some(element) = container.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let download = props
        .answer
        .asset_url
        .as_deref()
        .and_then(|url| resolve_url(&props.endpoint, url));
    let title = props
        .asset
        .as_ref()
        .map(|a| a.title.as_str())
        .unwrap_or("your download");
    let cover = props.asset.as_ref().and_then(|asset| {
        let src = resolve_url(&props.endpoint, asset.cover_image_url.as_deref()?)?;
        Some(html! {
            <img class="leadform-cover" src={src}
                alt={asset.cover_alt.clone().unwrap_or_default()} />
        })
    });
    html! {
        <div class="leadform-success" tabindex="-1" ref={container}>
            <p class="leadform-success-message">{ &props.message }</p>
            if let Some(href) = download {
                <a class="leadform-download" href={href} target="_blank" rel="noopener">
                    { for cover }
                    <span class="leadform-download-label">{ ["Download ", title].concat() }</span>
                </a>
            }
        </div>
    }
}
