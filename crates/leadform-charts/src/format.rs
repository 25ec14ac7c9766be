//! Numbers as people read them.

/// `1234567` → `"1,234,567"`.
pub fn grouped_number(value: i128) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        let digits_left = digits.len() - index;
        if index > 0 && digits_left.is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Short axis labels: `950` → `"950"`, `12_500` → `"12.5k"`, `3_000_000` → `"3M"`.
/// Below 10,000 the full number is short enough: `"9,999"`.
pub fn compact_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude < 10_000.0 {
        // Ticks can be fractional (a moving average); show one decimal only where there is one.
        if (value - value.round()).abs() < 1e-9 {
            return grouped_number(value.round() as i128);
        }
        return format!("{value:.1}");
    }
    const UNITS: [(f64, &str); 5] = [
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "B"),
        (1e6, "M"),
    ];
    let (divisor, suffix) = UNITS
        .iter()
        .copied()
        .find(|(divisor, _)| magnitude >= *divisor)
        .unwrap_or((1e3, "k"));
    let scaled = value / divisor;
    let text = format!("{scaled:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}{suffix}")
}

/// `0.256` → `"25.6%"`; whole numbers without decimals: `0.5` → `"50%"`.
pub fn percent(fraction: f64) -> String {
    let text = format!("{:.1}", fraction * 100.0);
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}%")
}

/// `"leads"` → `"Leads"`.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped_number(0), "0");
        assert_eq!(grouped_number(999), "999");
        assert_eq!(grouped_number(1000), "1,000");
        assert_eq!(grouped_number(-1234567), "-1,234,567");
        assert_eq!(
            grouped_number(u64::MAX.into()),
            "18,446,744,073,709,551,615"
        );
    }

    #[test]
    fn compacts_big_numbers_for_axes() {
        assert_eq!(compact_number(0.0), "0");
        assert_eq!(compact_number(9999.0), "9,999");
        assert_eq!(compact_number(12_500.0), "12.5k");
        assert_eq!(compact_number(3_000_000.0), "3M");
        assert_eq!(compact_number(-2_500_000_000.0), "-2.5B");
        assert_eq!(compact_number(1.8e19), "18E");
        assert_eq!(compact_number(2.5), "2.5");
    }

    #[test]
    fn percents_drop_a_useless_decimal() {
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(percent(0.0), "0%");
    }
}
