//! `GET /v1/profile?form={id}` and `DELETE /v1/profile`: what the handler remembers about the visitor
//! behind the signed visitor cookie, for progressive profiling and "Not you?".
//!
//! A profile is personal data, so `GET` answers only a browser page the form allows: an `Origin`
//! in the form's `allowed_origins` (or the handler's own), or a same-origin request, which browsers
//! send without `Origin` but with `Sec-Fetch-Site: same-origin`. Anything else (curl, a server, an
//! old browser) is refused. It shows only the asking form's fields, never another form's answers.

use super::cookies::{expire_visitor_cookie, new_visitor_id, set_visitor_cookie};
use super::cors::{add_cors_headers, judge_origin, preflight as cors_preflight, OriginVerdict};
use super::errors::ApiError;
use super::visitor::SignedVisitor;
use super::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadform_core::{FormDefinition, KnownProfile, StoragePolicy};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub struct ProfileQuery {
    /// Selects the form whose allow-list and prefill rules apply.
    pub form: Option<String>,
}

pub async fn get_profile(
    State(state): State<AppState>,
    Query(query): Query<ProfileQuery>,
    SignedVisitor(cookie): SignedVisitor,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let form_id = query.form.ok_or(ApiError::MissingParameter("form"))?;
    let form = state
        .forms
        .get(&form_id)
        .cloned()
        .ok_or_else(|| ApiError::UnknownForm(form_id.chars().take(64).collect()))?;
    let verdict = judge_origin(&headers, &state.own_origin, |origin| {
        form.allows_origin(origin)
    })?;
    if verdict == OriginVerdict::Absent && !is_same_origin_fetch(&headers) {
        return Err(ApiError::OriginRequired);
    }
    let mut new_cookie = None;
    let profile = match (form.storage, cookie) {
        // A `never` form shows nothing remembered, even to a visitor known from another form.
        (StoragePolicy::Never, _) => KnownProfile::default(),
        (_, Some(visitor)) => display_profile(&state, &form, &visitor).await?,
        // Only `always` may start remembering a visitor before they consented to anything.
        (StoragePolicy::Always, None) => {
            new_cookie = Some(new_visitor_id());
            KnownProfile::default()
        }
        (StoragePolicy::AfterConsent, None) => KnownProfile::default(),
    };
    let mut response = Json(profile).into_response();
    finish(&mut response, &verdict);
    if let Some(visitor) = new_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_visitor_cookie(&headers, &state.own_origin, &state.signing_key, &visitor),
        );
    }
    Ok(response)
}

async fn display_profile(
    state: &AppState,
    form: &Arc<FormDefinition>,
    visitor: &str,
) -> Result<KnownProfile, ApiError> {
    let stored = state
        .store
        .visitor_profile(visitor)
        .await
        .map_err(|error| {
            tracing::error!(error = %error, "reading a visitor profile failed");
            ApiError::StorageUnavailable
        })?;
    let mut shown = stored.for_display(&form.fields);
    // Names the form does not have are another form's business.
    shown
        .known
        .retain(|name| form.fields.iter().any(|field| &field.name == name));
    Ok(shown)
}

/// A same-origin `fetch` carries no `Origin` on GET; the browser marks it with `Sec-Fetch-Site`,
/// which page scripts cannot set.
fn is_same_origin_fetch(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|value| value.as_bytes() == b"same-origin")
}

/// "Not you?": forget the visitor's stored profile and drop the cookie.
pub async fn forget_profile(
    State(state): State<AppState>,
    Query(query): Query<ProfileQuery>,
    SignedVisitor(visitor): SignedVisitor,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let verdict = match query.form.as_deref() {
        Some(id) => {
            let form = state
                .forms
                .get(id)
                .ok_or_else(|| ApiError::UnknownForm(id.chars().take(64).collect()))?;
            judge_origin(&headers, &state.own_origin, |origin| {
                form.allows_origin(origin)
            })?
        }
        None => judge_origin(&headers, &state.own_origin, |origin| {
            state.forms.any_allows_origin(origin)
        })?,
    };
    if let Some(visitor) = visitor {
        state
            .store
            .forget_visitor(&visitor)
            .await
            .map_err(|error| {
                tracing::error!(error = %error, "forgetting a visitor failed");
                ApiError::StorageUnavailable
            })?;
        tracing::info!(
            outcome = "visitor_forgotten",
            status = 204,
            "profile forgotten"
        );
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    finish(&mut response, &verdict);
    response.headers_mut().append(
        header::SET_COOKIE,
        expire_visitor_cookie(&headers, &state.own_origin),
    );
    Ok(response)
}

fn finish(response: &mut Response, verdict: &OriginVerdict) {
    add_cors_headers(response.headers_mut(), verdict);
    // The answer depends on the cookie: no shared cache may keep it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub async fn preflight(
    State(state): State<AppState>,
    Query(query): Query<ProfileQuery>,
    headers: HeaderMap,
) -> Response {
    match query.form.as_deref().map(|id| state.forms.get(id)) {
        Some(Some(form)) => cors_preflight(&headers, &state.own_origin, |origin| {
            form.allows_origin(origin)
        }),
        Some(None) => ApiError::UnknownForm("(unknown)".into()).into_response(),
        None => cors_preflight(&headers, &state.own_origin, |origin| {
            state.forms.any_allows_origin(origin)
        }),
    }
}
