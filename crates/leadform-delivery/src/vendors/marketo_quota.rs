//! When Marketo's daily API quota resets: midnight US Central time (CST, UTC−6; CDT, UTC−5 from the
//! second Sunday of March to the first Sunday of November). Computed here rather than with a time
//! zone database: the US rule has been fixed since 2007 and this is its only use.

use leadform_core::time::{civil_from_days, days_from_civil};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// The first US Central midnight after `now`.
pub fn next_reset(now: SystemTime) -> SystemTime {
    let now_s = match now.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX / 2),
        Err(_) => 0,
    };
    // The local day of `now`: try daylight time first; if that day began in standard time, the
    // standard offset gives the right day.
    let mut local_day = (now_s - 5 * HOUR).div_euclid(DAY);
    if !is_daylight_day(local_day) {
        local_day = (now_s - 6 * HOUR).div_euclid(DAY);
    }
    let mut next = midnight_utc(local_day + 1);
    // The switches happen at 2:00, never at midnight, so one step forward is enough.
    if next <= now_s {
        next = midnight_utc(local_day + 2);
    }
    UNIX_EPOCH + Duration::from_secs(u64::try_from(next).unwrap_or(0))
}

/// Midnight at the start of local day `day` (days since 1970-01-01), in Unix seconds.
fn midnight_utc(day: i64) -> i64 {
    let offset = if is_daylight_day(day) { 5 } else { 6 };
    day * DAY + offset * HOUR
}

/// Is midnight of local day `day` in daylight time? From the day after the second Sunday of March
/// (the switch is at 2:00) through the first Sunday of November (the switch back is at 2:00).
fn is_daylight_day(day: i64) -> bool {
    let (year, _, _) = civil_from_days(day);
    let march_second_sunday = nth_sunday(year, 3, 2);
    let november_first_sunday = nth_sunday(year, 11, 1);
    day > march_second_sunday && day <= november_first_sunday
}

/// The `n`th Sunday of a month, as days since the epoch.
fn nth_sunday(year: i64, month: i64, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (day + 4) mod 7.
    let weekday = (first + 4).rem_euclid(7);
    first + (7 - weekday) % 7 + 7 * (n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        httpdate::parse_http_date(text).expect(text)
    }

    fn reset_after(text: &str) -> String {
        httpdate::fmt_http_date(next_reset(at(text)))
    }

    #[test]
    fn the_quota_resets_at_the_next_central_midnight() {
        // Winter: CST, midnight is 06:00 UTC.
        assert_eq!(
            reset_after("Sun, 29 Nov 2026 15:50:00 GMT"),
            "Mon, 30 Nov 2026 06:00:00 GMT"
        );
        assert_eq!(
            reset_after("Mon, 30 Nov 2026 05:59:59 GMT"),
            "Mon, 30 Nov 2026 06:00:00 GMT"
        );
        assert_eq!(
            reset_after("Mon, 30 Nov 2026 06:00:00 GMT"),
            "Tue, 01 Dec 2026 06:00:00 GMT"
        );
        // Summer: CDT, midnight is 05:00 UTC.
        assert_eq!(
            reset_after("Wed, 15 Jul 2026 04:59:00 GMT"),
            "Wed, 15 Jul 2026 05:00:00 GMT"
        );
        assert_eq!(
            reset_after("Wed, 15 Jul 2026 05:00:00 GMT"),
            "Thu, 16 Jul 2026 05:00:00 GMT"
        );
    }

    #[test]
    fn the_switch_days_use_the_offset_of_their_midnight() {
        // 2026: daylight time from Sunday 8 March to Sunday 1 November.
        assert_eq!(
            reset_after("Sat, 07 Mar 2026 12:00:00 GMT"),
            "Sun, 08 Mar 2026 06:00:00 GMT",
            "8 March starts in standard time"
        );
        assert_eq!(
            reset_after("Sun, 08 Mar 2026 12:00:00 GMT"),
            "Mon, 09 Mar 2026 05:00:00 GMT",
            "9 March starts in daylight time"
        );
        assert_eq!(
            reset_after("Sat, 31 Oct 2026 12:00:00 GMT"),
            "Sun, 01 Nov 2026 05:00:00 GMT",
            "1 November starts in daylight time"
        );
        assert_eq!(
            reset_after("Sun, 01 Nov 2026 12:00:00 GMT"),
            "Mon, 02 Nov 2026 06:00:00 GMT",
            "2 November starts in standard time"
        );
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }
}
