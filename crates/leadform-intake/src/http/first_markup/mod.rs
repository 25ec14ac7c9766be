//! `GET /v1/forms/{id}/embed?mount=lfN`: everything the loader needs to show the form at once and
//! the widget needs to take it over, in one answer: the form's markup (the widget's own, rendered
//! here), its public definition (so the widget fetches nothing at boot), and the form token.
//! `GET /v1/forms/{id}` stays for API clients.

mod language;
mod render;
mod returning_visitor;

use super::checked_origin::{FormOrigin, WithCors};
use super::errors::ApiError;
use super::requested_locale::RequestedLocale;
use super::visitor::SignedVisitor;
use super::AppState;
use crate::form_token::FormToken;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

/// The loader's request: which mount on the page this is (`lf1`, `lf2`, …), for unique ids, and
/// the visitor's languages in the widget's order (`data-locale`, `<html lang>`,
/// `navigator.languages`), comma-separated.
#[derive(Debug, Deserialize)]
pub struct FirstMarkupQuery {
    mount: Option<String>,
    languages: Option<String>,
}

/// The answer. `form_token` is the signed token of the hardening issue (also in `definition`).
#[derive(Debug, Serialize)]
pub struct FirstMarkup {
    /// The definition with the marketer's texts in `locale`.
    pub definition: leadform_core::PublicFormDefinition,
    /// The language the markup speaks: the one the widget negotiates from the same preferences.
    pub locale: leadform_core::Locale,
    pub mount: String,
    pub html: String,
    pub form_token: Option<String>,
    /// What the handler remembers about this returning visitor (as `GET /v1/profile?form=`
    /// answers), `null` when nothing or when they may not be recognised here. The markup already
    /// shows their view; the widget takes over with it and fetches no profile.
    pub profile: Option<leadform_core::KnownProfile>,
}

const MOUNT_EXPECTED: &str = "`lf` followed by 1 to 6 digits, like lf1";

/// `lf1` … `lf999999`: what the widget's ids start with, so they cannot break out of an attribute.
fn valid_mount(mount: &str) -> bool {
    mount
        .strip_prefix("lf")
        .is_some_and(|n| (1..=6).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
}

pub async fn get_first_markup(
    State(state): State<AppState>,
    FormOrigin { form, verdict }: FormOrigin,
    Query(query): Query<FirstMarkupQuery>,
    requested: RequestedLocale,
    SignedVisitor(cookie): SignedVisitor,
    headers: HeaderMap,
) -> WithCors<Response> {
    let mount = query.mount.unwrap_or_else(|| "lf1".to_owned());
    if !valid_mount(&mount) {
        let error = ApiError::InvalidParameter {
            name: "mount",
            expected: MOUNT_EXPECTED,
        };
        return WithCors::allowed(verdict, error.into_response());
    }
    let locale =
        language::first_markup_locale(&requested, query.languages.as_deref(), form.default_locale);
    let mut definition = form.translated(locale).public_view();
    // The widget ships English only; this is how it speaks the visitor's language.
    definition.catalogue = leadform_core::CatalogueTable::compiled(locale);
    // The server's own record of when this visitor was given the form (see crate::form_token):
    // the widget posts it back from the definition, a native fallback post from `form_token`.
    let form_token = FormToken::issue(&state.signing_key, &form.id, state.clock.now_ms());
    definition.form_token = Some(form_token.clone());
    // A returning visitor's view: the questions the widget would ask them, their greeting.
    let visitor =
        returning_visitor::returning_visitor(&state, &form, &verdict, cookie, &headers).await;
    let known = visitor.profile.clone().unwrap_or_default();
    let html = render::form(&definition, &mount, locale, &known).into_string();
    let mut response = Json(FirstMarkup {
        definition,
        locale,
        mount,
        html,
        form_token: Some(form_token),
        profile: visitor.profile,
    })
    .into_response();
    if let Some(cookie) = visitor.set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    // It will carry a form token: never stored by the browser or a proxy.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Without `languages`, the browser's `Accept-Language` chose the language. (WithCors appends
    // `Vary: Origin` to this.)
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    WithCors::allowed(verdict, response)
}

#[cfg(test)]
mod tests {
    use super::valid_mount;

    #[test]
    fn mount_names_cannot_carry_markup() {
        assert!(valid_mount("lf1"));
        assert!(valid_mount("lf123456"));
        assert!(!valid_mount("lf"));
        assert!(!valid_mount("lf1234567"));
        assert!(!valid_mount("lf1\"><script>"));
        assert!(!valid_mount("x1"));
    }
}
