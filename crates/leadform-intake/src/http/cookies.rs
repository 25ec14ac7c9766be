//! The first-party visitor cookie and reading request cookies.
//!
//! The cookie holds a visitor id the handler signed (`{uuid}.{hmac}`); any other value, such as a
//! bare UUID planted by someone else, is ignored. It is `__Host-leadform_vid` whenever it is `Secure`
//! (the prefix makes the browser refuse one set by a sibling subdomain or with a `Domain`), and
//! `leadform_vid` on plain-http loopback demos, where `Secure` cookies cannot be stored.
//!
//! The cookie is `HttpOnly` (scripts cannot read it, so Safari's 7-day cap on script-written storage
//! does not apply) and `SameSite=Lax`: it reaches the handler from same-site embeds such as
//! www.example.com embedding forms.example.com. A cross-site embed would need `SameSite=None; Secure`,
//! which needs HTTPS, so on plain-http localhost cross-site demos the cookie is simply not sent
//! and the widget's own per-site storage is what remembers the visitor.

use super::own_origin::OwnOrigin;
use crate::signing::{Purpose, SigningKey};
use axum::http::{header, HeaderMap, HeaderValue};
use leadform_core::submission::is_uuid_v4;

/// The cookie's name without `Secure` (loopback demos over plain http).
pub const VISITOR_COOKIE: &str = "leadform_vid";
/// The cookie's name whenever it is `Secure`.
pub const SECURE_VISITOR_COOKIE: &str = "__Host-leadform_vid";
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

/// The cookie's name for this request: `__Host-` prefixed exactly when it is `Secure`.
pub fn visitor_cookie_name(request_headers: &HeaderMap, own_origin: &OwnOrigin) -> &'static str {
    if is_secure(request_headers, own_origin) {
        SECURE_VISITOR_COOKIE
    } else {
        VISITOR_COOKIE
    }
}

/// The visitor id from the cookie, when the handler signed it (anything else is ignored).
pub fn visitor_id(headers: &HeaderMap, own_origin: &OwnOrigin, key: &SigningKey) -> Option<String> {
    let value = cookie_value(headers, visitor_cookie_name(headers, own_origin))?;
    let (id, signature) = value.split_once('.')?;
    (is_uuid_v4(id) && key.verify(Purpose::VisitorId, id, signature)).then(|| id.to_owned())
}

pub fn new_visitor_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `Set-Cookie` for the visitor id, signed, `Secure` and `__Host-` when [`is_secure`] says so.
pub fn set_visitor_cookie(
    request_headers: &HeaderMap,
    own_origin: &OwnOrigin,
    key: &SigningKey,
    visitor_id: &str,
) -> HeaderValue {
    let name = visitor_cookie_name(request_headers, own_origin);
    let secure = secure_attribute(request_headers, own_origin);
    let signature = key.sign(Purpose::VisitorId, visitor_id);
    // `__Host-` requires Path=/ and no Domain, which every visitor cookie has anyway.
    cookie_header(&format!(
        "{name}={visitor_id}.{signature}; HttpOnly; SameSite=Lax; Path=/; Max-Age={VISITOR_COOKIE_MAX_AGE_SECS}{secure}"
    ))
}

/// `Set-Cookie` that makes the browser drop the visitor id.
pub fn expire_visitor_cookie(request_headers: &HeaderMap, own_origin: &OwnOrigin) -> HeaderValue {
    let name = visitor_cookie_name(request_headers, own_origin);
    let secure = secure_attribute(request_headers, own_origin);
    cookie_header(&format!(
        "{name}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}"
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

    const ID: &str = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b";

    fn request(host: &'static str, cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        headers
    }

    #[test]
    fn reads_only_a_visitor_id_the_handler_signed() {
        let key = SigningKey::new(b"secret");
        let signed = format!("{ID}.{}", key.sign(Purpose::VisitorId, ID));
        let own = OwnOrigin::RequestHost;
        let headers = request(
            "127.0.0.1:8080",
            &format!("a=1; leadform_vid={signed}; hubspotutk=x"),
        );
        assert_eq!(visitor_id(&headers, &own, &key).as_deref(), Some(ID));
        assert_eq!(cookie_value(&headers, "hubspotutk"), Some("x"));
        assert_eq!(cookie_value(&headers, "missing"), None);
        for planted in [
            ID.to_owned(),
            format!("{ID}.{}", "0".repeat(64)),
            format!(
                "{ID}.{}",
                SigningKey::new(b"other").sign(Purpose::VisitorId, ID)
            ),
            format!("{ID}.{}", key.sign(Purpose::FormToken, ID)),
        ] {
            let headers = request("127.0.0.1:8080", &format!("leadform_vid={planted}"));
            assert_eq!(visitor_id(&headers, &own, &key), None, "{planted}");
        }
        // Secure: only the `__Host-` cookie counts.
        let headers = request("forms.example.com", &format!("leadform_vid={signed}"));
        assert_eq!(visitor_id(&headers, &own, &key), None);
        let headers = request(
            "forms.example.com",
            &format!("__Host-leadform_vid={signed}"),
        );
        assert_eq!(visitor_id(&headers, &own, &key).as_deref(), Some(ID));
    }

    fn key() -> SigningKey {
        SigningKey::new(b"secret")
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
            let cookie = set_visitor_cookie(&headers, &OwnOrigin::RequestHost, &key(), ID);
            let cookie = cookie.to_str().unwrap();
            assert_eq!(cookie.contains("Secure"), secure, "{host}");
            assert_eq!(cookie.starts_with("__Host-leadform_vid="), secure, "{host}");
        }
    }

    #[test]
    fn a_public_url_scheme_decides_secure_whatever_the_host() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let https = OwnOrigin::Public("https://forms.example.com".parse().unwrap());
        assert!(set_visitor_cookie(&headers, &https, &key(), ID)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(expire_visitor_cookie(&headers, &https)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        headers.insert(header::HOST, HeaderValue::from_static("forms.example.com"));
        let http = OwnOrigin::Public("http://forms.example.com".parse().unwrap());
        assert!(!set_visitor_cookie(&headers, &http, &key(), ID)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }
}
