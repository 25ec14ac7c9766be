//! The same-origin check every console POST passes: a browser's `Sec-Fetch-Site: same-origin`, or
//! an `Origin` that is the console's own. A POST with neither is refused: every browser that can
//! run the console sends at least one of them.

use crate::state::PublicOrigin;
use axum::http::{header, HeaderMap};

/// `true` when the request comes from a console page.
pub fn is_same_origin(headers: &HeaderMap, public_origin: Option<&PublicOrigin>) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site {
        if site != "same-origin" {
            return false;
        }
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => is_own_origin(origin, headers, public_origin),
        None => fetch_site.is_some(),
    }
}

fn is_own_origin(origin: &str, headers: &HeaderMap, public_origin: Option<&PublicOrigin>) -> bool {
    let origin = origin.trim_end_matches('/');
    match public_origin {
        Some(public) => origin.eq_ignore_ascii_case(&public.origin),
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            match (origin.split_once("://"), host) {
                (Some((scheme, rest)), Some(host)) => {
                    matches!(scheme, "http" | "https") && rest.eq_ignore_ascii_case(host)
                }
                _ => false,
            }
        }
    }
}

/// `true` when the request's `Host` is loopback (the demo on plain http).
pub fn is_loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_the_consoles_own_pages_may_post() {
        let own = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(is_same_origin(&own, None));
        let cross = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.test")]);
        assert!(!is_same_origin(&cross, None));
        let fetch_cross = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-site"),
        ]);
        assert!(!is_same_origin(&fetch_cross, None));
        assert!(!is_same_origin(
            &headers(&[("host", "127.0.0.1:8080")]),
            None
        ));
        assert!(is_same_origin(
            &headers(&[("host", "x"), ("sec-fetch-site", "same-origin")]),
            None
        ));
        let public = PublicOrigin {
            origin: "https://forms.example.com".into(),
            https: true,
        };
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://forms.example.com"),
        ]);
        assert!(is_same_origin(&proxied, Some(&public)));
        assert!(!is_same_origin(&own, Some(&public)));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback_host(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(is_loopback_host(&headers(&[("host", "localhost")])));
        assert!(is_loopback_host(&headers(&[("host", "[::1]:80")])));
        assert!(!is_loopback_host(&headers(&[(
            "host",
            "forms.example.com"
        )])));
    }
}
