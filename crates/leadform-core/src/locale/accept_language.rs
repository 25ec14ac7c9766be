//! The `Accept-Language` header as an ordered list of language tags.

/// At most this many tags are read; a longer header is noise or an attack.
const MAX_TAGS: usize = 20;

/// The header's tags, most wanted first. Entries with `q=0` (refused) or a malformed weight are
/// dropped, `*` is ignored (it names no language), and equal weights keep the header's order.
pub fn parse_accept_language(header: &str) -> Vec<String> {
    let mut weighted: Vec<(u16, usize, String)> = header
        .split(',')
        .take(MAX_TAGS)
        .enumerate()
        .filter_map(|(position, entry)| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() || tag == "*" || tag.len() > 35 {
                return None;
            }
            let weight = match parts.next() {
                None => 1000,
                Some(param) => quality(param)?,
            };
            (weight > 0).then(|| (weight, position, tag.to_owned()))
        })
        .collect();
    // Stable order: highest weight first, then as the browser listed them.
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.into_iter().map(|(_, _, tag)| tag).collect()
}

/// `q=0.8` as thousandths (800); `None` when it is not a weight between 0 and 1.
fn quality(param: &str) -> Option<u16> {
    let value = param.trim().strip_prefix("q=")?;
    let parsed: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&parsed)
        .then(|| (parsed * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_out_most_wanted_first() {
        assert_eq!(
            parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
            ["fr-CH", "fr", "en", "de"]
        );
        assert_eq!(
            parse_accept_language("en;q=0.5, ar-EG, de;q=0.9"),
            ["ar-EG", "de", "en"]
        );
    }

    #[test]
    fn refused_and_malformed_entries_are_dropped() {
        assert_eq!(
            parse_accept_language("de;q=0, es;q=abc, fr;q=2, ar"),
            ["ar"]
        );
        assert!(parse_accept_language("").is_empty());
        assert!(parse_accept_language(" , ;q=1").is_empty());
    }
}
