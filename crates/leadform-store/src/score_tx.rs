//! The scoring steps that run inside a transaction, written once for both databases.
//!
//! [`ScoreTx`] is implemented for SQLite's and PostgreSQL's transaction by one macro, so a handler
//! path reads: begin → named steps taking the transaction → commit.

use crate::error::StoreError;
use crate::model::NewDelivery;
use crate::score_model::NewScoreEvent;
use crate::score_rows::{ScoreEventRow, ScoreLogRow, LOG_COLUMNS};
use leadform_scoring::{LogRow, ScoreEvent, ScoreEventKind, WeeklySnapshot};

/// Steps on an open write transaction.
pub(crate) trait ScoreTx {
    /// The run whose log rows are the scores. On PostgreSQL this also takes a share lock on the
    /// runs, so a `rescore` cannot start a new run between this read and the commit.
    async fn current_run(&mut self) -> Result<i64, StoreError>;
    /// Serialises writers of one person's log (PostgreSQL row lock; SQLite writers are exclusive).
    async fn lock_person(&mut self, person_id: i64) -> Result<(), StoreError>;
    async fn load_log(&mut self, run_id: i64, person_id: i64) -> Result<Vec<LogRow>, StoreError>;
    async fn load_events(&mut self, person_id: i64) -> Result<Vec<ScoreEvent>, StoreError>;
    async fn insert_event(&mut self, event: &NewScoreEvent) -> Result<i64, StoreError>;
    /// Has the person an event of this kind with this detail already?
    async fn has_event(
        &mut self,
        person_id: i64,
        kind: ScoreEventKind,
        detail: &str,
    ) -> Result<bool, StoreError>;
    /// Did the person submit this form before, in another lead?
    async fn submitted_form_before(
        &mut self,
        person_id: i64,
        form_id: &str,
        lead_id: i64,
    ) -> Result<bool, StoreError>;
    /// Appends rows; a decay row for a week that has one already is skipped. Returns those written.
    async fn append_rows(
        &mut self,
        run_id: i64,
        person_id: i64,
        rows: &[LogRow],
    ) -> Result<Vec<LogRow>, StoreError>;
    async fn mql_at(&mut self, person_id: i64) -> Result<Option<i64>, StoreError>;
    /// Sets `mql_at_ms` unless it is set; `true` when this call set it.
    async fn mark_mql(&mut self, person_id: i64, at_ms: i64) -> Result<bool, StoreError>;
    async fn latest_snapshot_week(&mut self, person_id: i64) -> Result<Option<i64>, StoreError>;
    async fn write_snapshots(
        &mut self,
        person_id: i64,
        snapshots: &[WeeklySnapshot],
    ) -> Result<(), StoreError>;
    async fn delete_snapshots(&mut self, person_id: i64) -> Result<(), StoreError>;
    /// Starts a rescore run (PostgreSQL: waits for live scoring to finish, then holds it off).
    async fn start_run(&mut self, now_ms: i64, rules_json: &str) -> Result<i64, StoreError>;
    async fn save_rules(&mut self, rules_json: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Deletes everything scoring holds about a person, for `forget`.
    async fn erase_person_scores(&mut self, person_id: i64) -> Result<(), StoreError>;
    /// The person's newest lead that is neither spam nor erased: `(lead id, form id)`.
    async fn latest_lead(&mut self, person_id: i64) -> Result<Option<(i64, String)>, StoreError>;
    /// Queues a `lead.mql` delivery, due now; `false` when the lead has one for it already.
    async fn queue_mql_delivery(
        &mut self,
        lead_id: i64,
        route: &NewDelivery,
        score: i64,
        mql_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
}

/// Deletes a person's score events, log rows and snapshots inside the erasure transaction, so a
/// forgotten person cannot come back through `rescore`. Called by the store's `erase_person`.
pub(crate) async fn erase_person_scores<T: ScoreTx>(
    tx: &mut T,
    person_id: i64,
) -> Result<(), StoreError> {
    tx.erase_person_scores(person_id).await
}

macro_rules! impl_score_tx {
    ($db:ty, $backend:literal, $lock_runs:expr, $lock_person:expr, $lock_runs_for_rescore:expr) => {
        impl ScoreTx for sqlx::Transaction<'_, $db> {
            async fn current_run(&mut self) -> Result<i64, StoreError> {
                let fail = crate::error::failed($backend, "read the current scoring run");
                if let Some(lock) = $lock_runs {
                    sqlx::query(lock).execute(&mut **self).await.map_err(&fail)?;
                }
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM score_runs")
                    .fetch_one(&mut **self)
                    .await
                    .map_err(fail)
            }

            async fn lock_person(&mut self, person_id: i64) -> Result<(), StoreError> {
                if let Some(lock) = $lock_person {
                    sqlx::query(lock)
                        .bind(person_id)
                        .execute(&mut **self)
                        .await
                        .map_err(crate::error::failed($backend, "lock the person for scoring"))?;
                }
                Ok(())
            }

            async fn load_log(
                &mut self,
                run_id: i64,
                person_id: i64,
            ) -> Result<Vec<LogRow>, StoreError> {
                let read = crate::error::failed($backend, "read the score log");
                let rows: Vec<ScoreLogRow> = sqlx::query_as(&format!(
                    "SELECT {LOG_COLUMNS} FROM score_log
                     WHERE run_id = $1 AND person_id = $2 ORDER BY at_ms, id"
                ))
                .bind(run_id)
                .bind(person_id)
                .fetch_all(&mut **self)
                .await
                .map_err(&read)?;
                Ok(rows.into_iter().map(LogRow::from).collect())
            }

            async fn load_events(&mut self, person_id: i64) -> Result<Vec<ScoreEvent>, StoreError> {
                let read = crate::error::failed($backend, "read the score events");
                let rows: Vec<ScoreEventRow> = sqlx::query_as(
                    "SELECT id, kind, at_ms, form_id, intent, fields_json FROM score_events
                     WHERE person_id = $1 ORDER BY at_ms, id",
                )
                .bind(person_id)
                .fetch_all(&mut **self)
                .await
                .map_err(&read)?;
                rows.into_iter().map(ScoreEvent::try_from).collect()
            }

            async fn insert_event(&mut self, event: &NewScoreEvent) -> Result<i64, StoreError> {
                let fields_json =
                    serde_json::to_string(&event.fields).map_err(StoreError::EncodeLead)?;
                sqlx::query_scalar(
                    "INSERT INTO score_events
                         (person_id, kind, at_ms, form_id, intent, lead_id, detail, fields_json)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(event.person_id)
                .bind(event.kind.as_str())
                .bind(event.at_ms)
                .bind(&event.form_id)
                .bind(&event.intent)
                .bind(event.lead_id)
                .bind(&event.detail)
                .bind(&fields_json)
                .fetch_one(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "record the score event"))
            }

            async fn has_event(
                &mut self,
                person_id: i64,
                kind: ScoreEventKind,
                detail: &str,
            ) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM score_events WHERE person_id = $1 AND kind = $2 AND detail = $3
                     LIMIT 1",
                )
                .bind(person_id)
                .bind(kind.as_str())
                .bind(detail)
                .fetch_optional(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "look for an earlier score event"))?;
                Ok(found.is_some())
            }

            async fn submitted_form_before(
                &mut self,
                person_id: i64,
                form_id: &str,
                lead_id: i64,
            ) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM leads WHERE person_id = $1 AND form_id = $2 AND id <> $3
                     LIMIT 1",
                )
                .bind(person_id)
                .bind(form_id)
                .bind(lead_id)
                .fetch_optional(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "look for an earlier submission"))?;
                Ok(found.is_some())
            }

            async fn append_rows(
                &mut self,
                run_id: i64,
                person_id: i64,
                rows: &[LogRow],
            ) -> Result<Vec<LogRow>, StoreError> {
                let mut written = Vec::with_capacity(rows.len());
                for row in rows {
                    // Two handlers may decay the same person and week at once: the unique key
                    // keeps one row, never clock agreement.
                    let inserted = sqlx::query(
                        "INSERT INTO score_log
                             (run_id, person_id, at_ms, delta, rule, event_id, decay_week_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(run_id)
                    .bind(person_id)
                    .bind(row.at_ms)
                    .bind(row.delta)
                    .bind(&row.rule)
                    .bind(row.event_id)
                    .bind(row.decay_week_ms)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "append to the score log"))?;
                    if inserted.rows_affected() == 1 {
                        written.push(row.clone());
                    }
                }
                Ok(written)
            }

            async fn mql_at(&mut self, person_id: i64) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar("SELECT mql_at_ms FROM persons WHERE id = $1")
                    .bind(person_id)
                    .fetch_one(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "read the person's MQL time"))
            }

            async fn mark_mql(&mut self, person_id: i64, at_ms: i64) -> Result<bool, StoreError> {
                let updated = sqlx::query(
                    "UPDATE persons SET mql_at_ms = $1 WHERE id = $2 AND mql_at_ms IS NULL",
                )
                .bind(at_ms)
                .bind(person_id)
                .execute(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "mark the person MQL"))?;
                Ok(updated.rows_affected() == 1)
            }

            async fn latest_snapshot_week(
                &mut self,
                person_id: i64,
            ) -> Result<Option<i64>, StoreError> {
                sqlx::query_scalar(
                    "SELECT MAX(week_start_ms) FROM score_snapshots WHERE person_id = $1",
                )
                .bind(person_id)
                .fetch_one(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "read the latest snapshot"))
            }

            async fn write_snapshots(
                &mut self,
                person_id: i64,
                snapshots: &[WeeklySnapshot],
            ) -> Result<(), StoreError> {
                for snapshot in snapshots {
                    sqlx::query(
                        "INSERT INTO score_snapshots
                             (person_id, week_start_ms, score, fit, engagement, change)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (person_id, week_start_ms) DO UPDATE SET
                             score = excluded.score, fit = excluded.fit,
                             engagement = excluded.engagement, change = excluded.change",
                    )
                    .bind(person_id)
                    .bind(snapshot.week_start_ms)
                    .bind(snapshot.totals.score())
                    .bind(snapshot.totals.fit)
                    .bind(snapshot.totals.engagement)
                    .bind(snapshot.change)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "write a weekly snapshot"))?;
                }
                Ok(())
            }

            async fn delete_snapshots(&mut self, person_id: i64) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM score_snapshots WHERE person_id = $1")
                    .bind(person_id)
                    .execute(&mut **self)
                    .await
                    .map_err(crate::error::failed($backend, "replace the weekly snapshots"))?;
                Ok(())
            }

            async fn start_run(&mut self, now_ms: i64, rules_json: &str) -> Result<i64, StoreError> {
                let fail = crate::error::failed($backend, "start a rescore run");
                if let Some(lock) = $lock_runs_for_rescore {
                    sqlx::query(lock).execute(&mut **self).await.map_err(&fail)?;
                }
                sqlx::query_scalar(
                    "INSERT INTO score_runs (started_at_ms, rules_json) VALUES ($1, $2) RETURNING id",
                )
                .bind(now_ms)
                .bind(rules_json)
                .fetch_one(&mut **self)
                .await
                .map_err(fail)
            }

            async fn save_rules(&mut self, rules_json: &str, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO score_rules (id, rules_json, saved_at_ms) VALUES (1, $1, $2)
                     ON CONFLICT (id) DO UPDATE SET
                         rules_json = excluded.rules_json, saved_at_ms = excluded.saved_at_ms",
                )
                .bind(rules_json)
                .bind(now_ms)
                .execute(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "save the scoring rules"))?;
                Ok(())
            }

            async fn erase_person_scores(&mut self, person_id: i64) -> Result<(), StoreError> {
                // The log names events, so it goes first.
                for (sql, action) in [
                    ("DELETE FROM score_log WHERE person_id = $1", "erase the person's score log"),
                    ("DELETE FROM score_snapshots WHERE person_id = $1", "erase the person's snapshots"),
                    ("DELETE FROM score_events WHERE person_id = $1", "erase the person's score events"),
                    ("UPDATE persons SET mql_at_ms = NULL WHERE id = $1", "erase the person's MQL time"),
                ] {
                    sqlx::query(sql)
                        .bind(person_id)
                        .execute(&mut **self)
                        .await
                        .map_err(crate::error::failed($backend, action))?;
                }
                Ok(())
            }

            async fn latest_lead(
                &mut self,
                person_id: i64,
            ) -> Result<Option<(i64, String)>, StoreError> {
                let read = crate::error::failed($backend, "find the person's latest lead");
                sqlx::query_as(
                    "SELECT id, form_id FROM leads
                     WHERE person_id = $1 AND is_spam = $2 AND erased_at_ms IS NULL
                     ORDER BY received_at_ms DESC, id DESC LIMIT 1",
                )
                .bind(person_id)
                .bind(false)
                .fetch_optional(&mut **self)
                .await
                .map_err(read)
            }

            async fn queue_mql_delivery(
                &mut self,
                lead_id: i64,
                route: &NewDelivery,
                score: i64,
                mql_at_ms: i64,
                now_ms: i64,
            ) -> Result<bool, StoreError> {
                let destination_index = i64::try_from(route.destination_index).unwrap_or(i64::MAX);
                // The unique keys include the event: at most one hand-off per lead and destination.
                let inserted = sqlx::query(
                    "INSERT INTO deliveries (lead_id, destination_index, destination_kind,
                         destination_key, status, attempts, next_attempt_at_ms, created_at_ms,
                         destination_id, event, event_score, event_at_ms)
                     VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $6, 'lead.mql', $7, $8)
                     ON CONFLICT DO NOTHING",
                )
                .bind(lead_id)
                .bind(destination_index)
                .bind(&route.destination_kind)
                .bind(&route.destination_key)
                .bind(now_ms)
                .bind(&route.destination_id)
                .bind(score)
                .bind(mql_at_ms)
                .execute(&mut **self)
                .await
                .map_err(crate::error::failed($backend, "queue the lead.mql deliveries"))?;
                Ok(inserted.rows_affected() == 1)
            }
        }
    };
}

// SQLite write transactions begin IMMEDIATE and are exclusive: no locks to take.
impl_score_tx!(
    sqlx::Sqlite,
    "sqlite",
    None::<&str>,
    None::<&str>,
    None::<&str>
);
impl_score_tx!(
    sqlx::Postgres,
    "postgres",
    Some("LOCK TABLE score_runs IN SHARE MODE"),
    Some("SELECT id FROM persons WHERE id = $1 FOR UPDATE"),
    Some("LOCK TABLE score_runs IN EXCLUSIVE MODE")
);
