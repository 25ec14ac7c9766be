//! Speed to lead: how fast contact requests are answered. Content downloads are left out of this
//! clock: they go to nurture, nobody is meant to phone them.
//!
//! The clock runs from `received_at_ms` to `first_contacted_at_ms` (the first move from `open` to
//! `contacted` or beyond). A contact request closed without ever being contacted (a duplicate, not
//! our market) is out of the clock too: nobody owed it an answer.

use serde::Serialize;
use sqlx::Row;

use crate::backend::{with_backend, Backend};
use crate::error::failed;

use super::query::{OverviewQuery, ReportError};

/// The overdue list shows this many contact requests at most; `overdue_total` counts them all.
pub const OVERDUE_LIST_LIMIT: usize = 100;

/// Speed-to-lead figures for the contact requests received in the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedToLead {
    /// Contact requests received in the range (not spam).
    pub contact_requests: u64,
    /// Of those, contacted (at any time up to now).
    pub answered: u64,
    /// Median time from received to first contacted, over the answered ones.
    pub median_ms: Option<i64>,
    /// 90th percentile of the same times.
    pub p90_ms: Option<i64>,
    /// Answered within their form's response target.
    pub answered_within_target: u64,
    /// Answered after the target, or still unanswered past it.
    pub missed_target: u64,
    /// Not answered yet, but still within the target: not judged yet.
    pub waiting_within_target: u64,
    /// Closed without ever being contacted: out of the clock.
    pub closed_without_contact: u64,
    /// `answered_within_target / (answered_within_target + missed_target)`; `None` when no
    /// contact request has been judged yet.
    pub share_within_target: Option<f64>,
    /// Contact requests still `open`, never contacted and past their target: oldest first, at
    /// most [`OVERDUE_LIST_LIMIT`].
    pub overdue: Vec<OverdueContactRequest>,
    /// How many contact requests are overdue in all.
    pub overdue_total: u64,
}

/// A contact request nobody has answered although its target has passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueContactRequest {
    pub lead_id: i64,
    pub form_id: String,
    pub email: Option<String>,
    pub lead_source: Option<String>,
    pub campaign_id: Option<String>,
    pub received_at_ms: i64,
    /// `now - received_at_ms`.
    pub waiting_ms: i64,
    /// The form's response target.
    pub target_ms: i64,
}

/// The part of a contact request the clock needs.
struct ContactRequestClock {
    lead_id: i64,
    form_id: String,
    received_at_ms: i64,
    first_contacted_at_ms: Option<i64>,
    status: String,
}

pub(crate) async fn speed_to_lead(
    backend: &Backend,
    query: &OverviewQuery,
) -> Result<SpeedToLead, ReportError> {
    let clocks = contact_request_clocks(backend, query).await?;
    let mut figures = SpeedToLead {
        contact_requests: u64::try_from(clocks.len()).unwrap_or(u64::MAX),
        answered: 0,
        median_ms: None,
        p90_ms: None,
        answered_within_target: 0,
        missed_target: 0,
        waiting_within_target: 0,
        closed_without_contact: 0,
        share_within_target: None,
        overdue: Vec::new(),
        overdue_total: 0,
    };
    let mut answer_times = Vec::new();
    let mut overdue = Vec::new();
    for clock in &clocks {
        let target_ms = query.response_target_ms(&clock.form_id);
        match clock.first_contacted_at_ms {
            Some(contacted_at_ms) => {
                let answer_ms = contacted_at_ms - clock.received_at_ms;
                answer_times.push(answer_ms);
                figures.answered += 1;
                if answer_ms <= target_ms {
                    figures.answered_within_target += 1;
                } else {
                    figures.missed_target += 1;
                }
            }
            None if clock.status == "closed" => figures.closed_without_contact += 1,
            None if query.now_ms - clock.received_at_ms > target_ms => {
                figures.missed_target += 1;
                if clock.status == "open" {
                    overdue.push((clock.received_at_ms, clock.lead_id, target_ms));
                }
            }
            None => figures.waiting_within_target += 1,
        }
    }
    answer_times.sort_unstable();
    figures.median_ms = percentile(&answer_times, 0.5);
    figures.p90_ms = percentile(&answer_times, 0.9);
    let judged = figures.answered_within_target + figures.missed_target;
    figures.share_within_target =
        (judged > 0).then(|| figures.answered_within_target as f64 / judged as f64);
    overdue.sort_unstable();
    figures.overdue_total = u64::try_from(overdue.len()).unwrap_or(u64::MAX);
    overdue.truncate(OVERDUE_LIST_LIMIT);
    figures.overdue = overdue_details(backend, query.now_ms, &overdue).await?;
    Ok(figures)
}

async fn contact_request_clocks(
    backend: &Backend,
    query: &OverviewQuery,
) -> Result<Vec<ContactRequestClock>, ReportError> {
    // `NOT is_spam`: SQLite reads the range by `(intent, received_at_ms)` instead of `leads_spam`.
    let sql = format!(
        "SELECT id, form_id, received_at_ms, first_contacted_at_ms, status FROM leads
         WHERE intent = 'contact_request' AND NOT is_spam
           AND received_at_ms >= $1 AND received_at_ms < $2{form}",
        form = query.form_clause("form_id", 3),
    );
    Ok(with_backend!(backend, |pool, dialect| {
        let read = failed(dialect.name(), "read the contact requests' response times");
        let mut statement = sqlx::query(&sql).bind(query.from_ms).bind(query.until_ms);
        if let Some(form_id) = &query.form_id {
            statement = statement.bind(form_id);
        }
        let rows = statement.fetch_all(pool).await.map_err(&read)?;
        rows.iter()
            .map(|row| {
                Ok(ContactRequestClock {
                    lead_id: row.try_get("id").map_err(&read)?,
                    form_id: row.try_get("form_id").map_err(&read)?,
                    received_at_ms: row.try_get("received_at_ms").map_err(&read)?,
                    first_contacted_at_ms: row.try_get("first_contacted_at_ms").map_err(&read)?,
                    status: row.try_get("status").map_err(&read)?,
                })
            })
            .collect::<Result<Vec<_>, ReportError>>()?
    }))
}

/// The overdue list's rows, in the order of `overdue` (oldest first).
async fn overdue_details(
    backend: &Backend,
    now_ms: i64,
    overdue: &[(i64, i64, i64)],
) -> Result<Vec<OverdueContactRequest>, ReportError> {
    if overdue.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=overdue.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, form_id, email, lead_source, campaign_id, received_at_ms FROM leads
         WHERE id IN ({}) ORDER BY received_at_ms, id",
        placeholders.join(", ")
    );
    let targets: std::collections::HashMap<i64, i64> = overdue
        .iter()
        .map(|&(_, lead_id, target_ms)| (lead_id, target_ms))
        .collect();
    Ok(with_backend!(backend, |pool, dialect| {
        let read = failed(dialect.name(), "read the overdue contact requests");
        let mut statement = sqlx::query(&sql);
        for &(_, lead_id, _) in overdue {
            statement = statement.bind(lead_id);
        }
        let rows = statement.fetch_all(pool).await.map_err(&read)?;
        rows.iter()
            .map(|row| {
                let lead_id: i64 = row.try_get("id").map_err(&read)?;
                let received_at_ms: i64 = row.try_get("received_at_ms").map_err(&read)?;
                Ok(OverdueContactRequest {
                    lead_id,
                    form_id: row.try_get("form_id").map_err(&read)?,
                    email: row.try_get("email").map_err(&read)?,
                    lead_source: row.try_get("lead_source").map_err(&read)?,
                    campaign_id: row.try_get("campaign_id").map_err(&read)?,
                    received_at_ms,
                    waiting_ms: now_ms - received_at_ms,
                    target_ms: targets.get(&lead_id).copied().unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, ReportError>>()?
    }))
}

/// The `fraction` percentile of sorted values, interpolated between neighbours like PostgreSQL's
/// `percentile_cont`: the median of 1 h and 3 h is 2 h.
fn percentile(sorted: &[i64], fraction: f64) -> Option<i64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = fraction * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let (low, high) = (sorted[below] as f64, sorted[above.min(last)] as f64);
    Some((low + (high - low) * (rank - below as f64)).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_interpolate_like_percentile_cont() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.5), Some(7));
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[1, 3], 0.5), Some(2));
        assert_eq!(
            percentile(&[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9),
            Some(91)
        );
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 0.5), Some(3));
        assert_eq!(percentile(&[0, 1000], 0.9), Some(900));
    }
}
