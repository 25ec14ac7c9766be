//! Lead volume: leads per week by campaign and by lead source, the intent split, and the spam share
//! per form, from one grouped scan of the range.

use std::collections::BTreeMap;

use leadform_core::Intent;
use serde::Serialize;
use sqlx::Row;

use crate::backend::{with_backend, Backend};
use crate::error::failed;

use super::query::{OverviewQuery, ReportError};
use super::weeks::{week_index, FIRST_MONDAY_MS, WEEK_MS};

/// Leads per week for one campaign or lead source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeeklySeries {
    /// The campaign id or lead source; `None` for leads that carried none.
    pub name: Option<String>,
    /// One count per week of the overview, oldest first.
    pub counts: Vec<u64>,
    pub total: u64,
}

/// Contact requests (respond fast) against content downloads (nurture).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntentSplit {
    pub contact_requests: u64,
    pub content_downloads: u64,
}

/// How much of a form's traffic was flagged as spam.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormSpamShare {
    pub form_id: String,
    /// Every lead of the form in the range, spam included.
    pub leads: u64,
    pub spam: u64,
    /// `spam / leads`, from 0 to 1.
    pub share: f64,
}

pub(crate) struct LeadVolume {
    pub by_campaign: Vec<WeeklySeries>,
    pub by_lead_source: Vec<WeeklySeries>,
    pub intent_split: IntentSplit,
    pub spam_share_by_form: Vec<FormSpamShare>,
}

/// One group of the scan.
struct VolumeGroup {
    week: usize,
    campaign_id: Option<String>,
    lead_source: Option<String>,
    /// `None` for text the handler never writes: counted in the series, in neither intent.
    intent: Option<Intent>,
    form_id: String,
    is_spam: bool,
    leads: u64,
}

pub(crate) async fn lead_volume(
    backend: &Backend,
    query: &OverviewQuery,
    week_count: usize,
) -> Result<LeadVolume, ReportError> {
    let first_week = week_index(query.from_ms);
    // The absolute week index, `(received_at_ms - FIRST_MONDAY_MS) / WEEK_MS`, written exactly as
    // PostgreSQL's statistics `leads_overview_week` (migration 0013) name it: with them the planner
    // knows the groups are few and hashes them, instead of sorting 100,000 rows on disk. Leads are
    // received after 1970-01-05, so the integer division (truncating in both dialects) is a floor.
    let sql = format!(
        "SELECT (received_at_ms - {FIRST_MONDAY_MS}) / {WEEK_MS} AS week, campaign_id,
                lead_source, intent, form_id, is_spam, COUNT(*) AS leads
         FROM leads
         WHERE received_at_ms >= $1 AND received_at_ms < $2{form}
         GROUP BY 1, 2, 3, 4, 5, 6",
        form = query.form_clause("form_id", 3),
    );
    let groups = with_backend!(backend, |pool, dialect| {
        let read = failed(dialect.name(), "count the leads per week");
        let mut statement = sqlx::query(&sql).bind(query.from_ms).bind(query.until_ms);
        if let Some(form_id) = &query.form_id {
            statement = statement.bind(form_id);
        }
        let rows = statement.fetch_all(pool).await.map_err(&read)?;
        rows.iter()
            .map(|row| {
                let week: i64 = row.try_get("week").map_err(&read)?;
                let leads: i64 = row.try_get("leads").map_err(&read)?;
                Ok(VolumeGroup {
                    week: usize::try_from(week - first_week).unwrap_or(usize::MAX),
                    campaign_id: row.try_get("campaign_id").map_err(&read)?,
                    lead_source: row.try_get("lead_source").map_err(&read)?,
                    intent: row
                        .try_get::<&str, _>("intent")
                        .map_err(&read)?
                        .parse()
                        .ok(),
                    form_id: row.try_get("form_id").map_err(&read)?,
                    is_spam: row.try_get("is_spam").map_err(&read)?,
                    leads: u64::try_from(leads).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, ReportError>>()?
    });
    Ok(summarise(&groups, week_count))
}

fn summarise(groups: &[VolumeGroup], week_count: usize) -> LeadVolume {
    let mut by_campaign: BTreeMap<Option<String>, Vec<u64>> = BTreeMap::new();
    let mut by_lead_source: BTreeMap<Option<String>, Vec<u64>> = BTreeMap::new();
    let mut intent_split = IntentSplit::default();
    let mut spam_by_form: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for group in groups {
        let form = spam_by_form.entry(group.form_id.clone()).or_default();
        form.0 += group.leads;
        if group.is_spam {
            form.1 += group.leads;
            continue;
        }
        match group.intent {
            Some(Intent::ContactRequest) => intent_split.contact_requests += group.leads,
            Some(Intent::ContentDownload) => intent_split.content_downloads += group.leads,
            None => {}
        }
        for (series, name) in [
            (&mut by_campaign, &group.campaign_id),
            (&mut by_lead_source, &group.lead_source),
        ] {
            let counts = series
                .entry(name.clone())
                .or_insert_with(|| vec![0; week_count]);
            if let Some(count) = counts.get_mut(group.week) {
                *count += group.leads;
            }
        }
    }
    LeadVolume {
        by_campaign: largest_first(by_campaign),
        by_lead_source: largest_first(by_lead_source),
        intent_split,
        spam_share_by_form: spam_by_form
            .into_iter()
            .map(|(form_id, (leads, spam))| FormSpamShare {
                form_id,
                leads,
                spam,
                share: if leads == 0 {
                    0.0
                } else {
                    spam as f64 / leads as f64
                },
            })
            .collect(),
    }
}

/// Most leads first; ties by name, so the order is stable between runs.
fn largest_first(series: BTreeMap<Option<String>, Vec<u64>>) -> Vec<WeeklySeries> {
    let mut series: Vec<WeeklySeries> = series
        .into_iter()
        .map(|(name, counts)| WeeklySeries {
            total: counts.iter().sum(),
            name,
            counts,
        })
        .collect();
    // A stable sort keeps the BTreeMap's name order among equal totals.
    series.sort_by_key(|s| std::cmp::Reverse(s.total));
    series
}

#[cfg(test)]
mod tests {
    use super::{FIRST_MONDAY_MS, WEEK_MS};

    /// PostgreSQL uses statistics on an expression only for the very same expression: the
    /// migration and the query must say it alike.
    #[test]
    fn the_week_expression_is_the_one_migration_0013_has_statistics_on() {
        let in_query = format!("(received_at_ms - {FIRST_MONDAY_MS}) / {WEEK_MS}");
        let migration = include_str!("../../migrations/postgres/0013_overview_week_statistics.sql");
        assert!(
            migration.contains(&format!("ON ({in_query}) FROM leads;")),
            "{in_query}"
        );
    }
}
