//! `POST /v1/page-views`: the loader on a page without a form reports a visit, which scores as a
//! returning visit (and a landing from an email when the page URL says `utm_medium=email`).
//!
//! Recorded only when all of these hold; otherwise the answer is the same 204 and nothing is kept:
//! the browser does not send `Sec-GPC: 1`; the page's origin is one some form allows (anything else
//! is refused with 403); the `leadform_vid` cookie names a visitor who submitted a lead; and every
//! form that visitor submitted allowed remembering them (its storage policy, with consent where
//! it requires consent).

use super::cors::{add_cors_headers, judge_origin};
use super::errors::ApiError;
use super::visitor::SignedVisitor;
use super::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use leadform_scoring::ScoreEventKind;
use leadform_store::NewScoreEvent;
use serde::Deserialize;
use std::convert::Infallible;

/// Longest page URL recorded; browsers send longer ones only for junk.
const MAX_PAGE_URL_CHARS: usize = 2048;

/// The browser's Global Privacy Control signal (`Sec-GPC: 1`): the visitor opted out of tracking.
pub struct GlobalPrivacyControl(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for GlobalPrivacyControl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let opted_out = parts
            .headers
            .get("sec-gpc")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim() == "1");
        Ok(GlobalPrivacyControl(opted_out))
    }
}

/// What the loader sends (as `text/plain`, so the browser needs no preflight).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageView {
    page_url: String,
}

pub async fn post_page_view(
    State(state): State<AppState>,
    GlobalPrivacyControl(opted_out): GlobalPrivacyControl,
    SignedVisitor(visitor): SignedVisitor,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    // A page view only ever comes from a browser, so a missing Origin is refused as well.
    if headers.get(axum::http::header::ORIGIN).is_none() {
        return Err(ApiError::OriginNotAllowed("(no Origin header)".into()));
    }
    let verdict = judge_origin(&headers, &state.own_origin, |origin| {
        state.forms.any_allows_origin(origin)
    })?;
    let view: PageView =
        serde_json::from_str(&body).map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    let page_url = view.page_url.trim();
    if page_url.chars().count() > MAX_PAGE_URL_CHARS
        || !(page_url.starts_with("https://") || page_url.starts_with("http://"))
    {
        return Err(ApiError::InvalidPayload(
            "page_url: must be an http(s) URL of at most 2048 characters".into(),
        ));
    }
    if !opted_out {
        if let Some(visitor) = visitor {
            record_visit(&state, &visitor, page_url).await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    add_cors_headers(response.headers_mut(), &verdict);
    Ok(response)
}

/// The person behind a signed visitor id whose behaviour may be scored: one the handler knows from
/// a stored lead, and only when every form that visitor submitted allows remembering them (with
/// consent where a form requires it). `None` otherwise: unknown visitors are never tracked.
pub(crate) async fn scorable_person(
    state: &AppState,
    visitor: &str,
) -> Result<Option<i64>, leadform_store::StoreError> {
    let leads = state.store.visitor_leads(visitor).await?;
    let allowed = !leads.is_empty()
        && leads.iter().all(|lead| {
            state
                .forms
                .get(&lead.form_id)
                .is_some_and(|form| form.storage.allows(lead.consent))
        });
    Ok(leads
        .iter()
        .find_map(|lead| lead.person_id)
        .filter(|_| allowed))
}

/// Records the visit for the visitor's person when every form they submitted allows it.
async fn record_visit(state: &AppState, visitor: &str, page_url: &str) -> Result<(), ApiError> {
    let unavailable = |error: leadform_store::StoreError| {
        tracing::error!(error = %error, "recording a page view failed");
        ApiError::StorageUnavailable
    };
    let Some(person_id) = scorable_person(state, visitor).await.map_err(unavailable)? else {
        return Ok(());
    };
    let at_ms = state.clock.now_ms();
    let mut events = vec![NewScoreEvent::new(
        person_id,
        ScoreEventKind::ReturningVisit,
        at_ms,
    )];
    if landed_from_email(page_url) {
        events.push(NewScoreEvent::new(
            person_id,
            ScoreEventKind::EmailLanding,
            at_ms,
        ));
    }
    for event in &mut events {
        event.detail = Some(page_url.to_owned());
    }
    state
        .store
        .record_score_events(&state.scoring, person_id, events)
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// `utm_medium=email` in the page URL's query (case-insensitive value).
pub fn landed_from_email(page_url: &str) -> bool {
    let query = page_url
        .split_once('?')
        .map(|(_, rest)| rest.split('#').next().unwrap_or(""))
        .unwrap_or("");
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .iter()
        .any(|(key, value)| key == "utm_medium" && value.trim().eq_ignore_ascii_case("email"))
}

#[cfg(test)]
mod tests {
    use super::landed_from_email;

    #[test]
    fn only_utm_medium_email_is_an_email_landing() {
        assert!(landed_from_email(
            "https://www.example.com/?utm_source=nl&utm_medium=Email"
        ));
        assert!(!landed_from_email(
            "https://www.example.com/?utm_medium=cpc#utm_medium=email"
        ));
        assert!(!landed_from_email("https://www.example.com/email"));
    }
}
