//! Headers every response carries, set in one middleware:
//!
//! - `X-Content-Type-Options: nosniff`: a browser never runs a file as something it is not;
//! - `Referrer-Policy: strict-origin-when-cross-origin`: other sites see at most our origin.
//!   Not `no-referrer`: a form post from a no-referrer page sends `Origin: null`, which the
//!   fallback's origin check would refuse;
//! - a `Content-Security-Policy` on every HTML page. The handler's own pages (fallback form,
//!   thank-you and problem pages) load nothing but their stylesheet and may be framed by no one,
//!   except the fallback pages of a form, which that form's `allowed_origins` (and the handler's
//!   own pages) may frame: a handler marks those with [`FramedBy`]. Pages of the built site get
//!   the policy the widget needs, as the demo pages declare it themselves.

use axum::extract::Request;
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const NOSNIFF: &str = "nosniff";
const REFERRER: &str = "strict-origin-when-cross-origin";
/// `form-action` is left out on purpose: browsers apply it to the redirect after a post too, and a
/// stored fallback post redirects to the form's `success.redirect_url` or asset, often elsewhere.
const HANDLER_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; base-uri 'none'";
const STATIC_PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// On a response: the sites (besides the handler's own pages) that may show it in a frame.
#[derive(Debug, Clone)]
pub struct FramedBy(pub Vec<String>);

pub async fn add_security_headers(request: Request, next: Next) -> Response {
    let is_api_path = request.uri().path().starts_with("/v1/");
    let mut response = next.run(request).await;
    let framed_by = response.extensions_mut().remove::<FramedBy>();
    let headers = response.headers_mut();
    add_common_headers(headers);
    if is_html(headers) && !headers.contains_key(CONTENT_SECURITY_POLICY) {
        let policy = if is_api_path {
            handler_page_policy(framed_by.as_ref())
        } else {
            HeaderValue::from_static(STATIC_PAGE_POLICY)
        };
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The headers every answer carries, HTML or not; also for answers made outside the router (the
/// serving layer's timeout refusals).
pub fn add_common_headers(headers: &mut HeaderMap) {
    headers.insert("x-content-type-options", HeaderValue::from_static(NOSNIFF));
    headers
        .entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static(REFERRER));
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

fn handler_page_policy(framed_by: Option<&FramedBy>) -> HeaderValue {
    let ancestors = match framed_by {
        None => "'none'".to_owned(),
        Some(FramedBy(origins)) => std::iter::once("'self'")
            .chain(
                origins
                    .iter()
                    .map(|o| o.trim_end_matches('/'))
                    .filter(|o| is_plain_origin(o)),
            )
            .collect::<Vec<_>>()
            .join(" "),
    };
    HeaderValue::from_str(&format!(
        "{HANDLER_PAGE_POLICY}; frame-ancestors {ancestors}"
    ))
    // Unreachable: every part is checked ASCII; but a page without framing is the safe answer.
    .unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
    })
}

/// `scheme://host[:port]` in plain ASCII: anything else (a `;`, a space, a path) could change the
/// policy's meaning, so such an entry frames nothing.
fn is_plain_origin(origin: &str) -> bool {
    let Some((scheme, host)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_written_as_origins_may_frame() {
        let policy = handler_page_policy(Some(&FramedBy(vec![
            "https://www.example.com/".to_owned(),
            "http://localhost:8080".to_owned(),
            "https://evil.example; script-src *".to_owned(),
            "https://a.example/path".to_owned(),
        ])));
        assert_eq!(
            policy.to_str().unwrap(),
            "default-src 'none'; style-src 'self'; base-uri 'none'; \
             frame-ancestors 'self' https://www.example.com http://localhost:8080"
        );
        assert!(handler_page_policy(None)
            .to_str()
            .unwrap()
            .ends_with("frame-ancestors 'none'"));
    }
}
