//! The built site from `--public`: loader, widget glue, wasm, stylesheet and demo pages.
//!
//! Content types are set from the extension explicitly, because browsers refuse to stream-compile
//! wasm served as anything but `application/wasm`, and module scripts need a JavaScript type.
//!
//! The widget's files also carry `Access-Control-Allow-Origin: *`: a page on another origin loads
//! the glue with `import()` and the wasm with `fetch`, both CORS requests, and these files are public.
//! Stylesheets name the asking origin and allow credentials instead: the loader fetches
//! `leadform.css` with credentials so that it rides the connection the loader and the first markup
//! already use (browsers keep separate connections for requests without credentials, and a new
//! one costs a TLS handshake before the form can be styled). A stylesheet is the same for
//! everyone, so the credentials reveal nothing.
//!
//! Caching (see `cache_policy`): content-hashed files (`name.0123456789abcdef.ext`, written by
//! `cargo xtask dist`) never change and are cached for a year, immutable; everything else, the
//! loader above all (its URL sits in customers' pages), is revalidated with an ETag. `dist` also
//! writes `.br` and `.gz` copies, served to clients that accept them.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::PathBuf;
use tower_http::services::ServeDir;

pub fn service(dir: PathBuf) -> Router {
    Router::new()
        .fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn(set_static_headers))
}

/// Also wraps the embedded copy of `dist/` (`embedded_site`), so both answer alike.
pub async fn set_static_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await;
    if !response.status().is_success() && response.status() != StatusCode::NOT_MODIFIED {
        return response;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, cache_policy(&path));
    // The embedded site tags its files itself (it has no modification time).
    let own_tag = headers
        .get(header::ETAG)
        .and_then(|tag| tag.to_str().ok())
        .map(str::to_owned);
    if let Some(etag) = own_tag.or_else(|| etag(headers)) {
        let unchanged = if_none_match.is_some_and(|tags| {
            tags.to_str()
                .is_ok_and(|tags| tags.split(',').any(|tag| tag.trim() == etag))
        });
        let etag = HeaderValue::from_str(&etag).ok();
        if unchanged {
            let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
            let headers = not_modified.headers_mut();
            if let Some(etag) = etag {
                headers.insert(header::ETAG, etag);
            }
            headers.insert(header::CACHE_CONTROL, cache_policy(&path));
            // A revalidated copy takes these headers over the stored ones: they must agree.
            cross_origin_headers(&path, origin.as_ref(), headers);
            return not_modified;
        }
        if let Some(etag) = etag {
            response.headers_mut().insert(header::ETAG, etag);
        }
    }
    let headers = response.headers_mut();
    if let Some(content_type) = content_type_for(&path) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    cross_origin_headers(&path, origin.as_ref(), headers);
    response
}

/// `Vary` and CORS for `path`, alike on a full answer and on a 304. The loader fetches stylesheets
/// with credentials (as the first markup, so both share one connection), so a stylesheet names the
/// asking origin; every stylesheet answer varies by `Origin`, with or without one, so that no cache
/// hands one origin's copy, or the wildcard's, to another.
fn cross_origin_headers(path: &str, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    let stylesheet = is_stylesheet(path);
    let vary = match stylesheet {
        true => "accept-encoding, origin",
        false => "accept-encoding",
    };
    headers.insert(header::VARY, HeaderValue::from_static(vary));
    match origin {
        Some(origin) if stylesheet => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        _ if is_cross_origin_subresource(path) => {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
        _ => {}
    }
}

/// A year and immutable for content-hashed names; revalidate everything else.
fn cache_policy(path: &str) -> HeaderValue {
    if is_content_hashed(path) {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

/// `…/name.0123456789abcdef.ext`: the 16-hex-digit content hash `cargo xtask dist` puts in names.
pub fn is_content_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let mut parts = file.rsplit('.');
    let (_extension, hash) = (parts.next(), parts.next());
    parts.next().is_some()
        && hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A weak validator from what ServeDir answered: the file's modification time, the length and the
/// encoding sent, so the brotli, gzip and plain copies of one file never share a tag.
fn etag(headers: &HeaderMap) -> Option<String> {
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0");
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    let stamp: String = modified
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Some(format!("W/\"{stamp}-{length}-{encoding}\""))
}

/// Files a host page on another origin fetches in CORS mode: scripts, wasm and stylesheets.
fn is_cross_origin_subresource(path: &str) -> bool {
    [".js", ".mjs", ".wasm", ".css"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

fn is_stylesheet(path: &str) -> bool {
    path.ends_with(".css")
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

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn only_dist_content_hashes_make_a_file_immutable() {
        assert!(is_content_hashed("/leadform_widget.0123456789abcdef.js"));
        assert!(is_content_hashed(
            "/leadform_widget_bg.00000000deadbeef.wasm"
        ));
        assert!(!is_content_hashed("/leadform.js"));
        assert!(!is_content_hashed("/leadform_widget.js"));
        assert!(!is_content_hashed("/0123456789abcdef.js"));
        assert!(!is_content_hashed("/a.0123456789abcdeg.js"));
        assert!(!is_content_hashed("/blog/post.html"));
    }
}
