//! What happens to every request before and after the router: the peer address for
//! `ConnectInfo`, the body deadline, and the request timeout. One place, so no handler can forget.

use super::deadline_body::{BodyDeadline, DeadlineBody};
use super::ServeLimits;
use crate::http::errors::ApiError;
use crate::http::security_headers::add_common_headers;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use std::net::SocketAddr;
use tower::ServiceExt;

/// Runs one request through the router under `limits`.
pub async fn serve_request(
    router: Router,
    limits: ServeLimits,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response {
    let deadline = BodyDeadline::default();
    let mut request = request.map(|body| {
        Body::new(DeadlineBody::new(
            body,
            limits.body_read_timeout,
            deadline.clone(),
        ))
    });
    request.extensions_mut().insert(ConnectInfo(peer));
    let answered = tokio::time::timeout(limits.request_timeout, router.oneshot(request)).await;
    let refusal = match answered {
        // Whatever the handler made of the failed read (a 400 for unreadable JSON, say), the
        // truth is that the client was too slow; and what it sent was not stored.
        Ok(Ok(_)) if deadline.passed() => ApiError::BodyTimeout {
            limit: limits.body_read_timeout,
        },
        Ok(Ok(response)) => return response,
        Ok(Err(infallible)) => match infallible {},
        // The handler's future is dropped: an open transaction rolls back; one that committed
        // stays, and the client's retry with the same submission id gets its answer.
        Err(_elapsed) => ApiError::RequestTimeout {
            limit: limits.request_timeout,
        },
    };
    tracing::warn!(
        outcome = refusal.code(),
        status = refusal.status().as_u16(),
        "request cut off"
    );
    let mut response = refusal.into_response();
    add_common_headers(response.headers_mut());
    // The rest of a late body may still be on its way: this connection cannot carry another request.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
