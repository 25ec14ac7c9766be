//! What replaces the form once the handler accepted the lead: the success message and, for gated
//! content, the download the answer revealed.

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

/// Makes a URL from the handler absolute: `/assets/x.pdf` is on the handler's origin. Anything but
/// http(s) or a path (`javascript:`, `data:`) is refused.
pub fn resolve_url(endpoint: &str, url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(url.to_owned());
    }
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let scheme_end = endpoint.find("://")? + 3;
    let origin_end = endpoint[scheme_end..]
        .find('/')
        .map_or(endpoint.len(), |i| scheme_end + i);
    Some([&endpoint[..origin_end], url].concat())
}

#[cfg(test)]
mod tests {
    use super::resolve_url;

    #[test]
    fn relative_asset_paths_resolve_against_the_handler_origin() {
        assert_eq!(
            resolve_url("http://127.0.0.1:8080", "/assets/x.pdf").as_deref(),
            Some("http://127.0.0.1:8080/assets/x.pdf")
        );
        assert_eq!(
            resolve_url("https://leads.example.com/base", "/a.pdf").as_deref(),
            Some("https://leads.example.com/a.pdf")
        );
        assert_eq!(
            resolve_url("https://x.test", "https://cdn.test/a.pdf").as_deref(),
            Some("https://cdn.test/a.pdf")
        );
    }

    #[test]
    fn script_and_protocol_relative_urls_are_refused() {
        assert_eq!(resolve_url("https://x.test", "javascript:alert(1)"), None);
        assert_eq!(resolve_url("https://x.test", "//evil.test/a"), None);
        assert_eq!(resolve_url("https://x.test", "assets/a.pdf"), None);
    }
}
