//! `GET /v1/forms/{id}`: the public view of a definition (no asset URL, destinations or allow-lists),
//! with a fresh signed `form_token`.

use super::cors::{add_cors_headers, judge_origin, preflight as cors_preflight};
use super::errors::ApiError;
use super::AppState;
use crate::form_token::FormToken;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn get_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(form) = state.forms.get(&id) else {
        // A listed site's loader must be able to read the 404 to say which form id is wrong.
        let mut response = ApiError::UnknownForm(id.chars().take(64).collect()).into_response();
        if let Ok(verdict) = judge_origin(&headers, &state.own_origin, |o| {
            state.forms.any_allows_origin(o)
        }) {
            add_cors_headers(response.headers_mut(), &verdict);
        }
        return Ok(response);
    };
    let verdict = judge_origin(&headers, &state.own_origin, |origin| {
        form.allows_origin(origin)
    })?;
    let mut definition = form.public_view();
    // The server's own record of when this visitor was given the form (see crate::form_token).
    definition.form_token = Some(FormToken::issue(
        &state.signing_key,
        &form.id,
        state.clock.now_ms(),
    ));
    let mut response = Json(definition).into_response();
    // Every answer carries its own token: no cache may hand one to a second visitor.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    add_cors_headers(response.headers_mut(), &verdict);
    Ok(response)
}

pub async fn preflight(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.forms.get(&id) {
        Some(form) => cors_preflight(&headers, &state.own_origin, |origin| {
            form.allows_origin(origin)
        }),
        None => ApiError::UnknownForm(id.chars().take(64).collect()).into_response(),
    }
}
