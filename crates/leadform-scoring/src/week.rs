//! ISO weeks in UTC: Monday 00:00 to the next Monday 00:00.

/// One week in milliseconds.
pub const WEEK_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Monday 1969-12-29 00:00 UTC: the epoch itself was a Thursday.
const FIRST_MONDAY_MS: i64 = -3 * 24 * 60 * 60 * 1000;

/// The start (Monday 00:00 UTC) of the ISO week holding `at_ms`.
pub fn week_start_ms(at_ms: i64) -> i64 {
    (at_ms - FIRST_MONDAY_MS).div_euclid(WEEK_MS) * WEEK_MS + FIRST_MONDAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        // 2026-11-23 is a Monday; 2026-11-29 23:59:59.999 is the Sunday that ends its week.
        let monday = 1_795_392_000_000;
        assert_eq!(week_start_ms(monday), monday);
        assert_eq!(week_start_ms(monday + WEEK_MS - 1), monday);
        assert_eq!(week_start_ms(monday + WEEK_MS), monday + WEEK_MS);
        assert_eq!(week_start_ms(monday - 1), monday - WEEK_MS);
        assert_eq!(week_start_ms(0), FIRST_MONDAY_MS);
    }
}
