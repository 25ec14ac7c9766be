//! Secrets and hostile text out of everything Leadform stores, logs or prints.
//!
//! - A destination URL often *is* the secret (Slack, Zapier and Pardot put it in the path), so it is
//!   shown only as [`redact_url`]: scheme, host and a short hash that tells two URLs apart.
//! - A database connection string is shown only as [`redact_password`].
//! - A vendor's error body is text from another system: [`clean_vendor_text`] removes terminal
//!   escape sequences and other control characters and caps its length before it is stored.

use sha2::{Digest, Sha256};

/// Hex characters of SHA-256 kept in a redacted URL or a derived destination id: enough to tell
/// a form's destinations apart, too few to matter as a fingerprint of a strong secret.
const SHORT_HASH_HEX: usize = 12;

/// The first [`SHORT_HASH_HEX`] hex characters of SHA-256 of `text`.
pub fn short_hash(text: &str) -> String {
    let mut hex = hex::encode(Sha256::digest(text.as_bytes()));
    hex.truncate(SHORT_HASH_HEX);
    hex
}

/// The lowercased host (with port) of a URL, without any `user:password@`; empty when there is
/// no `scheme://`.
pub fn url_host(url: &str) -> String {
    let Some((_, after_scheme)) = url.split_once("://") else {
        return String::new();
    };
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(after_scheme);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host.to_ascii_lowercase()
}

/// `https://hooks.slack.com/…#1a2b3c4d5e6f`: the scheme and host of `url`, then a hash of the
/// whole URL in place of its path, query and credentials. The hash is stable, so the same URL
/// always shows the same way and two URLs on one host can be told apart.
pub fn redact_url(url: &str) -> String {
    let url = url.trim();
    let hash = short_hash(url);
    match url.split_once("://") {
        Some((scheme, _)) if is_scheme(scheme) => {
            format!(
                "{}://{}/…#{hash}",
                scheme.to_ascii_lowercase(),
                url_host(url)
            )
        }
        _ => format!("…#{hash}"),
    }
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A database connection string with every password replaced by `***`: the password of a URL's
/// user info (whatever it contains: `@`, `/`, `%40`), a `password=` query parameter, and a
/// `password=` pair of a key/value string (`host=db user=app password='s3 cret'`).
pub fn redact_password(connection: &str) -> String {
    if let Some((scheme, rest)) = connection.split_once("://") {
        if is_scheme(scheme) {
            return format!("{scheme}://{}", redact_url_rest(rest));
        }
    }
    redact_key_value_password(connection)
}

/// The part of a URL after `scheme://`, its user-info password and `password=` parameters hidden.
fn redact_url_rest(rest: &str) -> String {
    let query_start = rest.find(['?', '#']).unwrap_or(rest.len());
    let (before_query, query) = rest.split_at(query_start);
    // The last `@` before the query ends the user info: a password may hold `@` or `/` unencoded.
    let before_query = match before_query.rfind('@') {
        Some(at) => {
            let user_info = &before_query[..at];
            match user_info.split_once(':') {
                Some((user, _password)) => format!("{user}:***{}", &before_query[at..]),
                None => before_query.to_owned(),
            }
        }
        None => before_query.to_owned(),
    };
    format!("{before_query}{}", redact_query_password(query))
}

/// `?sslmode=require&password=x` → `?sslmode=require&password=***`.
fn redact_query_password(query: &str) -> String {
    let Some(separator) = query.chars().next() else {
        return String::new();
    };
    let pairs: Vec<String> = query[separator.len_utf8()..]
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_password_key(key) => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{separator}{}", pairs.join("&"))
}

fn is_password_key(key: &str) -> bool {
    let key = key.trim();
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("pass")
}

/// libpq's key/value form: `key = value` pairs separated by spaces, values optionally in single
/// quotes with `\'` and `\\` escapes.
fn redact_key_value_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let key_part = &rest[..eq];
        let key = key_part
            .rsplit(|c: char| c.is_whitespace())
            .find(|word| !word.is_empty())
            .unwrap_or("");
        out.push_str(key_part);
        out.push('=');
        let after = &rest[eq + 1..];
        let value_start = after.len() - after.trim_start().len();
        let value_len = value_length(&after[value_start..]);
        if is_password_key(key) {
            out.push_str(&after[..value_start]);
            out.push_str("***");
        } else {
            out.push_str(&after[..value_start + value_len]);
        }
        rest = &after[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

/// The byte length of one key/value value: a quoted string with escapes, or up to whitespace.
fn value_length(value: &str) -> usize {
    if let Some(quoted) = value.strip_prefix('\'') {
        let mut escaped = false;
        for (index, c) in quoted.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '\'' => return 1 + index + 1,
                _ => {}
            }
        }
        value.len()
    } else {
        value.find(char::is_whitespace).unwrap_or(value.len())
    }
}

/// The most characters of a vendor's text kept in `last_error` and printed.
pub const MAX_VENDOR_TEXT_CHARS: usize = 300;

/// A vendor's text made safe to store and print: ANSI/VT escape sequences (CSI, OSC, and the
/// two-character ones) removed, other control characters, bidi overrides and zero-width
/// characters removed, whitespace runs made one space, and at most `max_chars` characters (with
/// `…` when cut).
pub fn clean_vendor_text(raw: &str, max_chars: usize) -> String {
    let mut text = String::with_capacity(raw.len().min(max_chars * 4));
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape_sequence(&mut chars),
            // C1 CSI and OSC: their parameters follow as in the ESC forms.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            c if c.is_whitespace() => text.push(' '),
            c if c.is_control() || is_invisible_format(c) => {}
            c => text.push(c),
        }
    }
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max_chars {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape_sequence(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_osc(chars),
        // ESC followed by intermediates (0x20-0x2F) then one final character.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next();
        }
        _ => {}
    }
}

/// Parameters and intermediates (0x20-0x3F), then one final character (0x40-0x7E).
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
        .is_some()
    {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// A string command, ended by BEL or ST (`ESC \` or U+009C).
fn skip_osc(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// Characters that reorder or hide text on a terminal or in a browser: bidi controls and
/// zero-width characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_scheme_and_host_only() {
        let hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";
        let shown = redact_url(hook);
        assert!(shown.starts_with("https://hooks.slack.com/…#"), "{shown}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("T000"),
            "{shown}"
        );
        assert_eq!(shown, redact_url(hook), "stable");
        assert_ne!(shown, redact_url("https://hooks.slack.com/services/other"));
        let with_credentials = redact_url("https://user:pw@Example.COM:8443/p?token=abc");
        assert!(
            with_credentials.starts_with("https://example.com:8443/…#"),
            "{with_credentials}"
        );
        assert!(!with_credentials.contains("pw") && !with_credentials.contains("abc"));
        assert!(redact_url("no scheme secret").starts_with("…#"));
    }

    #[test]
    fn passwords_never_survive_in_urls() {
        let cases = [
            ("postgres://app:s3cret@127.0.0.1:5433/leads", "s3cret"),
            ("postgresql://app:p@ss@db/leads?sslmode=disable", "p@ss"),
            ("postgres://app:p%40ss%3Aw0rd@db/leads", "p%40ss"),
            ("postgres://app:pa/ss@db/leads", "pa/ss"),
            (
                "postgres://app@db/leads?password=s3cret&sslmode=require",
                "s3cret",
            ),
            (
                "postgres://db/leads?sslmode=require&PASSWORD=s3cret",
                "s3cret",
            ),
        ];
        for (url, secret) in cases {
            let shown = redact_password(url);
            assert!(!shown.contains(secret), "{url} → {shown}");
            assert!(shown.contains("***"), "{url} → {shown}");
        }
        assert_eq!(
            redact_password("postgres://app:s3cret@127.0.0.1:5433/leads"),
            "postgres://app:***@127.0.0.1:5433/leads"
        );
        assert_eq!(
            redact_password("postgresql://app:p@ss@db/leads?sslmode=disable"),
            "postgresql://app:***@db/leads?sslmode=disable"
        );
        assert_eq!(
            redact_password("postgres://app@db/leads?password=x&sslmode=require"),
            "postgres://app@db/leads?password=***&sslmode=require"
        );
        for unchanged in [
            "postgres://app@127.0.0.1/leads",
            "postgres://127.0.0.1/leads",
            "./leadform.db",
            "not:a@url",
        ] {
            assert_eq!(redact_password(unchanged), unchanged);
        }
    }

    #[test]
    fn passwords_never_survive_in_key_value_strings() {
        assert_eq!(
            redact_password("host=db user=app password=s3cret dbname=leads"),
            "host=db user=app password=*** dbname=leads"
        );
        assert_eq!(
            redact_password("host=db password = 's3 \\' cret' dbname=leads"),
            "host=db password = *** dbname=leads"
        );
        assert_eq!(
            redact_password("PASSWORD=s3cret"),
            "PASSWORD=***",
            "keys are case-insensitive"
        );
        assert_eq!(redact_password("password='unterminated"), "password=***");
    }

    #[test]
    fn vendor_text_loses_escapes_and_controls() {
        let hostile = "\u{1b}[2J\u{1b}[31mred\u{1b}[0m \u{1b}]0;pwned title\u{7}after\u{1b}]8;;http://x\u{1b}\\link\r\nnext\u{0}line\u{202e}txet\u{200b}";
        assert_eq!(
            clean_vendor_text(hostile, MAX_VENDOR_TEXT_CHARS),
            "red afterlink nextlinetxet"
        );
        assert_eq!(clean_vendor_text("a\u{9b}31mb", 10), "ab");
        assert_eq!(clean_vendor_text("  bad\n  gateway ", 11), "bad gateway");
        let long = clean_vendor_text(&"x".repeat(1000), 300);
        assert_eq!(long.chars().count(), 300);
        assert!(long.ends_with('…'));
        assert_eq!(
            clean_vendor_text("trailing escape \u{1b}", 50),
            "trailing escape"
        );
    }
}
