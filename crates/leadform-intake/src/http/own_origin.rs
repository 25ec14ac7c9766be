//! Which origin is the handler's own, and whether its cookies need `Secure`.
//!
//! Without `--public-url` both are read from the request's `Host` header, which is right when
//! browsers reach the handler directly (the demo on any port). Behind a reverse proxy
//! (`proxy_pass http://127.0.0.1:8080`) the handler sees `Host: 127.0.0.1:8080` instead of the
//! address visitors use, so `--public-url https://forms.example.com` states it once.

use axum::http::{header, HeaderMap};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PublicUrlError {
    #[error("`{0}` is not an absolute URL; give it like https://forms.example.com")]
    NotAbsolute(String),
    #[error("`{url}`: the scheme must be http or https, not `{scheme}`")]
    UnsupportedScheme { url: String, scheme: String },
    #[error("`{0}`: the host name is missing")]
    MissingHost(String),
    #[error("`{url}`: `{host}` is not a host name or an IP address")]
    InvalidHost { url: String, host: String },
    #[error("`{url}`: the port `{port}` is not a number from 1 to 65535")]
    InvalidPort { url: String, port: String },
    #[error("`{0}`: give only the scheme, host and port (like https://forms.example.com), without a path, query, fragment or user name")]
    NotAnOrigin(String),
}

/// The address visitors' browsers use for the handler, reduced to its origin:
/// `https://forms.example.com` (host lower-cased, a default port dropped, as browsers send it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    origin: String,
}

impl PublicUrl {
    pub fn is_https(&self) -> bool {
        self.https
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

impl FromStr for PublicUrl {
    type Err = PublicUrlError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(PublicUrlError::NotAbsolute(url.to_owned()));
        };
        let scheme = scheme.to_ascii_lowercase();
        let https = match scheme.as_str() {
            "https" => true,
            "http" => false,
            _ => {
                return Err(PublicUrlError::UnsupportedScheme {
                    url: url.to_owned(),
                    scheme,
                })
            }
        };
        // One trailing slash is how people often write a site's address; anything more is a path.
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '@']) {
            return Err(PublicUrlError::NotAnOrigin(url.to_owned()));
        }
        let (host, port) = split_host_port(authority);
        if host.is_empty() {
            return Err(PublicUrlError::MissingHost(url.to_owned()));
        }
        if !is_host(host) {
            return Err(PublicUrlError::InvalidHost {
                url: url.to_owned(),
                host: host.to_owned(),
            });
        }
        let port = match port {
            None => None,
            Some(text) => match text.parse::<u16>() {
                Ok(port) if port > 0 => Some(port),
                _ => {
                    return Err(PublicUrlError::InvalidPort {
                        url: url.to_owned(),
                        port: text.to_owned(),
                    })
                }
            },
        };
        let default_port = if https { 443 } else { 80 };
        let host = host.to_ascii_lowercase();
        let origin = match port {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        };
        Ok(PublicUrl { https, origin })
    }
}

/// `forms.example.com:8443` → (`forms.example.com`, `8443`); `[::1]:80` → (`[::1]`, `80`).
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.split_once(']') {
            Some((inside, after)) => {
                let host = &authority[..inside.len() + 1];
                match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None if after.is_empty() => (host, None),
                    // `[::1]x`: keep it all as the host so the host check names it.
                    None => (authority, None),
                }
            }
            None => (authority, None),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A DNS name or IPv4 address (letters, digits, `-`, `.`), or an IPv6 address in brackets.
fn is_host(host: &str) -> bool {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
    }
}

/// The `Host` header, as the browser addressed this handler (`127.0.0.1:8080`).
pub fn request_host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// `http://127.0.0.1:8080` is same-origin with a request whose `Host` is `127.0.0.1:8080`.
/// The scheme is not compared: behind TLS termination the handler itself only sees http.
pub fn is_same_origin(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    origin.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme, "http" | "https") && rest.trim_end_matches('/').eq_ignore_ascii_case(host)
    })
}

/// How the handler tells its own origin from an embedding site's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OwnOrigin {
    /// Whatever `Host` the request names (scheme not compared).
    #[default]
    RequestHost,
    /// The `--public-url` origin, scheme included; `Host` is ignored.
    Public(PublicUrl),
}

impl OwnOrigin {
    pub fn from_public_url(public_url: Option<PublicUrl>) -> Self {
        public_url.map_or(OwnOrigin::RequestHost, OwnOrigin::Public)
    }

    /// `true` when `origin` (an `Origin` header value) is the handler's own.
    pub fn is_own(&self, origin: &str, headers: &HeaderMap) -> bool {
        match self {
            OwnOrigin::RequestHost => is_same_origin(origin, request_host(headers)),
            OwnOrigin::Public(url) => origin
                .trim_end_matches('/')
                .eq_ignore_ascii_case(url.origin()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    fn parse(url: &str) -> Result<PublicUrl, PublicUrlError> {
        url.parse()
    }

    #[test]
    fn a_public_url_is_reduced_to_the_origin_browsers_send() {
        let url = parse("https://Forms.Example.com/").unwrap();
        assert_eq!(url.origin(), "https://forms.example.com");
        assert!(url.is_https());
        assert_eq!(
            parse("https://forms.example.com:443").unwrap().origin(),
            "https://forms.example.com"
        );
        let url = parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(url.origin(), "http://127.0.0.1:8080");
        assert!(!url.is_https());
        assert_eq!(
            parse("http://[::1]:9000").unwrap().origin(),
            "http://[::1]:9000"
        );
    }

    #[test]
    fn anything_but_an_http_origin_is_refused_with_the_reason() {
        assert!(matches!(
            parse("forms.example.com"),
            Err(PublicUrlError::NotAbsolute(_))
        ));
        assert!(matches!(
            parse("ftp://forms.example.com"),
            Err(PublicUrlError::UnsupportedScheme { scheme, .. }) if scheme == "ftp"
        ));
        assert!(matches!(
            parse("https://forms.example.com/leads"),
            Err(PublicUrlError::NotAnOrigin(_))
        ));
        assert!(matches!(
            parse("https://user@forms.example.com"),
            Err(PublicUrlError::NotAnOrigin(_))
        ));
        assert!(matches!(
            parse("https://"),
            Err(PublicUrlError::MissingHost(_))
        ));
        assert!(matches!(
            parse("https://forms example.com"),
            Err(PublicUrlError::InvalidHost { .. })
        ));
        assert!(matches!(
            parse("https://forms.example.com:99999"),
            Err(PublicUrlError::InvalidPort { port, .. }) if port == "99999"
        ));
    }

    #[test]
    fn with_a_public_url_the_host_header_no_longer_decides() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let public = OwnOrigin::Public(parse("https://forms.example.com").unwrap());
        assert!(public.is_own("https://forms.example.com", &headers));
        assert!(
            !public.is_own("http://forms.example.com", &headers),
            "scheme counts"
        );
        assert!(!public.is_own("http://127.0.0.1:8080", &headers));

        let by_host = OwnOrigin::RequestHost;
        assert!(by_host.is_own("http://127.0.0.1:8080", &headers));
        assert!(!by_host.is_own("https://forms.example.com", &headers));
    }

    #[test]
    fn same_origin_compares_host_and_port() {
        assert!(is_same_origin(
            "http://127.0.0.1:8080",
            Some("127.0.0.1:8080")
        ));
        assert!(is_same_origin(
            "https://Forms.Example.com",
            Some("forms.example.com")
        ));
        assert!(!is_same_origin(
            "http://127.0.0.1:8081",
            Some("127.0.0.1:8080")
        ));
        assert!(!is_same_origin("null", Some("127.0.0.1:8080")));
        assert!(!is_same_origin("http://127.0.0.1:8080", None));
    }
}
