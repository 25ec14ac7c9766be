//! The checked origin of an API request, as extractors, and the answer that carries its CORS
//! headers ([`WithCors`]). A route takes the extractor for its allow-list and wraps its answer;
//! none judges the `Origin` header or writes CORS headers by hand.
//!
//! - [`FormOrigin`]: `/v1/forms/{id}…`, the form named in the path;
//! - [`ProfileOrigin`]: `/v1/profile?form=`, the form named, or any form when none is;
//! - [`PageOrigin`]: `POST /v1/page-views`, any form, and an `Origin` header is required;
//! - [`LeadOrigin`]: `POST /v1/leads`, any form until the body names one (then `admit` judges it
//!   against that form's list).

use super::cors::{add_cors_headers, judge_origin, OriginVerdict};
use super::errors::ApiError;
use super::AppState;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use leadform_core::FormDefinition;
use serde::Deserialize;
use std::sync::Arc;

/// An answer and the verdict on the origin it goes to: the CORS headers are added for an allowed
/// origin, and none for a refused one.
#[derive(Debug)]
pub struct WithCors<R> {
    verdict: Option<OriginVerdict>,
    answer: R,
}

impl<R> WithCors<R> {
    /// `answer` for a caller whose origin passed the check.
    pub fn allowed(verdict: OriginVerdict, answer: R) -> Self {
        WithCors {
            verdict: Some(verdict),
            answer,
        }
    }

    /// `answer` without CORS headers: a page that may not call cannot read it either.
    pub fn refused(answer: R) -> Self {
        WithCors {
            verdict: None,
            answer,
        }
    }
}

impl<R> WithCors<R> {
    /// The answer itself, without its headers (to log a refusal before it is sent).
    pub fn answer(&self) -> &R {
        &self.answer
    }
}

impl<R: IntoResponse> IntoResponse for WithCors<R> {
    fn into_response(self) -> Response {
        let mut response = self.answer.into_response();
        if let Some(verdict) = &self.verdict {
            add_cors_headers(response.headers_mut(), verdict);
        }
        response
    }
}

impl From<ApiError> for WithCors<ApiError> {
    fn from(error: ApiError) -> Self {
        WithCors::refused(error)
    }
}

/// The form named in the path and the origin its `allowed_origins` (or the handler's own origin)
/// let in. An unknown form is a 404 that a page some form allows may read, so a listed site's
/// loader can say which form id is wrong.
#[derive(Debug)]
pub struct FormOrigin {
    pub form: Arc<FormDefinition>,
    pub verdict: OriginVerdict,
}

impl FromRequestParts<AppState> for FormOrigin {
    type Rejection = WithCors<ApiError>;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The router only sends `/v1/forms/{id}…` here; an id that is not UTF-8 names no form.
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::unknown_form("(not readable text)"))?;
        let Some(form) = state.forms.get(&id).cloned() else {
            let error = ApiError::unknown_form(&id);
            return Err(
                match judge_origin(&parts.headers, &state.own_origin, |origin| {
                    state.forms.any_allows_origin(origin)
                }) {
                    Ok(verdict) => WithCors::allowed(verdict, error),
                    Err(_) => WithCors::refused(error),
                },
            );
        };
        let verdict = judge_origin(&parts.headers, &state.own_origin, |origin| {
            form.allows_origin(origin)
        })?;
        Ok(FormOrigin { form, verdict })
    }
}

#[derive(Debug, Deserialize)]
struct ProfileQuery {
    /// Selects the form whose allow-list and prefill rules apply.
    form: Option<String>,
}

/// `?form=` on the profile routes: that form and the origin it allows; with no form named, an
/// origin some form allows.
#[derive(Debug)]
pub struct ProfileOrigin {
    pub form: Option<Arc<FormDefinition>>,
    pub verdict: OriginVerdict,
}

impl FromRequestParts<AppState> for ProfileOrigin {
    type Rejection = WithCors<ApiError>;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<ProfileQuery>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::InvalidParameter {
                name: "form",
                expected: "one form id",
            })?;
        let form = match query.form.as_deref() {
            Some(id) => Some(
                state
                    .forms
                    .get(id)
                    .cloned()
                    .ok_or_else(|| ApiError::unknown_form(id))?,
            ),
            None => None,
        };
        let verdict = judge_origin(&parts.headers, &state.own_origin, |origin| match &form {
            Some(form) => form.allows_origin(origin),
            None => state.forms.any_allows_origin(origin),
        })?;
        Ok(ProfileOrigin { form, verdict })
    }
}

/// An origin some form allows, for a call that only a browser page makes: a request without an
/// `Origin` header is refused too.
#[derive(Debug)]
pub struct PageOrigin(pub OriginVerdict);

impl FromRequestParts<AppState> for PageOrigin {
    type Rejection = WithCors<ApiError>;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(header::ORIGIN) {
            return Err(ApiError::OriginNotAllowed("(no Origin header)".into()).into());
        }
        let verdict = judge_origin(&parts.headers, &state.own_origin, |origin| {
            state.forms.any_allows_origin(origin)
        })?;
        Ok(PageOrigin(verdict))
    }
}

/// The origin of a lead post judged against every form's list, since only the body names the
/// form. It never rejects: the checks run size, JSON shape and form first, and `admit` then
/// judges the origin against the named form's own list. This verdict decides only whether a page
/// may read a refusal that comes before the form is known, and answers the preflight.
#[derive(Debug)]
pub struct LeadOrigin(pub Result<OriginVerdict, ApiError>);

impl LeadOrigin {
    /// `answer` with the CORS headers when some form allows the caller's origin.
    pub fn answer<R>(&self, answer: R) -> WithCors<R> {
        match &self.0 {
            Ok(verdict) => WithCors::allowed(verdict.clone(), answer),
            Err(_) => WithCors::refused(answer),
        }
    }
}

impl FromRequestParts<AppState> for LeadOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(LeadOrigin(judge_origin(
            &parts.headers,
            &state.own_origin,
            |origin| state.forms.any_allows_origin(origin),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn varying_by_language() -> Response {
        let mut response = StatusCode::OK.into_response();
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        response
    }

    #[test]
    fn an_allowed_answer_names_the_origin_and_keeps_what_else_it_varies_by() {
        let listed = OriginVerdict::Listed("https://www.example.com".into());
        let response = WithCors::allowed(listed, varying_by_language()).into_response();
        let headers = response.headers();
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://www.example.com"
        );
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        let vary: Vec<_> = headers.get_all(header::VARY).iter().collect();
        assert_eq!(vary, ["Accept-Language", "Origin"]);
    }

    #[test]
    fn a_refused_answer_carries_no_cors_headers() {
        let error = ApiError::OriginNotAllowed("https://evil.example.net".into());
        let response = WithCors::refused(error).into_response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(!response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
        assert!(!response.headers().contains_key(header::VARY));
    }

    #[test]
    fn with_no_origin_there_is_nothing_to_allow_but_caches_still_vary_by_it() {
        let response = WithCors::allowed(OriginVerdict::Absent, StatusCode::OK).into_response();
        assert!(!response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(response.headers()[header::VARY], "Origin");
    }
}
