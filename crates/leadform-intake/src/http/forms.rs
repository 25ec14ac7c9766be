//! `GET /v1/forms/{id}`: the public view of a definition (no asset URL, destinations or allow-lists),
//! with a fresh signed `form_token`.

use super::checked_origin::{FormOrigin, WithCors};
use super::cors::preflight_answer;
use super::requested_locale::RequestedLocale;
use super::AppState;
use crate::form_token::FormToken;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn get_form(
    State(state): State<AppState>,
    FormOrigin { form, verdict }: FormOrigin,
    requested: RequestedLocale,
) -> WithCors<Response> {
    // The marketer's texts in the visitor's language (`?locale=`, then `Accept-Language`).
    let locale = requested.negotiate(form.default_locale);
    let mut definition = form.translated(locale).public_view();
    // The widget ships English only; this is how it speaks the visitor's language.
    definition.catalogue = leadform_core::CatalogueTable::compiled(locale);
    // The server's own record of when this visitor was given the form (see crate::form_token).
    definition.form_token = Some(FormToken::issue(
        &state.signing_key,
        &form.id,
        state.clock.now_ms(),
    ));
    let mut response = Json(definition).into_response();
    let headers = response.headers_mut();
    // Every answer carries its own token: no cache may hand one to a second visitor.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    WithCors::allowed(verdict, response)
}

/// `OPTIONS /v1/forms/{id}` and `/v1/forms/{id}/embed`.
pub async fn preflight(FormOrigin { verdict, .. }: FormOrigin) -> Response {
    preflight_answer(&verdict)
}
