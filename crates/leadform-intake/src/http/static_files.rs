//! The built site from `--public`: loader, widget glue, wasm, stylesheet and demo pages.
//!
//! Content types are set from the extension explicitly, because browsers refuse to stream-compile
//! wasm served as anything but `application/wasm`, and module scripts need a JavaScript type.

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
        .layer(middleware::from_fn(set_content_type))
}

async fn set_content_type(request: Request, next: Next) -> Response {
    let content_type = content_type_for(request.uri().path());
    let mut response = next.run(request).await;
    if let (Some(content_type), true) = (content_type, response.status().is_success()) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
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
