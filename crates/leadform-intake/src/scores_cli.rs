//! `leadform-intake scores`: every person's score and velocity as of now, fastest riser first.

use crate::csv_cell::csv_cell;
use leadform_core::time::rfc3339_from_ms;
use leadform_scoring::{decay_rows, velocity, ScoringRules};
use leadform_store::PersonScoreLog;
use serde::Serialize;
use std::io::Write;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScoresOutputError {
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the scores failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the JSON failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// One person's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonScoreLine {
    pub person_id: i64,
    pub email: String,
    pub score: i64,
    pub fit: i64,
    pub engagement: i64,
    pub velocity: i64,
    pub velocity_avg4: f64,
    pub velocity_change: i64,
    /// RFC 3339 UTC, or null.
    pub mql_at: Option<String>,
    pub weeks_to_mql: Option<u32>,
}

/// The lines as of `now_ms`, sorted by velocity (highest first), then score, then person id.
/// Decay for weeks that ended with no handler running counts, computed here without writing.
pub fn score_lines(
    rules: &ScoringRules,
    logs: Vec<PersonScoreLog>,
    now_ms: i64,
) -> Vec<PersonScoreLine> {
    let mut lines: Vec<PersonScoreLine> = logs
        .into_iter()
        .map(|mut log| {
            let missed_decay = decay_rows(rules, &log.rows, now_ms);
            log.rows.extend(missed_decay);
            let figures = velocity(rules, &log.rows, now_ms, log.mql_at_ms);
            PersonScoreLine {
                person_id: log.person_id,
                email: log.email,
                score: figures.totals.score(),
                fit: figures.totals.fit,
                engagement: figures.totals.engagement,
                velocity: figures.velocity,
                velocity_avg4: (figures.velocity_avg4 * 100.0).round() / 100.0,
                velocity_change: figures.velocity_change,
                mql_at: log.mql_at_ms.map(rfc3339_from_ms),
                weeks_to_mql: figures.weeks_to_mql,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.velocity
            .cmp(&a.velocity)
            .then(b.score.cmp(&a.score))
            .then(a.person_id.cmp(&b.person_id))
    });
    lines
}

pub fn write_json(lines: &[PersonScoreLine], mut out: impl Write) -> Result<(), ScoresOutputError> {
    serde_json::to_writer_pretty(&mut out, lines)?;
    writeln!(out)?;
    Ok(())
}

/// CSV with a header; null is an empty cell. The email is the only free text: like `export`, it
/// gets a leading `'` where a spreadsheet would run it as a formula (numbers stay numbers).
pub fn write_csv(lines: &[PersonScoreLine], out: impl Write) -> Result<(), ScoresOutputError> {
    let mut writer = csv::Writer::from_writer(out);
    for line in lines {
        let mut safe = line.clone();
        safe.email = csv_cell(&line.email);
        writer.serialize(safe)?;
    }
    writer.flush()?;
    Ok(())
}
