//! The funnel by lead source: open → contacted → qualified → converted.
//!
//! A lead counts at every stage it has reached, even if it moved back or was closed since: the
//! furthest stage comes from its current status, its status history (`lead_status_changes`) and
//! `first_contacted_at_ms`, whichever reaches further.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use crate::backend::{with_backend, Backend};
use crate::error::failed;

use super::query::{OverviewQuery, ReportError};

/// The funnel's stages, in order.
pub const FUNNEL_STAGES: [&str; 4] = ["open", "contacted", "qualified", "converted"];

/// One lead source's funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceFunnel {
    /// `None` for leads that carried no lead source.
    pub lead_source: Option<String>,
    /// Leads that reached each stage of [`FUNNEL_STAGES`]; the first is every lead.
    pub reached: [u64; 4],
    /// Leads closed now (at whatever stage they had reached).
    pub closed: u64,
    /// `reached[i + 1] / reached[i]`: open → contacted, contacted → qualified,
    /// qualified → converted; `None` where no lead reached the earlier stage.
    pub step_rates: [Option<f64>; 3],
    /// converted / open.
    pub overall_rate: Option<f64>,
}

/// The stage a status stands for; `closed` and anything unknown reach nothing beyond `open`.
const STAGE_OF_STATUS_SQL: &str =
    "CASE {status} WHEN 'contacted' THEN 1 WHEN 'qualified' THEN 2 WHEN 'converted' THEN 3 ELSE 0 END";

pub(crate) async fn funnel_by_lead_source(
    backend: &Backend,
    query: &OverviewQuery,
) -> Result<Vec<SourceFunnel>, ReportError> {
    let current_stage = STAGE_OF_STATUS_SQL.replace("{status}", "l.status");
    let history_stage = STAGE_OF_STATUS_SQL.replace("{status}", "c.to_status");
    // The furthest stage in each lead's history comes from one grouped pass over the history,
    // hash-joined to the leads: a lookup per lead (a correlated subquery) cost PostgreSQL three
    // times as much on 100,000 leads, and pushed its plan cost over the JIT threshold. A lead
    // received in the range can only have changed after `from_ms`, which bounds the pass. The
    // casts keep PostgreSQL's int4 CASE results readable as i64 on both backends.
    // `NOT l.is_spam` rather than `= FALSE`: SQLite then reads the range from the covering index
    // `leads_overview` instead of `leads_spam`, which sent it to every wide lead row (0.69 s → 0.34 s
    // for 100,000 leads under load); PostgreSQL plans both alike.
    let sql = format!(
        "SELECT staged.lead_source, staged.closed, staged.current_stage, staged.contacted,
                CAST(COALESCE(history.stage, 0) AS BIGINT) AS history_stage, COUNT(*) AS leads
         FROM (
             SELECT l.id, l.lead_source,
                    CAST(CASE WHEN l.status = 'closed' THEN 1 ELSE 0 END AS BIGINT) AS closed,
                    CAST({current_stage} AS BIGINT) AS current_stage,
                    CAST(CASE WHEN l.first_contacted_at_ms IS NULL THEN 0 ELSE 1 END AS BIGINT)
                        AS contacted
             FROM leads l
             WHERE NOT l.is_spam AND l.received_at_ms >= $1 AND l.received_at_ms < $2{form}
         ) AS staged
         LEFT JOIN (
             SELECT c.lead_id, MAX({history_stage}) AS stage
             FROM lead_status_changes c WHERE c.changed_at_ms >= $1
             GROUP BY c.lead_id
         ) AS history ON history.lead_id = staged.id
         GROUP BY staged.lead_source, staged.closed, staged.current_stage, staged.contacted,
                  history_stage",
        form = query.form_clause("l.form_id", 3),
    );
    let groups = with_backend!(backend, |pool, dialect| {
        let read = failed(dialect.name(), "count the funnel by lead source");
        let mut statement = sqlx::query(&sql).bind(query.from_ms).bind(query.until_ms);
        if let Some(form_id) = &query.form_id {
            statement = statement.bind(form_id);
        }
        let rows = statement.fetch_all(pool).await.map_err(&read)?;
        rows.iter()
            .map(|row| {
                let stage = |column| -> Result<i64, ReportError> {
                    Ok(row.try_get::<i64, _>(column).map_err(&read)?)
                };
                let reached = stage("current_stage")?
                    .max(stage("contacted")?)
                    .max(stage("history_stage")?);
                let lead_source: Option<String> = row.try_get("lead_source").map_err(&read)?;
                let leads = u64::try_from(stage("leads")?).unwrap_or(0);
                Ok((lead_source, stage("closed")? == 1, reached, leads))
            })
            .collect::<Result<Vec<_>, ReportError>>()?
    });

    let mut funnels: BTreeMap<Option<String>, ([u64; 4], u64)> = BTreeMap::new();
    for (lead_source, closed, reached, leads) in groups {
        let (stages, closed_leads) = funnels.entry(lead_source).or_default();
        for (stage, count) in stages.iter_mut().enumerate() {
            if reached >= i64::try_from(stage).unwrap_or(i64::MAX) {
                *count += leads;
            }
        }
        if closed {
            *closed_leads += leads;
        }
    }
    let mut funnels: Vec<SourceFunnel> = funnels
        .into_iter()
        .map(|(lead_source, (reached, closed))| SourceFunnel {
            lead_source,
            reached,
            closed,
            step_rates: [
                rate(reached[1], reached[0]),
                rate(reached[2], reached[1]),
                rate(reached[3], reached[2]),
            ],
            overall_rate: rate(reached[3], reached[0]),
        })
        .collect();
    funnels.sort_by_key(|f| std::cmp::Reverse(f.reached[0]));
    Ok(funnels)
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
