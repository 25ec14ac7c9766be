//! The engagement trend (issue 10 §6): the sum of every person's weekly score change, per report
//! week, from the stored weekly snapshots.

use sqlx::Row;

use crate::backend::with_backend;
use crate::error::failed;
use crate::Store;

use super::query::ReportError;
use super::weeks::{ReportWeek, WEEK_MS};

impl Store {
    /// One sum of weekly score changes across everyone per entry of `weeks` (0 for a week without
    /// snapshots), oldest first. Scores belong to people, not forms, so no form narrows it.
    pub async fn engagement_trend(&self, weeks: &[ReportWeek]) -> Result<Vec<i64>, ReportError> {
        let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
            return Ok(Vec::new());
        };
        let sums: Vec<(i64, i64)> = with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "sum the weekly score changes");
            // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back so both backends read i64.
            let rows = sqlx::query(
                "SELECT week_start_ms, CAST(SUM(change) AS BIGINT) AS total FROM score_snapshots
                 WHERE week_start_ms >= $1 AND week_start_ms < $2
                 GROUP BY week_start_ms",
            )
            .bind(first.start_ms)
            .bind(last.start_ms + WEEK_MS)
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            rows.iter()
                .map(|row| {
                    Ok((
                        row.try_get::<i64, _>("week_start_ms").map_err(&read)?,
                        row.try_get::<i64, _>("total").map_err(&read)?,
                    ))
                })
                .collect::<Result<Vec<_>, crate::error::StoreError>>()
        })?;
        Ok(weeks
            .iter()
            .map(|week| {
                sums.iter()
                    .filter(|(start, _)| *start == week.start_ms)
                    .map(|(_, total)| *total)
                    .sum()
            })
            .collect())
    }
}
