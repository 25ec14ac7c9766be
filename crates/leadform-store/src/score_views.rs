//! What the console reads of scoring: one person's current log (for the lead page) and each
//! person's latest lead (so a scored person links to a lead page).

use std::collections::BTreeMap;

use leadform_scoring::LogRow;

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::score_model::PersonScoreLog;
use crate::score_rows::{ScoreLogRow, ScoredPersonRow, LOG_COLUMNS};
use crate::Store;

impl Store {
    /// One person's current score log, oldest row first; `None` for an unknown (or erased) person.
    pub async fn person_score_log(
        &self,
        person_id: i64,
    ) -> Result<Option<PersonScoreLog>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "read a person's score log");
            let Some(person) = sqlx::query_as::<_, ScoredPersonRow>(
                "SELECT id, email, mql_at_ms FROM persons WHERE id = $1",
            )
            .bind(person_id)
            .fetch_optional(pool)
            .await
            .map_err(&read)?
            else {
                return Ok(None);
            };
            let rows: Vec<ScoreLogRow> = sqlx::query_as(&format!(
                "SELECT {LOG_COLUMNS} FROM score_log
                 WHERE person_id = $1
                   AND run_id = (SELECT COALESCE(MAX(id), 0) FROM score_runs)
                 ORDER BY at_ms, id"
            ))
            .bind(person_id)
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            Ok(Some(
                person.with_rows(rows.into_iter().map(LogRow::from).collect()),
            ))
        })
    }

    /// Person id → the id of that person's most recently received lead.
    pub async fn latest_lead_by_person(&self) -> Result<BTreeMap<i64, i64>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "find each person's latest lead");
            let rows: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT person_id, id FROM leads WHERE person_id IS NOT NULL
                 ORDER BY person_id, received_at_ms, id",
            )
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            // Ordered oldest first: the last insert per person wins.
            Ok(rows.into_iter().collect())
        })
    }
}
