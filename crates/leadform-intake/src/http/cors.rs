//! Which origins may call the API, and the CORS headers that tell the browser so.
//!
//! A request is allowed when it has no `Origin` (not a browser cross-origin call), when its origin is
//! the handler's own (`--public-url`, or else the request's `Host`, so the demo pages embed forms
//! same-origin on whatever port the demo runs), or when the form lists the origin in
//! `allowed_origins`. Credentials are allowed because the visitor
//! cookie must cross origins, so the answer names the exact origin, never `*`.

use super::errors::ApiError;
use super::own_origin::OwnOrigin;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE_SECS: u32 = 600;

/// The outcome of checking a request's `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginVerdict {
    /// No `Origin` header: a same-origin GET, a server-side client, or curl.
    Absent,
    /// The page calling is served by this handler.
    SameOrigin(String),
    /// A listed embedding site.
    Listed(String),
}

impl OriginVerdict {
    fn origin(&self) -> Option<&str> {
        match self {
            OriginVerdict::Absent => None,
            OriginVerdict::SameOrigin(origin) | OriginVerdict::Listed(origin) => Some(origin),
        }
    }
}

/// Checks the `Origin` header; `is_listed` says whether the relevant allow-list has it.
pub fn judge_origin(
    headers: &HeaderMap,
    own_origin: &OwnOrigin,
    is_listed: impl Fn(&str) -> bool,
) -> Result<OriginVerdict, ApiError> {
    judge_origin_value(headers.get(header::ORIGIN), headers, own_origin, is_listed)
}

/// Checks `origin` as if it were the request's `Origin` (a form post's `Referer` stands in for a
/// missing one); `headers` give the `Host` the handler was addressed by.
pub fn judge_origin_value(
    origin: Option<&HeaderValue>,
    headers: &HeaderMap,
    own_origin: &OwnOrigin,
    is_listed: impl Fn(&str) -> bool,
) -> Result<OriginVerdict, ApiError> {
    let Some(origin) = origin else {
        return Ok(OriginVerdict::Absent);
    };
    let origin = origin
        .to_str()
        .map_err(|_| ApiError::OriginNotAllowed("(not readable text)".into()))?;
    if own_origin.is_own(origin, headers) {
        return Ok(OriginVerdict::SameOrigin(origin.to_owned()));
    }
    if is_listed(origin) {
        return Ok(OriginVerdict::Listed(origin.to_owned()));
    }
    // The origin is echoed in the message; cap it so a hostile header cannot bloat the answer.
    Err(ApiError::OriginNotAllowed(
        origin.chars().take(200).collect(),
    ))
}

/// Adds the CORS answer headers for an allowed request.
pub fn add_cors_headers(headers: &mut HeaderMap, verdict: &OriginVerdict) {
    // Appended: the answer may vary by other headers as well (`Accept-Language`).
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = verdict.origin() {
        if let Ok(value) = HeaderValue::from_str(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// 204 for a preflight whose origin passed: the methods and headers it may use, and for how long.
pub fn preflight_answer(verdict: &OriginVerdict) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    add_cors_headers(out, verdict);
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from(PREFLIGHT_MAX_AGE_SECS),
    );
    response
}
