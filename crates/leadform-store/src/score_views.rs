//! What the console reads of scoring: one person's current log (for the lead page) and each
//! person's latest lead (so a scored person links to a lead page).

use std::collections::BTreeMap;

use leadform_scoring::LogRow;
use sqlx::Row;

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::score_model::PersonScoreLog;
use crate::Store;

impl Store {
    /// One person's current score log, oldest row first; `None` for an unknown (or erased) person.
    pub async fn person_score_log(
        &self,
        person_id: i64,
    ) -> Result<Option<PersonScoreLog>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "read a person's score log");
            let Some(person) = sqlx::query("SELECT email, mql_at_ms FROM persons WHERE id = $1")
                .bind(person_id)
                .fetch_optional(pool)
                .await
                .map_err(&read)?
            else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT at_ms, delta, rule, event_id, decay_week_ms FROM score_log
                 WHERE person_id = $1
                   AND run_id = (SELECT COALESCE(MAX(id), 0) FROM score_runs)
                 ORDER BY at_ms, id",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            let rows = rows
                .iter()
                .map(|row| {
                    Ok(LogRow {
                        at_ms: row.try_get("at_ms").map_err(&read)?,
                        delta: row.try_get("delta").map_err(&read)?,
                        rule: row.try_get("rule").map_err(&read)?,
                        event_id: row.try_get("event_id").map_err(&read)?,
                        decay_week_ms: row.try_get("decay_week_ms").map_err(&read)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Some(PersonScoreLog {
                person_id,
                email: person.try_get("email").map_err(&read)?,
                mql_at_ms: person.try_get("mql_at_ms").map_err(&read)?,
                rows,
            }))
        })
    }

    /// Person id → the id of that person's most recently received lead.
    pub async fn latest_lead_by_person(&self) -> Result<BTreeMap<i64, i64>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "find each person's latest lead");
            let rows = sqlx::query(
                "SELECT person_id, id FROM leads WHERE person_id IS NOT NULL
                 ORDER BY person_id, received_at_ms, id",
            )
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            let mut latest = BTreeMap::new();
            for row in &rows {
                // Ordered oldest first: the last insert per person wins.
                latest.insert(
                    row.try_get::<i64, _>("person_id").map_err(&read)?,
                    row.try_get::<i64, _>("id").map_err(&read)?,
                );
            }
            Ok(latest)
        })
    }
}
