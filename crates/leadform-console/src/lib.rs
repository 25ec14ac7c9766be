//! The marketer's console at `/console/`: log in, see, filter and work every lead.
//!
//! Server-rendered HTML (maud) under a strict CSP, with no inline scripts or styles. Sessions,
//! CSRF tokens, login throttling and the audit log live in the database, so any number of handler
//! instances on one PostgreSQL serve the same console. The handler adds [`router`] when at least
//! one user exists, and [`disabled_router`] otherwise.
//!
//! - [`state`]: what the pages need; [`error`]: the one error type, rendered as a page;
//! - [`auth`]: the extractors `CurrentUser`, `AdminUser`, `CsrfChecked`, `SameOrigin`;
//!   [`current_user`]: the logged-in user itself, which [`layout`] shows;
//! - [`session_cookie`], [`same_origin`], [`client_address`]: the pieces they use;
//! - [`lead_filters`]: query parameters ⇄ the store's `LeadFilter`; [`csv_export`]: the CSV;
//! - [`overview_range`]: the overview's `from`, `to`, `form`;
//! - [`person_scores`]: score figures and the rising/cooling/MQL lists;
//! - [`pages`]: one module per page; [`layout`]: the shell around them.

pub mod auth;
pub mod client_address;
pub mod csv_export;
pub mod current_user;
pub mod error;
pub mod layout;
pub mod lead_filters;
pub mod overview_range;
pub mod pages;
pub mod person_scores;
pub mod same_origin;
pub mod session_cookie;
pub mod state;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use std::convert::Infallible;

pub use state::{ConsoleClock, ConsoleState, PublicOrigin};

/// The console's Content-Security-Policy, on every console response.
pub const CONSOLE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The forms page's policy: the console's, plus `script-src 'self'` for its one script, the copy
/// buttons' `/console/copy.js` (no inline script). Every other console page runs no script.
pub const FORMS_PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Largest form post the console accepts (a status change or a login is a few hundred bytes).
const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// Adds the console's security headers to every response.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A page that loads the console's script sets its own policy (see [`FORMS_PAGE_CSP`]).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Lead data is personal: never cached by a browser or a proxy.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The console's routes, under `/console/`. Merge it into the handler's router.
pub fn router(state: ConsoleState) -> Router {
    Router::new()
        .route("/console", get(pages::redirect_to_overview))
        .route("/console/", get(pages::overview::show))
        .route("/console/console.css", get(pages::stylesheet))
        .route("/console/charts.css", get(pages::charts_stylesheet))
        .route("/console/copy.js", get(pages::copy_script))
        .route(
            "/console/login",
            get(pages::login::show).post(pages::login::submit),
        )
        .route("/console/logout", post(pages::login::logout))
        .route("/console/leads", get(pages::leads::show))
        .route("/console/leads.csv", get(pages::leads::download_csv))
        .route("/console/leads/{id}", get(pages::lead::show))
        .route(
            "/console/leads/{id}/status",
            post(pages::lead::change_status),
        )
        .route("/console/leads/{id}/owner", post(pages::lead::assign_owner))
        .route("/console/leads/{id}/spam", post(pages::lead::mark_spam))
        .route(
            "/console/deliveries/{id}/retry",
            post(pages::lead::retry_delivery),
        )
        .route("/console/audit", get(pages::audit::show))
        .route("/console/forms", get(pages::forms::show))
        .route("/console/scores", get(pages::scores::show))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// What `/console/` answers while no user exists: a page saying how to add the first one.
pub fn disabled_router() -> Router {
    async fn disabled() -> Result<error::ConsoleError, Infallible> {
        Ok(error::ConsoleError::Disabled)
    }
    Router::new()
        .route("/console", get(disabled))
        .route("/console/", get(disabled))
        .route("/console/{*rest}", get(disabled).post(disabled))
        .layer(axum::middleware::from_fn(security_headers))
}
