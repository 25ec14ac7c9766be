//! Rules that turn untrusted strings (URL parameters, referrers, page titles) into plain, bounded data.
//!
//! The widget applies them when it captures attribution and the handler applies them again, because
//! nothing that arrives over HTTP can be assumed to have passed through our widget.

/// Cap for every captured attribution value, in characters.
pub const MAX_CAPTURED_CHARS: usize = 256;

/// Strips control characters, trims, and caps at `max_chars` characters (never splitting a char).
pub fn clean_text(raw: &str, max_chars: usize) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(max_chars)
        .collect()
}

/// A cleaned http(s) URL, or `None` for anything else (`javascript:`, `data:`, relative junk).
///
/// Control characters are removed *before* the scheme check, so `java\tscript:` cannot slip through
/// the way it would in a browser that ignores tabs inside schemes.
pub fn clean_http_url(raw: &str, max_chars: usize) -> Option<String> {
    let cleaned = clean_text(raw, max_chars);
    let lower = cleaned.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let has_valid_host = !host.is_empty()
        && !host.contains(char::is_whitespace)
        && !host.contains(['<', '>', '"', '\'', '`', '\\']);
    has_valid_host.then_some(cleaned)
}

/// Like [`clean_text`], then `None` when nothing is left.
pub fn clean_optional_text(raw: &str, max_chars: usize) -> Option<String> {
    Some(clean_text(raw, max_chars)).filter(|s| !s.is_empty())
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space, `%XX` a byte).
/// Invalid escapes are kept literally and invalid UTF-8 is replaced, so decoding never fails.
pub fn decode_query_component(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

/// The decoded `(name, value)` pairs of a URL's query string (the part after `?`, before `#`).
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let Some((_, after_question)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = after_question.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query_component(name), decode_query_component(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_strips_controls_and_caps_by_characters() {
        assert_eq!(clean_text(" a\u{0}b\r\nc\t ", 10), "abc");
        assert_eq!(clean_text(&"é".repeat(300), 256).chars().count(), 256);
    }

    #[test]
    fn only_http_and_https_urls_survive() {
        assert_eq!(
            clean_http_url("https://example.com/a?b=1", 256).as_deref(),
            Some("https://example.com/a?b=1")
        );
        assert!(clean_http_url("HTTP://Example.com", 256).is_some());
        for hostile in [
            "javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "//example.com",
            "https://",
            "https://<script>/",
            "ftp://example.com",
        ] {
            assert_eq!(clean_http_url(hostile, 256), None, "{hostile:?}");
        }
    }

    #[test]
    fn query_pairs_decode_and_ignore_fragment() {
        let pairs = query_pairs(
            "https://x.test/p?utm_source=news+letter&utm_medium=e%2Dmail&bad=%zz&flag#utm_term=no",
        );
        assert_eq!(
            pairs,
            vec![
                ("utm_source".into(), "news letter".into()),
                ("utm_medium".into(), "e-mail".into()),
                ("bad".into(), "%zz".into()),
                ("flag".into(), "".into()),
            ]
        );
        assert!(query_pairs("https://x.test/p").is_empty());
    }

    #[test]
    fn decoding_never_panics_on_truncated_escapes() {
        assert_eq!(decode_query_component("%"), "%");
        assert_eq!(decode_query_component("a%4"), "a%4");
        assert_eq!(decode_query_component("%41"), "A");
        assert_eq!(decode_query_component("%ff"), "\u{fffd}");
    }
}
