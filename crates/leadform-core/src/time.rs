//! One RFC 3339 format for every timestamp Leadform shows or sends: the handler's fallback
//! `submitted_at`, the webhook's `received_at`, and the store's export and outbox columns.
//!
//! Pure arithmetic (no clock, no dependency), so the widget's wasm build can use it too.

/// `ms` since the Unix epoch as UTC RFC 3339 with millisecond precision: `2026-11-23T07:00:00.000Z`.
///
/// Times before 1970 are exact (the proleptic Gregorian calendar); nothing is clamped. Years
/// outside 0000–9999 cannot be written in RFC 3339, so they come out with more or fewer digits
/// (`-0001-…`, `10000-…`) rather than wrong: no real lead is stamped that far from now.
pub fn rfc3339_from_ms(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Shifted so eras start on 0000-03-01: the leap day is then the last day of an era's year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Howard Hinnant's `days_from_civil`, the inverse of [`civil_from_days`]: days since 1970-01-01
/// of a proleptic Gregorian date. The caller checks that the date exists.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Shifted so eras start on 0000-03-01, as in `civil_from_days`.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, days_from_civil, rfc3339_from_ms};

    #[test]
    fn days_and_dates_convert_both_ways() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2026, 11, 23),
            1_795_392_000_000 / 86_400_000
        );
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for day in [-800_000, -1, 0, 59, 10_957, 20_780, 2_932_896] {
            let (year, month, date) = civil_from_days(day);
            assert_eq!(
                days_from_civil(year, month, date),
                day,
                "{year}-{month}-{date}"
            );
        }
    }

    #[test]
    fn the_epoch() {
        assert_eq!(rfc3339_from_ms(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn milliseconds_are_always_three_digits() {
        assert_eq!(rfc3339_from_ms(1), "1970-01-01T00:00:00.001Z");
        assert_eq!(
            rfc3339_from_ms(1_795_417_506_123),
            "2026-11-23T07:05:06.123Z"
        );
        assert_eq!(
            rfc3339_from_ms(1_795_417_200_000),
            "2026-11-23T07:00:00.000Z"
        );
    }

    #[test]
    fn leap_days() {
        // 2024 is a leap year (divisible by 4).
        assert_eq!(
            rfc3339_from_ms(1_709_210_096_789),
            "2024-02-29T12:34:56.789Z"
        );
        assert_eq!(
            rfc3339_from_ms(1_709_164_800_000 + 86_400_000),
            "2024-03-01T00:00:00.000Z"
        );
        // 2000 is one too (divisible by 400).
        assert_eq!(rfc3339_from_ms(951_782_400_001), "2000-02-29T00:00:00.001Z");
    }

    #[test]
    fn year_2100_has_no_leap_day() {
        // 2100 is divisible by 100 but not 400: 28 February is followed by 1 March.
        assert_eq!(
            rfc3339_from_ms(4_107_542_400_000 - 1),
            "2100-02-28T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339_from_ms(4_107_542_400_000),
            "2100-03-01T00:00:00.000Z"
        );
    }

    #[test]
    fn times_before_1970_are_exact_not_clamped() {
        assert_eq!(rfc3339_from_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            rfc3339_from_ms(-2_208_988_800_000),
            "1900-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn years_past_9999_get_a_fifth_digit() {
        // 10000-01-01T00:00:00Z.
        assert_eq!(
            rfc3339_from_ms(253_402_300_800_000),
            "10000-01-01T00:00:00.000Z"
        );
    }
}
