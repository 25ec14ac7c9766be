//! URLs the handler answers with (a redirect, a download, a cover image), made safe to follow.

/// Makes a URL from the handler absolute: `/assets/x.pdf` is on the handler's origin. Anything but
/// http(s) or a path (`javascript:`, `data:`) is refused.
pub fn resolve_url(endpoint: &str, url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(url.to_owned());
    }
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let scheme_end = endpoint.find("://")? + 3;
    let origin_end = endpoint[scheme_end..]
        .find('/')
        .map_or(endpoint.len(), |i| scheme_end + i);
    Some([&endpoint[..origin_end], url].concat())
}

#[cfg(test)]
mod tests {
    use super::resolve_url;

    #[test]
    fn relative_asset_paths_resolve_against_the_handler_origin() {
        assert_eq!(
            resolve_url("http://127.0.0.1:8080", "/assets/x.pdf").as_deref(),
            Some("http://127.0.0.1:8080/assets/x.pdf")
        );
        assert_eq!(
            resolve_url("https://leads.example.com/base", "/a.pdf").as_deref(),
            Some("https://leads.example.com/a.pdf")
        );
        assert_eq!(
            resolve_url("https://x.test", "https://cdn.test/a.pdf").as_deref(),
            Some("https://cdn.test/a.pdf")
        );
    }

    #[test]
    fn script_and_protocol_relative_urls_are_refused() {
        assert_eq!(resolve_url("https://x.test", "javascript:alert(1)"), None);
        assert_eq!(resolve_url("https://x.test", "//evil.test/a"), None);
        assert_eq!(resolve_url("https://x.test", "assets/a.pdf"), None);
    }
}
