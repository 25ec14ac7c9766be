//! Rules that turn untrusted strings (URL parameters, referrers, page titles) into plain, bounded data.
//!
//! The widget applies them when it captures attribution and the handler applies them again, because
//! nothing that arrives over HTTP can be assumed to have passed through our widget.

/// Cap for every captured attribution value, in characters.
pub const MAX_CAPTURED_CHARS: usize = 256;

/// Invisible characters that change how text around them is shown or matched, and carry nothing a
/// visitor meant to type into a form: bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069) which can make `moc.liame@ada` display as `ada@email.com`; the direction marks
/// (U+200E, U+200F, U+061C); and zero-width characters (U+200B–U+200D, U+2060, U+FEFF) which make
/// two identical-looking values differ. `char::is_control` does not cover any of them (they are
/// Unicode "format" characters, not controls).
pub fn is_invisible_formatting(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Removes [`is_invisible_formatting`] characters, with one exception: a zero-width joiner
/// (U+200D) or non-joiner (U+200C) between two non-ASCII letters, marks or symbols is kept, because
/// there it is spelling, not decoration: Persian and Urdu words need ZWNJ (`می‌خواهم`), Indic scripts
/// use ZWJ/ZWNJ to pick conjunct forms, and emoji sequences (`👩‍💻`, `❤️‍🔥`) are joined by ZWJ.
/// Between ASCII characters (`ad\u{200D}min`), at either end or next to a space they only hide
/// differences, so they go.
pub fn strip_invisible_formatting(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let joins_script = |c: Option<&char>| {
        c.is_some_and(|c| {
            !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_invisible_formatting(*c)
        })
    };
    chars
        .iter()
        .enumerate()
        .filter(|(i, c)| match c {
            '\u{200C}' | '\u{200D}' => {
                joins_script(i.checked_sub(1).and_then(|p| chars.get(p)))
                    && joins_script(chars.get(i + 1))
            }
            c => !is_invisible_formatting(**c),
        })
        .map(|(_, c)| *c)
        .collect()
}

/// A form field's value as stored and checked: invisible formatting removed, then trimmed. The
/// widget and the handler both call it, so both judge the same text.
pub fn clean_field_value(raw: &str) -> String {
    strip_invisible_formatting(raw).trim().to_owned()
}

/// Strips control characters and invisible formatting ([`strip_invisible_formatting`]), trims, and
/// caps at `max_chars` characters (never splitting a char).
pub fn clean_text(raw: &str, max_chars: usize) -> String {
    strip_invisible_formatting(raw)
        .chars()
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

/// Longest lead source or campaign id we accept (Salesforce's Campaign name limit).
pub const MAX_HIDDEN_VALUE_CHARS: usize = 80;

/// Checks a lead source or campaign id: short, printable (no bidi controls or zero-width
/// characters either), and not markup.
pub fn check_hidden_value(value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_HIDDEN_VALUE_CHARS {
        return Err(format!(
            "must be at most {MAX_HIDDEN_VALUE_CHARS} characters"
        ));
    }
    if let Some(bad) = value.chars().find(|c| {
        c.is_control() || is_invisible_formatting(*c) || matches!(c, '<' | '>' | '"' | '`' | '\\')
    }) {
        return Err(format!("must not contain {bad:?}"));
    }
    Ok(())
}

/// `true` for a lowercase or uppercase hyphenated UUID version 4 (RFC 9562 variant).
pub fn is_uuid_v4(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && bytes[14] == b'4'
        && matches!(bytes[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
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
    fn bidi_controls_and_zero_width_characters_are_stripped() {
        // An override that shows `ada@email.com` for a value that is something else.
        assert_eq!(
            strip_invisible_formatting("\u{202E}moc.liame@ada\u{202C}"),
            "moc.liame@ada"
        );
        for invisible in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{2060}',
            '\u{FEFF}',
        ] {
            assert_eq!(
                strip_invisible_formatting(&format!("Ada{invisible} Love{invisible}lace")),
                "Ada Lovelace",
                "U+{:04X}",
                u32::from(invisible)
            );
        }
        assert_eq!(clean_text("\u{FEFF}Acme\u{200B}", 10), "Acme");
        assert_eq!(clean_field_value(" \u{2066}Ada\u{2069} "), "Ada");
    }

    #[test]
    fn joiners_are_kept_where_a_script_or_emoji_needs_them() {
        // Persian "I want": the ZWNJ keeps the prefix from joining the verb.
        assert_eq!(
            strip_invisible_formatting("می\u{200C}خواهم"),
            "می\u{200C}خواهم"
        );
        // Devanagari: ZWJ after a virama asks for the half form.
        assert_eq!(strip_invisible_formatting("क्\u{200D}ष"), "क्\u{200D}ष");
        // Emoji sequences: woman technologist, heart on fire (after a variation selector).
        assert_eq!(strip_invisible_formatting("👩\u{200D}💻"), "👩\u{200D}💻");
        assert_eq!(
            strip_invisible_formatting("❤\u{FE0F}\u{200D}🔥"),
            "❤\u{FE0F}\u{200D}🔥"
        );
    }

    #[test]
    fn joiners_that_only_hide_a_difference_are_stripped() {
        assert_eq!(strip_invisible_formatting("ad\u{200D}min"), "admin");
        assert_eq!(strip_invisible_formatting("ad\u{200C}min"), "admin");
        assert_eq!(strip_invisible_formatting("\u{200D}خواهم"), "خواهم");
        assert_eq!(strip_invisible_formatting("می\u{200C}"), "می");
        assert_eq!(strip_invisible_formatting("می\u{200C} خ"), "می خ");
        assert_eq!(strip_invisible_formatting("ی\u{200C}\u{200C}خ"), "یخ");
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

    #[test]
    fn uuid_v4_shape_is_checked() {
        assert!(is_uuid_v4("3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"));
        assert!(is_uuid_v4("3F2B8C1E-9D4A-4B6E-AF0A-1C2D3E4F5A6B"));
        assert!(
            !is_uuid_v4("3f2b8c1e-9d4a-1b6e-8f0a-1c2d3e4f5a6b"),
            "version 1"
        );
        assert!(
            !is_uuid_v4("3f2b8c1e-9d4a-4b6e-7f0a-1c2d3e4f5a6b"),
            "bad variant"
        );
        assert!(!is_uuid_v4("3f2b8c1e9d4a4b6e8f0a1c2d3e4f5a6b"));
        assert!(!is_uuid_v4("'; drop table leads; --"));
    }

    #[test]
    fn hidden_values_refuse_markup_and_long_text() {
        assert!(check_hidden_value("Web - Blog").is_ok());
        assert!(check_hidden_value("7015g000000ABCDAA4").is_ok());
        assert!(check_hidden_value("<img src=x>").is_err());
        assert!(check_hidden_value("a\nb").is_err());
        assert!(check_hidden_value(&"x".repeat(81)).is_err());
        // A campaign id that reads the same but is not: CRMs would file it under a new campaign.
        assert!(check_hidden_value("701A\u{200B}").is_err());
        assert!(check_hidden_value("\u{202E}Blog").is_err());
    }
}
