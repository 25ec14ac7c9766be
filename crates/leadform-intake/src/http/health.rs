//! `GET /healthz` (the process answers) and `GET /readyz` (its database answers and carries the
//! schema this binary expects), for load balancers and orchestrators. Plain text, never cached.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;

const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

pub async fn healthz() -> Response {
    (StatusCode::OK, [NO_STORE], "ok\n").into_response()
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.readiness().await {
        Ok(()) => (StatusCode::OK, [NO_STORE], "ready\n").into_response(),
        Err(not_ready) => {
            tracing::warn!(reason = %not_ready, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [NO_STORE],
                format!("not ready: {not_ready}\n"),
            )
                .into_response()
        }
    }
}
