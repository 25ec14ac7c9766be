//! The session cookie: `__Host-leadform_session` (Secure, Path=/) over https, a plain
//! `leadform_session` on loopback http where a Secure cookie would never be stored; always
//! HttpOnly and SameSite=Strict. The login form's CSRF cookie follows the same rule.

use crate::same_origin::is_loopback_host;
use crate::state::PublicOrigin;
use axum::http::{header, HeaderMap, HeaderValue};

const SECURE_SESSION: &str = "__Host-leadform_session";
const PLAIN_SESSION: &str = "leadform_session";
const SECURE_LOGIN_CSRF: &str = "__Host-leadform_login_csrf";
const PLAIN_LOGIN_CSRF: &str = "leadform_login_csrf";
/// Long enough to type a password, short enough not to linger.
const LOGIN_CSRF_MAX_AGE_SECS: u64 = 30 * 60;

/// With `--public-url` its scheme decides; otherwise Secure everywhere but on a loopback host.
pub fn is_secure(headers: &HeaderMap, public_origin: Option<&PublicOrigin>) -> bool {
    match public_origin {
        Some(public) => public.https,
        None => !is_loopback_host(headers),
    }
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION
    } else {
        PLAIN_SESSION
    }
}

fn login_csrf_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_LOGIN_CSRF
    } else {
        PLAIN_LOGIN_CSRF
    }
}

/// The value of cookie `name` in the request.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let max_age = max_age.map_or(String::new(), |secs| format!("; Max-Age={secs}"));
    let secure = if secure { "; Secure" } else { "" };
    // Built from constants and base64url tokens only, so always a valid header value.
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A session cookie that lives as long as the browser (the server ends the session itself).
pub fn set_session(token: &str, secure: bool) -> HeaderValue {
    set_cookie(session_cookie_name(secure), token, None, secure)
}

pub fn clear_session(secure: bool) -> HeaderValue {
    set_cookie(session_cookie_name(secure), "", Some(0), secure)
}

pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie_value(headers, session_cookie_name(secure)).filter(|t| !t.is_empty())
}

pub fn set_login_csrf(token: &str, secure: bool) -> HeaderValue {
    set_cookie(
        login_csrf_cookie_name(secure),
        token,
        Some(LOGIN_CSRF_MAX_AGE_SECS),
        secure,
    )
}

pub fn clear_login_csrf(secure: bool) -> HeaderValue {
    set_cookie(login_csrf_cookie_name(secure), "", Some(0), secure)
}

pub fn login_csrf(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie_value(headers, login_csrf_cookie_name(secure)).filter(|t| !t.is_empty())
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> Option<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Compares two secrets in time that depends only on their lengths.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}
