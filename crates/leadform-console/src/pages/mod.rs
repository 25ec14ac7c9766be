//! One module per console page.

pub mod audit;
pub mod forms;
pub mod lead;
pub mod lead_score;
pub mod leads;
pub mod login;
pub mod overview;
pub mod overview_sections;
pub mod scores;

use axum::http::header;
use axum::response::{IntoResponse, Redirect};

/// The stylesheet, compiled in so the console works without `--public`.
const CONSOLE_CSS: &str = include_str!("../../assets/console.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CONSOLE_CSS,
    )
}

/// The charts' stylesheet (`leadform_charts::CHARTS_CSS`), a file so the CSP needs no inline style.
pub async fn charts_stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        leadform_charts::CHARTS_CSS,
    )
}

pub async fn redirect_to_overview() -> Redirect {
    Redirect::permanent("/console/")
}
