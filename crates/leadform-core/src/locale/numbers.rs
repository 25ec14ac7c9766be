//! Whole numbers written as each language writes them (CLDR's grouping and digits).

use super::Locale;

/// `n` with the language's digit grouping: `1,234` (en), `1.234` (de), `1 234` (fr, with a
/// narrow no-break space), `1234` and `12.345` (es, which groups only from five digits), and
/// Arabic-Indic digits with the Arabic thousands separator (`١٬٢٣٤`) in Arabic.
pub fn format_count(locale: Locale, n: usize) -> String {
    let digits = n.to_string();
    let (separator, min_digits_to_group) = match locale {
        Locale::En => (",", 4),
        Locale::De => (".", 4),
        Locale::Fr => ("\u{202F}", 4),
        Locale::Es => (".", 5),
        Locale::Ar => ("\u{066C}", 4),
    };
    let mut grouped = String::with_capacity(digits.len() * 2);
    for (i, digit) in digits.chars().enumerate() {
        let remaining = digits.len() - i;
        if i > 0 && remaining.is_multiple_of(3) && digits.len() >= min_digits_to_group {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    if locale == Locale::Ar {
        grouped = grouped.chars().map(arabic_indic_digit).collect();
    }
    grouped
}

fn arabic_indic_digit(c: char) -> char {
    match c.to_digit(10) {
        // U+0660 is ARABIC-INDIC DIGIT ZERO; the other nine follow it.
        Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
        None => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_groups_thousands_its_own_way() {
        assert_eq!(format_count(Locale::En, 1234567), "1,234,567");
        assert_eq!(format_count(Locale::De, 2000), "2.000");
        assert_eq!(format_count(Locale::Fr, 2000), "2\u{202F}000");
        assert_eq!(format_count(Locale::Es, 2000), "2000");
        assert_eq!(format_count(Locale::Es, 20000), "20.000");
        assert_eq!(format_count(Locale::Ar, 2000), "٢٬٠٠٠");
        assert_eq!(format_count(Locale::En, 999), "999");
        assert_eq!(format_count(Locale::Ar, 7), "٧");
    }
}
