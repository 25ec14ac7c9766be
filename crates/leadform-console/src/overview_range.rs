//! The overview's query parameters (`from`, `to`, `form`) ⇄ the store's `OverviewQuery`. Without
//! dates the overview covers the last 8 weeks on the console's clock: this week and the seven
//! before it, whole weeks from Monday, up to today.

use crate::error::ConsoleError;
use crate::lead_filters::day_start_ms;
use leadform_store::OverviewQuery;
use serde::Deserialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Weeks shown when no `from` is given.
pub const DEFAULT_WEEKS: i64 = 8;
/// 1970-01-05 was the first Monday after the epoch.
const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;

/// `/console/?from=2026-10-05&to=2026-11-29&form=contact-us`; every parameter optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OverviewParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub form: String,
}

/// The range actually shown, with the dates to put back in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRange {
    pub from_date: String,
    pub to_date: String,
    pub form_id: Option<String>,
    pub from_ms: i64,
    /// Exclusive: the start of the day after `to_date`.
    pub until_ms: i64,
}

fn date_of(ms: i64) -> String {
    leadform_core::time::rfc3339_from_ms(ms)[..10].to_owned()
}

impl OverviewParams {
    /// The range these parameters ask for, judged at `now_ms`. A form not in `known_forms` is
    /// refused by name rather than showing an empty page.
    pub fn range(
        &self,
        now_ms: i64,
        known_forms: &BTreeMap<String, leadform_core::FormDefinition>,
    ) -> Result<OverviewRange, ConsoleError> {
        let to_date = match self.to.trim() {
            "" => date_of(now_ms),
            given => given.to_owned(),
        };
        let until_ms = day_start_ms("to", &to_date)? + DAY_MS;
        let from_date = match self.from.trim() {
            "" => {
                let last_day = until_ms - 1;
                let this_monday =
                    FIRST_MONDAY_MS + (last_day - FIRST_MONDAY_MS).div_euclid(WEEK_MS) * WEEK_MS;
                date_of(this_monday - (DEFAULT_WEEKS - 1) * WEEK_MS)
            }
            given => given.to_owned(),
        };
        let from_ms = day_start_ms("from", &from_date)?;
        if until_ms <= from_ms {
            return Err(ConsoleError::BadRequest(
                "the date `to` is before `from`".to_owned(),
            ));
        }
        let form_id = match self.form.trim() {
            "" => None,
            id if known_forms.contains_key(id) => Some(id.to_owned()),
            unknown => {
                return Err(ConsoleError::BadRequest(format!(
                    "there is no form {unknown:?}"
                )))
            }
        };
        Ok(OverviewRange {
            from_date,
            to_date,
            form_id,
            from_ms,
            until_ms,
        })
    }
}

impl OverviewRange {
    /// The store's query: this range, each form's response target, overdue judged at `now_ms`.
    pub fn to_query(
        &self,
        now_ms: i64,
        forms: &BTreeMap<String, leadform_core::FormDefinition>,
    ) -> OverviewQuery {
        let mut query = OverviewQuery::new(self.from_ms, self.until_ms, now_ms);
        query.form_id = self.form_id.clone();
        query.response_target_hours = forms
            .iter()
            .map(|(id, form)| (id.clone(), form.response_target_hours))
            .collect();
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sunday 2026-11-29 12:00 UTC.
    const SUNDAY_NOON_MS: i64 = 1_795_953_600_000;

    #[test]
    fn without_dates_it_is_the_last_eight_whole_weeks_up_to_today() {
        let range = OverviewParams::default()
            .range(SUNDAY_NOON_MS, &BTreeMap::new())
            .unwrap();
        assert_eq!(range.to_date, "2026-11-29");
        // This week's Monday is 2026-11-23; seven weeks before it is 2026-10-05.
        assert_eq!(range.from_date, "2026-10-05");
        assert_eq!(range.until_ms - range.from_ms, 8 * WEEK_MS);
        assert_eq!(range.form_id, None);
    }

    #[test]
    fn bad_dates_reversed_ranges_and_unknown_forms_are_refused_by_name() {
        let forms = BTreeMap::new();
        let bad = OverviewParams {
            from: "29/11/2026".into(),
            ..OverviewParams::default()
        };
        assert!(bad
            .range(SUNDAY_NOON_MS, &forms)
            .unwrap_err()
            .to_string()
            .contains("`from` must be a date"));
        let reversed = OverviewParams {
            from: "2026-11-20".into(),
            to: "2026-11-01".into(),
            ..OverviewParams::default()
        };
        assert!(reversed.range(SUNDAY_NOON_MS, &forms).is_err());
        let unknown = OverviewParams {
            form: "nope".into(),
            ..OverviewParams::default()
        };
        assert!(unknown
            .range(SUNDAY_NOON_MS, &forms)
            .unwrap_err()
            .to_string()
            .contains("there is no form \"nope\""));
    }
}
