//! Report weeks: Monday 00:00 UTC to the next Monday, as milliseconds since the Unix epoch.

use serde::Serialize;

pub(crate) const WEEK_MS: i64 = 7 * DAY_MS;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// 1970-01-01 was a Thursday; the first Monday 00:00 UTC came four days later.
pub(crate) const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;

/// One week of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportWeek {
    /// Monday 00:00 UTC.
    pub start_ms: i64,
    /// The Monday as `YYYY-MM-DD`.
    pub start_date: String,
}

/// The index of the week holding `ms`, counted in Mondays since the first Monday after the epoch.
/// Floor division, so instants before that Monday land in negative weeks rather than week 0.
pub(crate) fn week_index(ms: i64) -> i64 {
    (ms - FIRST_MONDAY_MS).div_euclid(WEEK_MS)
}

pub(crate) fn week_start_ms(index: i64) -> i64 {
    FIRST_MONDAY_MS + index * WEEK_MS
}

/// Every week that overlaps `[from_ms, until_ms)`, oldest first; `until_ms > from_ms`.
pub(crate) fn weeks_between(from_ms: i64, until_ms: i64) -> Vec<ReportWeek> {
    (week_index(from_ms)..=week_index(until_ms - 1))
        .map(|index| {
            let start_ms = week_start_ms(index);
            ReportWeek {
                start_ms,
                start_date: crate::clock::rfc3339_from_ms(start_ms)[..10].to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 is a Monday.
    const MONDAY_2026_11_23_MS: i64 = 1_795_392_000_000;

    #[test]
    fn weeks_start_on_monday_utc() {
        assert_eq!(
            crate::clock::rfc3339_from_ms(MONDAY_2026_11_23_MS),
            "2026-11-23T00:00:00.000Z"
        );
        let index = week_index(MONDAY_2026_11_23_MS);
        assert_eq!(week_start_ms(index), MONDAY_2026_11_23_MS);
        // Sunday 23:59:59.999 belongs to the week before; Monday 00:00 starts a new one.
        assert_eq!(week_index(MONDAY_2026_11_23_MS - 1), index - 1);
        assert_eq!(week_index(MONDAY_2026_11_23_MS + WEEK_MS - 1), index);
        assert_eq!(week_index(MONDAY_2026_11_23_MS + WEEK_MS), index + 1);
    }

    #[test]
    fn a_range_lists_every_week_it_touches_including_partial_ones() {
        // Wednesday 2026-11-18 to Wednesday 2026-12-02 (exclusive): three weeks.
        let from = MONDAY_2026_11_23_MS - 5 * DAY_MS;
        let until = MONDAY_2026_11_23_MS + 9 * DAY_MS;
        let dates: Vec<String> = weeks_between(from, until)
            .into_iter()
            .map(|w| w.start_date)
            .collect();
        assert_eq!(dates, ["2026-11-16", "2026-11-23", "2026-11-30"]);
        // A range ending exactly on a Monday does not include that Monday's week.
        assert_eq!(
            weeks_between(MONDAY_2026_11_23_MS, MONDAY_2026_11_23_MS + WEEK_MS).len(),
            1
        );
    }

    #[test]
    fn instants_before_the_first_monday_fall_in_negative_weeks() {
        assert_eq!(week_index(0), -1);
        assert_eq!(week_start_ms(-1), FIRST_MONDAY_MS - WEEK_MS);
    }
}
