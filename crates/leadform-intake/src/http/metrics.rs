//! `GET /metrics` and the layer that times every request and counts every submission's outcome.

use super::AppState;
use crate::clock::now_ms;
use crate::metrics::{self, RequestKey, SubmissionChannel, SubmissionOutcome};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.outbox_summary().await {
        Ok(outbox) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            metrics::render(&state.metrics, &outbox, now_ms()),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "metrics: cannot read the outbox");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the outbox cannot be read: {error}\n"),
            )
                .into_response()
        }
    }
}

/// Times the request under its route pattern and, for the two submission routes, counts the
/// outcome the handler put in the response (or one read from the status).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "static".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    if let Some(channel) = submission_channel(&method, &route) {
        let outcome = response
            .extensions()
            .get::<SubmissionOutcome>()
            .copied()
            .unwrap_or_else(|| outcome_from_status(status));
        state.metrics.count_submission(channel, outcome);
    }
    state.metrics.observe_request(
        RequestKey {
            route,
            method: method.as_str().to_owned(),
            status_class: metrics::status_class(status.as_u16()),
        },
        started.elapsed().as_secs_f64(),
    );
    response
}

fn submission_channel(method: &Method, route: &str) -> Option<SubmissionChannel> {
    if method != Method::POST {
        return None;
    }
    match route {
        "/v1/leads" => Some(SubmissionChannel::Api),
        "/v1/forms/{id}/fallback" => Some(SubmissionChannel::Fallback),
        _ => None,
    }
}

/// For answers that carry no outcome: the fallback form's pages and redirects.
fn outcome_from_status(status: StatusCode) -> SubmissionOutcome {
    SubmissionOutcome(match status.as_u16() {
        200..=399 => "accepted",
        400 => "bad_request",
        403 => "origin_not_allowed",
        404 => "unknown_form",
        409 => "submission_id_reused",
        413 => "payload_too_large",
        422 => "invalid_fields",
        429 => "rate_limited",
        503 => "storage_unavailable",
        _ => "error",
    })
}
