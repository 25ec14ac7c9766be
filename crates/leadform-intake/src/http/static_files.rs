//! The built site from `--public`: loader, widget glue, wasm, stylesheet and demo pages.
//!
//! Content types are set from the extension explicitly, because browsers refuse to stream-compile
//! wasm served as anything but `application/wasm`, and module scripts need a JavaScript type.
//!
//! The widget's files also carry `Access-Control-Allow-Origin: *`: a page on another origin loads
//! the glue with `import()` and the wasm with `fetch`, both CORS requests, and these files are public.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::PathBuf;
use tower_http::services::ServeDir;

pub fn service(dir: PathBuf) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        .layer(middleware::from_fn(set_static_headers))
}

async fn set_static_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    let headers = response.headers_mut();
    if let Some(content_type) = content_type_for(&path) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if is_cross_origin_subresource(&path) {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// Files a host page on another origin fetches in CORS mode: scripts, wasm and stylesheets.
fn is_cross_origin_subresource(path: &str) -> bool {
    [".js", ".mjs", ".wasm", ".css"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// The content type for the site's own file kinds; `None` leaves ServeDir's guess.
pub fn content_type_for(path: &str) -> Option<&'static str> {
    if path.ends_with('/') {
        // ServeDir answers a folder with its index.html.
        return Some("text/html; charset=utf-8");
    }
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// Without `--public`, anything but the API is a JSON 404.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({
            "error": { "code": "not_found", "message": "there is nothing at this address" }
        })),
    )
        .into_response()
}
