//! The first-party visitor cookie `leadform_vid` and reading request cookies.
//!
//! The cookie is `HttpOnly` (scripts cannot read it, so Safari's 7-day cap on script-written storage
//! does not apply) and `SameSite=Lax`: it reaches the handler from same-site embeds such as
//! www.example.com embedding forms.example.com. A cross-site embed would need `SameSite=None; Secure`,
//! which needs HTTPS, so on plain-http localhost cross-site demos the cookie is simply not sent
//! and the widget's own per-site storage is what remembers the visitor.

use super::own_origin::OwnOrigin;
use axum::http::{header, HeaderMap, HeaderValue};
use leadform_core::submission::is_uuid_v4;

pub const VISITOR_COOKIE: &str = "leadform_vid";
/// Chrome caps cookie lifetimes at 400 days; ask for that.
const VISITOR_COOKIE_MAX_AGE_SECS: u64 = 400 * 24 * 60 * 60;

/// The value of the cookie `name`, if the request carries it.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// The visitor id from `leadform_vid`, when it is a well-formed UUID v4 (anything else is ignored).
pub fn visitor_id(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, VISITOR_COOKIE)
        .filter(|id| is_uuid_v4(id))
        .map(str::to_lowercase)
}

pub fn new_visitor_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `Set-Cookie` for the visitor id, `Secure` when [`is_secure`] says so.
pub fn set_visitor_cookie(
    request_headers: &HeaderMap,
    own_origin: &OwnOrigin,
    visitor_id: &str,
) -> HeaderValue {
    let secure = secure_attribute(request_headers, own_origin);
    cookie_header(&format!(
        "{VISITOR_COOKIE}={visitor_id}; HttpOnly; SameSite=Lax; Path=/; Max-Age={VISITOR_COOKIE_MAX_AGE_SECS}{secure}"
    ))
}

/// `Set-Cookie` that makes the browser drop the visitor id.
pub fn expire_visitor_cookie(request_headers: &HeaderMap, own_origin: &OwnOrigin) -> HeaderValue {
    let secure = secure_attribute(request_headers, own_origin);
    cookie_header(&format!(
        "{VISITOR_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}"
    ))
}

/// With `--public-url`, its scheme decides. Without it, `Secure` everywhere except on a loopback
/// host, where the demo runs on plain http and a `Secure` cookie would never be stored.
pub fn is_secure(request_headers: &HeaderMap, own_origin: &OwnOrigin) -> bool {
    match own_origin {
        OwnOrigin::Public(url) => url.is_https(),
        OwnOrigin::RequestHost => !is_loopback_host(request_headers),
    }
}

fn secure_attribute(request_headers: &HeaderMap, own_origin: &OwnOrigin) -> &'static str {
    if is_secure(request_headers, own_origin) {
        "; Secure"
    } else {
        ""
    }
}

fn cookie_header(text: &str) -> HeaderValue {
    // Built only from a UUID and constants, so it is always a valid header value.
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn is_loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = super::cors::request_host(headers) else {
        return false;
    };
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default().to_owned()
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "[::1]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static(
                "a=1; leadform_vid=3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b; hubspotutk=x",
            ),
        );
        assert_eq!(
            visitor_id(&headers).as_deref(),
            Some("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b")
        );
        assert_eq!(cookie_value(&headers, "hubspotutk"), Some("x"));
        assert_eq!(cookie_value(&headers, "missing"), None);
    }

    #[test]
    fn secure_is_left_out_only_on_loopback() {
        for (host, secure) in [
            ("127.0.0.1:8080", false),
            ("localhost", false),
            ("[::1]:9000", false),
            ("forms.example.com", true),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static(host));
            let cookie = set_visitor_cookie(&headers, &OwnOrigin::RequestHost, "id");
            assert_eq!(
                cookie.to_str().unwrap().contains("Secure"),
                secure,
                "{host}"
            );
        }
    }

    #[test]
    fn a_public_url_scheme_decides_secure_whatever_the_host() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let https = OwnOrigin::Public("https://forms.example.com".parse().unwrap());
        assert!(set_visitor_cookie(&headers, &https, "id")
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(expire_visitor_cookie(&headers, &https)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        headers.insert(header::HOST, HeaderValue::from_static("forms.example.com"));
        let http = OwnOrigin::Public("http://forms.example.com".parse().unwrap());
        assert!(!set_visitor_cookie(&headers, &http, "id")
            .to_str()
            .unwrap()
            .contains("Secure"));
    }
}
