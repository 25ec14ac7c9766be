//! `GET /v1/profile?form={id}` and `DELETE /v1/profile`: what the handler remembers about the visitor
//! behind the signed visitor cookie, for progressive profiling and "Not you?".
//!
//! A profile is personal data, so `GET` answers only a browser page the form allows: an `Origin`
//! in the form's `allowed_origins` (or the handler's own), or a same-origin request, which browsers
//! send without `Origin` but with `Sec-Fetch-Site: same-origin`. Anything else (curl, a server, an
//! old browser) is refused. It shows only the asking form's fields, never another form's answers.

use super::checked_origin::{ProfileOrigin, WithCors};
use super::cookies::{expire_visitor_cookie, set_visitor_cookie};
use super::cors::{preflight_answer, OriginVerdict};
use super::errors::ApiError;
use super::visitor::SignedVisitor;
use super::AppState;
use crate::visitor_id::new_visitor_id;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadform_core::{FormDefinition, KnownProfile, StoragePolicy};
use std::sync::Arc;

pub async fn get_profile(
    State(state): State<AppState>,
    ProfileOrigin { form, verdict }: ProfileOrigin,
    SignedVisitor(cookie): SignedVisitor,
    headers: HeaderMap,
) -> Result<WithCors<Response>, ApiError> {
    let form = form.ok_or(ApiError::MissingParameter("form"))?;
    if verdict == OriginVerdict::Absent && !is_same_origin_fetch(&headers) {
        return Err(ApiError::OriginRequired);
    }
    let Remembered {
        profile,
        new_visitor: new_cookie,
    } = remembered(&state, &form, cookie).await?;
    let mut response = Json(profile).into_response();
    not_stored(&mut response);
    if let Some(visitor) = new_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_visitor_cookie(&headers, &state.own_origin, &state.signing_key, &visitor),
        );
    }
    Ok(WithCors::allowed(verdict, response))
}

/// What the handler remembers about a visitor for one form, under its storage policy, and the
/// visitor id to set a cookie for when the form may start remembering them now. Shared by
/// `GET /v1/profile` and the first markup, so both follow the same rules.
pub(super) struct Remembered {
    pub profile: KnownProfile,
    pub new_visitor: Option<String>,
}

pub(super) async fn remembered(
    state: &AppState,
    form: &Arc<FormDefinition>,
    cookie: Option<String>,
) -> Result<Remembered, ApiError> {
    let mut new_visitor = None;
    let profile = match (form.storage, cookie) {
        // A `never` form shows nothing remembered, even to a visitor known from another form.
        (StoragePolicy::Never, _) => KnownProfile::default(),
        (_, Some(visitor)) => display_profile(state, form, &visitor).await?,
        // Only `always` may start remembering a visitor before they consented to anything.
        (StoragePolicy::Always, None) => {
            new_visitor = Some(new_visitor_id());
            KnownProfile::default()
        }
        (StoragePolicy::AfterConsent, None) => KnownProfile::default(),
    };
    Ok(Remembered {
        profile,
        new_visitor,
    })
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
pub(super) fn is_same_origin_fetch(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|value| value.as_bytes() == b"same-origin")
}

/// "Not you?": forget the visitor's stored profile and drop the cookie.
pub async fn forget_profile(
    State(state): State<AppState>,
    ProfileOrigin { verdict, .. }: ProfileOrigin,
    SignedVisitor(visitor): SignedVisitor,
    headers: HeaderMap,
) -> Result<WithCors<Response>, ApiError> {
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
    not_stored(&mut response);
    response.headers_mut().append(
        header::SET_COOKIE,
        expire_visitor_cookie(&headers, &state.own_origin),
    );
    Ok(WithCors::allowed(verdict, response))
}

/// The answer depends on the cookie: no shared cache may keep it.
fn not_stored(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `OPTIONS /v1/profile`: for the form named by `?form=`, or for any form when none is.
pub async fn preflight(ProfileOrigin { verdict, .. }: ProfileOrigin) -> Response {
    preflight_answer(&verdict)
}
