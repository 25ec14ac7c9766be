//! Every refusal of the JSON API, as one enum mapped to a status and a JSON body:
//! `{"error": {"code", "message"}}`, or for field problems 422 `{"errors": {field: {code, message}}}`.

use crate::metrics::SubmissionOutcome;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadform_core::FieldErrors;
use serde_json::json;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("the request body is larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the body does not match the lead payload: {0}")]
    InvalidPayload(String),
    #[error("there is no form `{0}`")]
    UnknownForm(String),
    #[error("the origin `{0}` may not use this form")]
    OriginNotAllowed(String),
    #[error("only a page that may embed this form can read the visitor's profile, and the request named no page (no Origin header)")]
    OriginRequired,
    #[error("too many submissions from this address; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    BadSubmission(String),
    #[error("the query parameter `{0}` is required")]
    MissingParameter(&'static str),
    #[error("the query parameter `{name}` must be {expected}")]
    InvalidParameter {
        name: &'static str,
        expected: &'static str,
    },
    #[error("some fields are invalid")]
    InvalidFields(FieldErrors),
    #[error("this submission id was already used for a different submission; make a new one")]
    SubmissionIdReused,
    #[error("the lead could not be stored right now; nothing was saved, please try again")]
    StorageUnavailable,
    #[error(
        "the request body did not arrive within {} seconds; nothing was saved",
        .limit.as_secs_f64()
    )]
    BodyTimeout { limit: std::time::Duration },
    #[error(
        "the request took longer than {} seconds; try again (a retry with the same submission id is stored once)",
        .limit.as_secs_f64()
    )]
    RequestTimeout { limit: std::time::Duration },
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MalformedJson(_)
            | ApiError::InvalidPayload(_)
            | ApiError::BadSubmission(_)
            | ApiError::MissingParameter(_)
            | ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnknownForm(_) => StatusCode::NOT_FOUND,
            ApiError::OriginNotAllowed(_) | ApiError::OriginRequired => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::SubmissionIdReused => StatusCode::CONFLICT,
            ApiError::StorageUnavailable | ApiError::RequestTimeout { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// A stable, machine-readable code for programs (the widget picks its message by it).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidPayload(_) => "invalid_payload",
            ApiError::UnknownForm(_) => "unknown_form",
            ApiError::OriginNotAllowed(_) => "origin_not_allowed",
            ApiError::OriginRequired => "origin_required",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::BadSubmission(_) => "bad_submission",
            ApiError::MissingParameter(_) => "missing_parameter",
            ApiError::InvalidParameter { .. } => "invalid_parameter",
            ApiError::InvalidFields(_) => "invalid_fields",
            ApiError::SubmissionIdReused => "submission_id_reused",
            ApiError::StorageUnavailable => "storage_unavailable",
            ApiError::BodyTimeout { .. } => "body_timeout",
            ApiError::RequestTimeout { .. } => "request_timeout",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::InvalidFields(errors) => json!({ "errors": errors }),
            other => json!({ "error": { "code": other.code(), "message": other.to_string() } }),
        };
        let mut response = (status, Json(body)).into_response();
        response
            .extensions_mut()
            .insert(SubmissionOutcome(self.code()));
        if let ApiError::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}
