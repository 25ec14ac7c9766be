//! `POST /v1/leads`: the widget's JSON submission.
//!
//! Checks run cheapest and most certain first: size, JSON shape, form, origin, rate, then the
//! form's own rules. Nothing is stored unless every check passes. A repeated submission id gets the
//! first answer again (201 with the same body) and stores nothing new.

use super::admission::{admit, incoming_lead, SenderPage};
use super::checked_origin::{LeadOrigin, WithCors};
use super::cookies::set_visitor_cookie;
use super::cors::preflight_answer;
use super::errors::ApiError;
use super::visitor::SignedVisitor;
use super::{AppState, BODY_LIMIT_BYTES};
use crate::intake::{accept_lead, AcceptError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadform_core::{LeadSubmission, SubmissionError};
use std::net::SocketAddr;

pub async fn post_lead(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    origin: LeadOrigin,
    visitor: SignedVisitor,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match handle(&state, peer, &headers, &origin, visitor, body).await {
        Ok(accepted) => accepted.into_response(),
        Err(RefusedLead { form_id, answer }) => {
            let error = answer.answer();
            tracing::info!(
                form_id = form_id.as_deref().unwrap_or("-"),
                outcome = error.code(),
                status = error.status().as_u16(),
                "lead refused"
            );
            answer.into_response()
        }
    }
}

/// A refused lead: the form it named when that is a real form (never raw input: it could be
/// anything), and the answer, readable by the page when its origin may call.
struct RefusedLead {
    form_id: Option<String>,
    answer: WithCors<ApiError>,
}

async fn handle(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    origin: &LeadOrigin,
    visitor: SignedVisitor,
    body: Result<Bytes, BytesRejection>,
) -> Result<WithCors<Response>, RefusedLead> {
    // Before the form is known, a page some form allows may read why its post was refused.
    let unknown = |error| RefusedLead {
        form_id: None,
        answer: origin.answer(error),
    };
    let body = body.map_err(|rejection| {
        unknown(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge {
                limit_bytes: BODY_LIMIT_BYTES,
            }
        } else {
            ApiError::MalformedJson(rejection.body_text())
        })
    })?;
    let submission = parse_submission(&body).map_err(unknown)?;
    let form = state
        .forms
        .get(&submission.form_id)
        .cloned()
        .ok_or_else(|| unknown(ApiError::unknown_form(&submission.form_id)))?;
    let admitted =
        admit(state, peer, headers, &form, SenderPage::OriginHeader).map_err(|refusal| {
            RefusedLead {
                form_id: Some(form.id.clone()),
                answer: refusal.into(),
            }
        })?;
    let incoming = incoming_lead(&form, submission, &body, &admitted, headers, visitor);
    let accepted = accept_lead(&state.intake(), incoming)
        .await
        .map_err(|error| RefusedLead {
            form_id: Some(form.id.clone()),
            answer: WithCors::allowed(admitted.verdict.clone(), api_error(error)),
        })?;

    tracing::info!(
        form_id = %form.id,
        submission_id = %accepted.answer.submission_id,
        outcome = if accepted.repeat { "already_stored" } else if accepted.is_spam { "stored_as_spam" } else { "stored" },
        spam_reason = accepted.spam_reason.unwrap_or("-"),
        status = 201,
        "lead accepted"
    );
    let mut response = (StatusCode::CREATED, Json(&accepted.answer)).into_response();
    if let Some(visitor) = &accepted.new_visitor_id {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_visitor_cookie(headers, &state.own_origin, &state.signing_key, visitor),
        );
    }
    Ok(WithCors::allowed(admitted.verdict, response))
}

/// Parses the body, naming where the JSON went wrong: `fields.email: invalid type: integer ...`.
pub fn parse_submission(body: &[u8]) -> Result<LeadSubmission, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Result<LeadSubmission, _> = serde_path_to_error::deserialize(&mut deserializer);
    let submission = parsed.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_data() {
            if path == "." {
                ApiError::InvalidPayload(inner.to_string())
            } else {
                ApiError::InvalidPayload(format!("{path}: {inner}"))
            }
        } else {
            ApiError::MalformedJson(inner.to_string())
        }
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    Ok(submission)
}

pub fn api_error(error: AcceptError) -> ApiError {
    match error {
        AcceptError::Invalid(SubmissionError::Fields(errors)) => ApiError::InvalidFields(errors),
        AcceptError::Invalid(other) => ApiError::BadSubmission(other.to_string()),
        AcceptError::SubmissionIdReused => ApiError::SubmissionIdReused,
        AcceptError::Storage(error) => {
            tracing::error!(error = %error, "storing a lead failed");
            ApiError::StorageUnavailable
        }
    }
}

/// A preflight does not say which form it is for; the POST itself checks that form's list.
pub async fn preflight(origin: LeadOrigin) -> Response {
    match origin.0 {
        Ok(verdict) => preflight_answer(&verdict),
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_text_after_the_json_is_malformed() {
        let body =
            br#"{"form_id":"a","submission_id":"b","fields":{},"submitted_at":"c"} trailing"#;
        assert!(matches!(
            parse_submission(body),
            Err(ApiError::MalformedJson(_))
        ));
        let body = br#"{"form_id":"a","submission_id":"b","fields":{},"submitted_at":"c"}"#;
        assert!(parse_submission(body).is_ok());
    }

    #[test]
    fn a_missing_key_is_an_invalid_payload_naming_it() {
        let error = parse_submission(br#"{"form_id":"a"}"#).unwrap_err();
        assert!(
            matches!(&error, ApiError::InvalidPayload(m) if m.contains("missing field `submission_id`")),
            "{error}"
        );
    }
}
