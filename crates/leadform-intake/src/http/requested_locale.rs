//! The visitor's language as a request states it: `?locale=` first, then `Accept-Language`.
//!
//! The form's `default_locale` comes after both, so the handler finishes the choice with
//! [`RequestedLocale::negotiate`] once it knows the form.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use leadform_core::locale::parse_accept_language;
use leadform_core::{negotiate, Locale, LocalePreferences};
use std::convert::Infallible;

/// What a request says about the language to answer in. Never refuses a request: a malformed
/// header or query simply states no preference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedLocale {
    /// `?locale=` on the URL.
    pub explicit: Option<String>,
    /// `Accept-Language`, most wanted first.
    pub browser: Vec<String>,
}

impl RequestedLocale {
    /// The language to speak, given the form's default (or none, for pages without a form).
    pub fn negotiate(&self, form_default: Option<Locale>) -> Locale {
        negotiate(&LocalePreferences {
            explicit: self.explicit.as_deref(),
            page: None,
            browser: self.browser.clone(),
            form_default,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestedLocale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let explicit = parts.uri.query().and_then(|query| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .ok()?
                .into_iter()
                .find_map(|(name, value)| (name == "locale").then_some(value))
        });
        let browser = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(parse_accept_language)
            .unwrap_or_default();
        Ok(RequestedLocale { explicit, browser })
    }
}
