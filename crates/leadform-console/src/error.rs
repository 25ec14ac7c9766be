//! The console's one error type. Each variant renders as a page with the right status; a visitor
//! who is not logged in is sent to the login page instead.

use crate::layout;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leadform_store::ConsoleStoreError;
use maud::html;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("the console is off until a user exists")]
    Disabled,
    #[error("not logged in")]
    NotLoggedIn { return_to: String },
    #[error("only admins may do this")]
    AdminsOnly,
    #[error(
        "this form is out of date or was not sent by the console; reload the page and try again"
    )]
    CsrfRejected,
    #[error("requests from other sites are refused")]
    CrossOrigin,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("too many failed logins; try again in {minutes} minute(s)")]
    Throttled { minutes: i64 },
    #[error("the database failed: {0}")]
    Store(#[from] ConsoleStoreError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, title) = match &self {
            ConsoleError::NotLoggedIn { return_to } => {
                let target = if return_to.starts_with("/console/") && return_to != "/console/" {
                    format!("/console/login?next={}", encode_query_value(return_to))
                } else {
                    "/console/login".to_owned()
                };
                return Redirect::to(&target).into_response();
            }
            ConsoleError::Store(ConsoleStoreError::UnknownLead(_)) => {
                (StatusCode::NOT_FOUND, "Not found")
            }
            ConsoleError::Store(
                ConsoleStoreError::ReasonRequired
                | ConsoleStoreError::ReasonOnlyWhenClosed
                | ConsoleStoreError::UnknownOwner(_)
                | ConsoleStoreError::NotRetryable(_),
            ) => (StatusCode::UNPROCESSABLE_ENTITY, "That cannot be done"),
            ConsoleError::Store(_) => {
                tracing::error!(error = %self, "console request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
            }
            ConsoleError::Disabled => (StatusCode::NOT_FOUND, "The console is not set up"),
            ConsoleError::AdminsOnly => (StatusCode::FORBIDDEN, "Admins only"),
            ConsoleError::CsrfRejected | ConsoleError::CrossOrigin => {
                (StatusCode::FORBIDDEN, "Request refused")
            }
            ConsoleError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
            ConsoleError::BadRequest(_) => (StatusCode::BAD_REQUEST, "Please check the request"),
            ConsoleError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts"),
        };
        let message = match &self {
            ConsoleError::Disabled => "No console user exists yet. Add one with `leadform-intake user add NAME --role admin --db …`, then restart `serve`.".to_owned(),
            ConsoleError::Store(ConsoleStoreError::UnknownLead(id)) => format!("There is no lead {id}."),
            ConsoleError::Store(error @ (ConsoleStoreError::ReasonRequired
                | ConsoleStoreError::ReasonOnlyWhenClosed
                | ConsoleStoreError::UnknownOwner(_)
                | ConsoleStoreError::NotRetryable(_))) => capitalise(&error.to_string()),
            ConsoleError::Store(_) => "The database could not answer. Try again in a moment; the error is in the handler's log.".to_owned(),
            other => capitalise(&other.to_string()) + ".",
        };
        let mut response = (
            status,
            layout::bare_page(
                title,
                html! {
                    h1 { (title) }
                    p.notice { (message) }
                    p { a href="/console/" { "Back to the console" } }
                },
            ),
        )
            .into_response();
        if matches!(self, ConsoleError::Throttled { .. }) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Percent-encodes a query-string value.
pub fn encode_query_value(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}
