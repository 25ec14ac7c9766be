//! The widget's browser files built into the binary (`--features embedded-site`, see `build.rs`),
//! served when `serve` has no `--public`. They pass through the same header layer as `--public`
//! (`static_files::set_static_headers`): content types, immutable caching for hashed names,
//! revalidation with an ETag for the loader, CORS; this file only picks the copy and its encoding
//! the way `ServeDir` does.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::static_files;

/// One file of `dist/` with its precompressed copies.
pub struct EmbeddedFile {
    /// The URL path, `/leadform.js`.
    pub path: &'static str,
    /// A hash of the plain bytes, for the ETag.
    pub tag: &'static str,
    pub identity: &'static [u8],
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/embedded_site.rs"));

/// Whether this binary carries the browser files.
pub fn is_available() -> bool {
    !FILES.is_empty()
}

pub fn service() -> Router {
    Router::new()
        .fallback(answer)
        .layer(middleware::from_fn(static_files::set_static_headers))
}

async fn answer(request: Request) -> Response {
    let Some(file) = FILES.iter().find(|file| file.path == request.uri().path()) else {
        return static_files::not_found().await;
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET,HEAD")],
        )
            .into_response();
    }
    let (encoding, bytes) = match preferred_encoding(request.headers()) {
        Some(Encoding::Brotli) if file.brotli.is_some() => (Some("br"), file.brotli),
        Some(Encoding::Gzip) if file.gzip.is_some() => (Some("gzip"), file.gzip),
        // The other copy when the preferred one is missing, as ServeDir falls back.
        Some(_) => match (file.brotli, file.gzip) {
            (Some(brotli), _) if accepts(request.headers(), Encoding::Brotli) => {
                (Some("br"), Some(brotli))
            }
            (_, Some(gzip)) if accepts(request.headers(), Encoding::Gzip) => {
                (Some("gzip"), Some(gzip))
            }
            _ => (None, Some(file.identity)),
        },
        None => (None, Some(file.identity)),
    };
    let bytes = bytes.unwrap_or(file.identity);
    let mut response = if request.method() == Method::HEAD {
        StatusCode::OK.into_response()
    } else {
        bytes.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    let etag = format!("W/\"{}-{}\"", file.tag, encoding.unwrap_or("identity"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Encoding {
    // Ordered from least to most preferred, as tower-http breaks ties.
    Gzip,
    Brotli,
}

/// The accepted encoding with the highest q-value, brotli winning a tie: `ServeDir`'s rule.
fn preferred_encoding(headers: &HeaderMap) -> Option<Encoding> {
    accepted(headers)
        .filter(|&(_, quality)| quality > 0)
        .max_by_key(|&(encoding, quality)| (quality, encoding))
        .map(|(encoding, _)| encoding)
}

fn accepts(headers: &HeaderMap, wanted: Encoding) -> bool {
    accepted(headers).any(|(encoding, quality)| encoding == wanted && quality > 0)
}

/// `(encoding, q × 1000)` for each of brotli and gzip the `Accept-Encoding` headers name.
fn accepted(headers: &HeaderMap) -> impl Iterator<Item = (Encoding, u16)> + '_ {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| {
            let mut parts = item.splitn(2, ';');
            let encoding = match parts.next().map(str::trim) {
                Some(name) if name.eq_ignore_ascii_case("br") => Encoding::Brotli,
                Some(name) if name.eq_ignore_ascii_case("gzip") => Encoding::Gzip,
                _ => return None,
            };
            let quality = match parts.next() {
                Some(parameter) => parse_quality(parameter.trim())?,
                None => 1000,
            };
            Some((encoding, quality))
        })
}

/// `q=0.5` → 500; `None` for anything RFC 7231 does not allow (the item is then ignored).
fn parse_quality(parameter: &str) -> Option<u16> {
    let value = parameter
        .strip_prefix("q=")
        .or_else(|| parameter.strip_prefix("Q="))?;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction = fraction
        .bytes()
        .zip([100u16, 10, 1])
        .map(|(digit, factor)| u16::from(digit - b'0') * factor)
        .sum::<u16>();
    let quality = whole + fraction;
    (quality <= 1000).then_some(quality)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        headers
    }

    #[test]
    fn picks_the_encoding_serve_dir_picks() {
        assert_eq!(
            preferred_encoding(&headers("gzip, deflate, br, zstd")),
            Some(Encoding::Brotli)
        );
        assert_eq!(
            preferred_encoding(&headers("br;q=0.5, gzip")),
            Some(Encoding::Gzip)
        );
        assert_eq!(preferred_encoding(&headers("br;q=0, gzip;q=0")), None);
        assert_eq!(preferred_encoding(&headers("identity")), None);
        assert_eq!(
            preferred_encoding(&headers("br;q=1.5, gzip;q=0.001")),
            Some(Encoding::Gzip)
        );
    }
}
