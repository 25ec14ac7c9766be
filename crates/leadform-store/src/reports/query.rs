//! What an overview is asked for, and what it refuses.

use std::collections::BTreeMap;

use crate::error::StoreError;

use super::weeks::week_index;

/// A contact request is answered in time when it is contacted within this many hours, unless the
/// form sets its own `response_target_hours`.
pub const DEFAULT_RESPONSE_TARGET_HOURS: u32 = 24;

/// Ten years of weeks: a longer range is a mistake, and would only make a chart unreadable.
pub const MAX_REPORT_WEEKS: usize = 530;

/// The range and form an overview covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewQuery {
    /// Leads received at or after this instant (ms since the Unix epoch, UTC).
    pub from_ms: i64,
    /// Leads received before this instant.
    pub until_ms: i64,
    /// Only this form's leads; every form when `None`.
    pub form_id: Option<String>,
    /// Form id → response target in hours; forms not listed get
    /// [`DEFAULT_RESPONSE_TARGET_HOURS`].
    pub response_target_hours: BTreeMap<String, u32>,
    /// "Now" for judging which contact requests are past their target: the caller's clock.
    pub now_ms: i64,
}

impl OverviewQuery {
    /// Every form, default response targets.
    pub fn new(from_ms: i64, until_ms: i64, now_ms: i64) -> OverviewQuery {
        OverviewQuery {
            from_ms,
            until_ms,
            form_id: None,
            response_target_hours: BTreeMap::new(),
            now_ms,
        }
    }

    /// The response target of `form_id`, in milliseconds.
    pub fn response_target_ms(&self, form_id: &str) -> i64 {
        let hours = self
            .response_target_hours
            .get(form_id)
            .copied()
            .unwrap_or(DEFAULT_RESPONSE_TARGET_HOURS);
        i64::from(hours) * 60 * 60 * 1000
    }

    pub(crate) fn check(&self) -> Result<(), ReportError> {
        if self.until_ms <= self.from_ms {
            return Err(ReportError::EmptyRange {
                from_ms: self.from_ms,
                until_ms: self.until_ms,
            });
        }
        let weeks = week_index(self.until_ms - 1).saturating_sub(week_index(self.from_ms)) + 1;
        if usize::try_from(weeks).map_or(true, |weeks| weeks > MAX_REPORT_WEEKS) {
            return Err(ReportError::RangeTooLong { weeks });
        }
        Ok(())
    }

    /// `AND form_id = $N` when a form is chosen; the caller binds `form_id` as parameter `$N`.
    pub(crate) fn form_clause(&self, column: &str, parameter: usize) -> String {
        match self.form_id {
            Some(_) => format!(" AND {column} = ${parameter}"),
            None => String::new(),
        }
    }
}

/// Why an overview could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the report range is empty: it must end after it starts (from {from_ms} ms, until {until_ms} ms)")]
    EmptyRange { from_ms: i64, until_ms: i64 },
    #[error(
        "the report range spans {weeks} weeks; at most {MAX_REPORT_WEEKS} fit in one overview"
    )]
    RangeTooLong { weeks: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_reversed_range_is_refused_by_name() {
        let query = OverviewQuery::new(10, 10, 0);
        assert!(matches!(query.check(), Err(ReportError::EmptyRange { .. })));
        let query = OverviewQuery::new(10, 5, 0);
        assert!(query
            .check()
            .unwrap_err()
            .to_string()
            .contains("must end after it starts"));
    }

    #[test]
    fn a_range_of_more_than_ten_years_is_refused() {
        let week = 7 * 24 * 3_600_000;
        assert!(OverviewQuery::new(0, 500 * week, 0).check().is_ok());
        let query = OverviewQuery::new(0, 600 * week, 0);
        assert!(matches!(
            query.check(),
            Err(ReportError::RangeTooLong { .. })
        ));
    }

    #[test]
    fn forms_without_their_own_target_get_the_default() {
        let mut query = OverviewQuery::new(0, 1, 0);
        query.response_target_hours.insert("contact-us".into(), 4);
        assert_eq!(query.response_target_ms("contact-us"), 4 * 3_600_000);
        assert_eq!(query.response_target_ms("other"), 24 * 3_600_000);
    }
}
