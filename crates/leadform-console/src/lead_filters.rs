//! The leads list's query parameters (`form`, `campaign_id`, `lead_source`, `intent`, `status`,
//! `from`, `to`, `q`, `spam`, `mine`, `min_score`, `min_velocity`, `page`), so a filtered view is a link to share, and their
//! translation into the store's `LeadFilter`. Bad values get a specific message.

use crate::error::ConsoleError;
use leadform_store::{LeadFilter, LeadStatus, MinVelocity, SpamFilter};
use serde::{Deserialize, Serialize};

/// Leads per page.
pub const PAGE_SIZE: u32 = 50;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The parameters as the URL carries them; empty means "any".
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct LeadsQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub form: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub campaign_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lead_source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub intent: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
    /// `no` (default), `yes` or `any`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub spam: String,
    /// `1`: only leads assigned to me.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mine: String,
    /// Only leads whose person's score is at least this many points.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_score: String,
    /// Only leads whose person gained at least this many points this week.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_velocity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// A whole number of points, or a message naming the parameter.
fn points(name: &str, text: &str) -> Result<Option<i64>, ConsoleError> {
    match text.trim() {
        "" => Ok(None),
        given => given.parse::<i64>().map(Some).map_err(|_| {
            ConsoleError::BadRequest(format!(
                "`{name}` must be a whole number of points, like 50 or -10, not {given:?}"
            ))
        }),
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl LeadsQuery {
    /// The store's filter; `me` is the user `mine` refers to and `now_ms` (the console's clock)
    /// says which week `min_velocity` counts.
    pub fn to_filter(&self, me: i64, now_ms: i64) -> Result<LeadFilter, ConsoleError> {
        let status = match non_empty(&self.status) {
            None => None,
            Some(text) => Some(LeadStatus::parse(&text).ok_or_else(|| {
                ConsoleError::BadRequest(format!(
                    "status {text:?} is not one of open, contacted, qualified, converted, closed"
                ))
            })?),
        };
        let intent = non_empty(&self.intent);
        if let Some(intent) = &intent {
            if intent != "contact_request" && intent != "content_download" {
                return Err(ConsoleError::BadRequest(format!(
                    "intent {intent:?} is not contact_request or content_download"
                )));
            }
        }
        let spam = match self.spam.trim() {
            "" | "no" => SpamFilter::NotSpam,
            "yes" => SpamFilter::OnlySpam,
            "any" => SpamFilter::Any,
            other => {
                return Err(ConsoleError::BadRequest(format!(
                    "spam {other:?} is not no, yes or any"
                )))
            }
        };
        let mine = match self.mine.trim() {
            "" | "0" => false,
            "1" | "on" | "yes" => true,
            other => {
                return Err(ConsoleError::BadRequest(format!(
                    "mine {other:?} is not 1 or 0"
                )))
            }
        };
        let from = non_empty(&self.from)
            .map(|d| day_start_ms("from", &d))
            .transpose()?;
        let to = non_empty(&self.to)
            .map(|d| day_start_ms("to", &d).map(|start| start + DAY_MS))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if to <= from {
                return Err(ConsoleError::BadRequest(
                    "the date `to` is before `from`".to_owned(),
                ));
            }
        }
        Ok(LeadFilter {
            form_id: non_empty(&self.form),
            campaign_id: non_empty(&self.campaign_id),
            lead_source: non_empty(&self.lead_source),
            intent,
            status,
            received_from_ms: from,
            received_before_ms: to,
            text: non_empty(&self.q),
            spam,
            owner_user_id: mine.then_some(me),
            min_score: points("min_score", &self.min_score)?,
            min_velocity: points("min_velocity", &self.min_velocity)?.map(|points| MinVelocity {
                points,
                week_start_ms: leadform_scoring::week_start_ms(now_ms),
            }),
        })
    }

    /// Which page (from 1).
    pub fn page_number(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }

    /// The query string for this view, optionally on another page; empty values are left out.
    pub fn query_string(&self, page: Option<u32>) -> String {
        let mut query = self.clone();
        query.page = page.filter(|p| *p > 1);
        serde_urlencoded::to_string(&query).unwrap_or_default()
    }

    pub fn is_filtered(&self) -> bool {
        let mut plain = self.clone();
        plain.page = None;
        plain != LeadsQuery::default()
    }
}

/// `YYYY-MM-DD` → ms at 00:00 UTC that day.
pub(crate) fn day_start_ms(name: &str, date: &str) -> Result<i64, ConsoleError> {
    let bad = || {
        ConsoleError::BadRequest(format!(
            "`{name}` must be a date like 2026-11-23, not {date:?}"
        ))
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(bad());
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(bad());
    }
    let year: i64 = year.parse().map_err(|_| bad())?;
    let month: i64 = month.parse().map_err(|_| bad())?;
    let day: i64 = day.parse().map_err(|_| bad())?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1..=days_in_month).contains(&day) {
        return Err(bad());
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_utc_days_and_bad_ones_are_named() {
        assert_eq!(day_start_ms("from", "1970-01-01").unwrap(), 0);
        assert_eq!(
            day_start_ms("from", "2026-11-23").unwrap(),
            1_795_392_000_000
        );
        assert_eq!(
            day_start_ms("from", "2024-02-29").unwrap(),
            1_709_164_800_000
        );
        for bad in ["2026-02-29", "2026-13-01", "23.11.2026", "2026-1-01", "x"] {
            let error = day_start_ms("from", bad).unwrap_err().to_string();
            assert!(
                error.contains("`from` must be a date like 2026-11-23"),
                "{error}"
            );
        }
        let query = LeadsQuery {
            from: "2026-11-23".into(),
            to: "2026-11-23".into(),
            ..Default::default()
        };
        let filter = query.to_filter(7, 0).unwrap();
        assert_eq!(filter.received_from_ms, Some(1_795_392_000_000));
        assert_eq!(filter.received_before_ms, Some(1_795_392_000_000 + DAY_MS));
    }

    #[test]
    fn a_view_round_trips_through_its_query_string() {
        let query = LeadsQuery {
            form: "contact-us".into(),
            q: "ada & co".into(),
            mine: "1".into(),
            ..Default::default()
        };
        let text = query.query_string(Some(3));
        assert_eq!(text, "form=contact-us&q=ada+%26+co&mine=1&page=3");
        let back: LeadsQuery = serde_urlencoded::from_str(&text).unwrap();
        assert_eq!(back.page_number(), 3);
        assert_eq!(back.to_filter(7, 0).unwrap().owner_user_id, Some(7));
        assert!(LeadsQuery {
            status: "won".into(),
            ..Default::default()
        }
        .to_filter(1, 0)
        .is_err());
        assert!(LeadsQuery {
            spam: "maybe".into(),
            ..Default::default()
        }
        .to_filter(1, 0)
        .is_err());
    }
}
