//! Lead scoring in the store: recording events with their log rows, the decay and snapshot pass,
//! `rescore`, and reading the logs back. The arithmetic is `leadform_scoring`'s; this file decides
//! what is read and written in which transaction.

use crate::backend::{with_backend, BeginWrite};
use crate::error::{failed, StoreError};
use crate::mql_routes::{queue_mql_deliveries, MqlRoutes};
use crate::score_model::{
    NewScoreEvent, PersonScoreLog, RescoreReport, ScorePassReport, ScoredEvents, StoredSnapshot,
    VisitorLead,
};
use crate::score_rows::{PersonLogRow, ScoredPersonRow, SnapshotRow, VisitorLeadRow, LOG_COLUMNS};
use crate::score_tx::{erase_person_scores, ScoreTx};
use crate::Store;
use leadform_core::LeadSubmission;
use leadform_scoring::{
    decay_rows, first_mql_at, replay, score_event, week_start_ms, weekly_snapshots, LogRow,
    ScoreEventKind, ScoringRules, WEEK_MS,
};
use std::collections::BTreeMap;

/// Persons per transaction in the decay pass: few enough to keep locks short, enough that SQLite
/// does not sync once per person.
const PASS_BATCH: usize = 200;

/// Records `events` for one person and appends their log rows, after catching up the person's
/// decay to `now_ms`, inside the caller's transaction. Sets `mql_at_ms` when this crosses the
/// threshold for the first time.
pub(crate) async fn score_events_in_tx<T: ScoreTx>(
    tx: &mut T,
    rules: &ScoringRules,
    routes: &MqlRoutes,
    person_id: i64,
    events: &[NewScoreEvent],
    now_ms: i64,
) -> Result<ScoredEvents, StoreError> {
    let run = tx.current_run().await?;
    tx.lock_person(person_id).await?;
    let mut log = tx.load_log(run, person_id).await?;
    let decay = decay_rows(rules, &log, now_ms);
    let mut written = tx.append_rows(run, person_id, &decay).await?;
    log.extend(decay);
    for event in events {
        let id = tx.insert_event(event).await?;
        let rows = score_event(rules, &log, &event.to_score_event(id));
        written.extend(tx.append_rows(run, person_id, &rows).await?);
        log.extend(rows);
    }
    let became_mql_at_ms = mark_mql_if_crossed(tx, rules, routes, person_id, &log, now_ms).await?;
    Ok(ScoredEvents {
        rows: written,
        became_mql_at_ms,
    })
}

/// Sets `mql_at_ms` the first time the person's log reaches the threshold, and in the same
/// transaction queues the `lead.mql` hand-off: both happen once, or neither.
pub(crate) async fn mark_mql_if_crossed<T: ScoreTx>(
    tx: &mut T,
    rules: &ScoringRules,
    routes: &MqlRoutes,
    person_id: i64,
    log: &[LogRow],
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    if tx.mql_at(person_id).await?.is_some() {
        return Ok(None);
    }
    match first_mql_at(rules, log) {
        Some(at_ms) if tx.mark_mql(person_id, at_ms).await? => {
            queue_mql_deliveries(tx, routes, person_id, log, at_ms, now_ms).await?;
            Ok(Some(at_ms))
        }
        _ => Ok(None),
    }
}

/// The events a newly stored lead means for its person: the form submitted (or submitted again),
/// and a landing from an email when the lead's last touch came from one (once per touch).
pub(crate) async fn lead_score_events<T: ScoreTx>(
    tx: &mut T,
    person_id: i64,
    lead_id: i64,
    lead: &LeadSubmission,
    intent: &str,
    email: Option<&str>,
    at_ms: i64,
) -> Result<Vec<NewScoreEvent>, StoreError> {
    let repeat = tx
        .submitted_form_before(person_id, &lead.form_id, lead_id)
        .await?;
    let mut events = vec![submitted_event(
        person_id, lead_id, lead, intent, email, at_ms, repeat,
    )];
    if let Some(detail) = email_landing_detail(lead) {
        if !tx
            .has_event(person_id, ScoreEventKind::EmailLanding, &detail)
            .await?
        {
            events.push(email_landing_event(person_id, lead_id, lead, at_ms, detail));
        }
    }
    Ok(events)
}

/// The lead's "form submitted" event (`repeat`: the person sent this form before, in another lead).
pub(crate) fn submitted_event(
    person_id: i64,
    lead_id: i64,
    lead: &LeadSubmission,
    intent: &str,
    email: Option<&str>,
    at_ms: i64,
    repeat: bool,
) -> NewScoreEvent {
    let kind = if repeat {
        ScoreEventKind::RepeatSubmission
    } else {
        ScoreEventKind::FormSubmitted
    };
    let mut fields = lead.fields.clone();
    if let Some(email) = email {
        fields.insert("email".into(), email.to_owned());
    }
    let mut submitted = NewScoreEvent::new(person_id, kind, at_ms);
    submitted.form_id = Some(lead.form_id.clone());
    submitted.intent = Some(intent.to_owned());
    submitted.lead_id = Some(lead_id);
    submitted.fields = fields;
    submitted
}

/// What identifies the lead's landing from an email, when its last touch came from one.
pub(crate) fn email_landing_detail(lead: &LeadSubmission) -> Option<String> {
    let touch = lead
        .attribution
        .as_ref()
        .and_then(|a| a.last_touch.as_ref())?;
    let from_email = touch
        .utm_medium
        .as_deref()
        .is_some_and(|medium| medium.trim().eq_ignore_ascii_case("email"));
    // The same touch rides along on every later submission of the visit: count it once.
    from_email.then(|| {
        format!(
            "{}|{}|{}",
            touch.captured_at.as_deref().unwrap_or(""),
            touch.utm_campaign.as_deref().unwrap_or(""),
            touch.landing_page.as_deref().unwrap_or("")
        )
    })
}

/// The "landed from an email" event for a detail the person has no event for yet.
pub(crate) fn email_landing_event(
    person_id: i64,
    lead_id: i64,
    lead: &LeadSubmission,
    at_ms: i64,
    detail: String,
) -> NewScoreEvent {
    let mut landing = NewScoreEvent::new(person_id, ScoreEventKind::EmailLanding, at_ms);
    landing.form_id = Some(lead.form_id.clone());
    landing.lead_id = Some(lead_id);
    landing.detail = Some(detail);
    landing
}

fn rules_json(rules: &ScoringRules) -> Result<String, StoreError> {
    serde_json::to_string(rules).map_err(StoreError::EncodeLead)
}

impl Store {
    /// Records one event (a gated asset fetched, a page view) for a person, with its log rows, in
    /// its own transaction. `at_ms` is the handler's clock.
    pub async fn record_score_event(
        &self,
        rules: &ScoringRules,
        event: NewScoreEvent,
    ) -> Result<ScoredEvents, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let mut tx = pool
                .begin_write()
                .await
                .map_err(failed(dialect.name(), "begin the score transaction"))?;
            let at_ms = event.at_ms;
            let scored = score_events_in_tx(
                &mut tx,
                rules,
                &self.mql_routes,
                event.person_id,
                &[event],
                at_ms,
            )
            .await?;
            tx.commit()
                .await
                .map_err(failed(dialect.name(), "commit the score"))?;
            Ok(scored)
        })
    }

    /// Several events of one person at once (a page view that also landed from an email).
    pub async fn record_score_events(
        &self,
        rules: &ScoringRules,
        person_id: i64,
        events: Vec<NewScoreEvent>,
    ) -> Result<ScoredEvents, StoreError> {
        let now_ms = events.iter().map(|e| e.at_ms).max().unwrap_or(0);
        with_backend!(&self.backend, |pool, dialect| {
            let mut tx = pool
                .begin_write()
                .await
                .map_err(failed(dialect.name(), "begin the score transaction"))?;
            let scored =
                score_events_in_tx(&mut tx, rules, &self.mql_routes, person_id, &events, now_ms)
                    .await?;
            tx.commit()
                .await
                .map_err(failed(dialect.name(), "commit the score"))?;
            Ok(scored)
        })
    }

    /// The non-spam leads stored under a visitor cookie, newest first.
    pub async fn visitor_leads(&self, visitor_id: &str) -> Result<Vec<VisitorLead>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "read the visitor's leads");
            let rows: Vec<VisitorLeadRow> = sqlx::query_as(
                "SELECT id, form_id, person_id, lead_json FROM leads
                 WHERE visitor_id = $1 AND is_spam = $2
                 ORDER BY received_at_ms DESC, id DESC",
            )
            .bind(visitor_id)
            .bind(false)
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            rows.into_iter().map(VisitorLead::try_from).collect()
        })
    }

    /// Saves the rules in force, so `scores` applies the same decay and threshold.
    pub async fn save_scoring_rules(
        &self,
        rules: &ScoringRules,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let json = rules_json(rules)?;
        with_backend!(&self.backend, |pool, dialect| {
            let mut tx = pool
                .begin_write()
                .await
                .map_err(failed(dialect.name(), "begin saving the scoring rules"))?;
            tx.save_rules(&json, now_ms).await?;
            tx.commit()
                .await
                .map_err(failed(dialect.name(), "commit the scoring rules"))?;
            Ok(())
        })
    }

    /// The rules last saved by `serve` or `rescore`; `None` when none were.
    pub async fn saved_scoring_rules(&self) -> Result<Option<ScoringRules>, StoreError> {
        let json: Option<String> = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query_scalar("SELECT rules_json FROM score_rules WHERE id = 1")
                .fetch_optional(pool)
                .await
                .map_err(failed(dialect.name(), "read the saved scoring rules"))?
        });
        json.map(|json| {
            ScoringRules::from_json("saved scoring rules", &json).map_err(|e| {
                StoreError::CorruptRow {
                    what: "scoring rules".into(),
                    detail: e.to_string(),
                }
            })
        })
        .transpose()
    }

    /// The decay and snapshot pass: for every scored person, decay rows for each quiet ISO week
    /// that ended by `now_ms` (catching up weeks when no handler ran) and snapshots of each
    /// complete week. Safe to run from several handlers at once.
    pub async fn run_score_pass(
        &self,
        rules: &ScoringRules,
        now_ms: i64,
    ) -> Result<ScorePassReport, StoreError> {
        let persons: Vec<i64> = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query_scalar(
                "SELECT DISTINCT person_id FROM score_log
                 WHERE run_id = (SELECT COALESCE(MAX(id), 0) FROM score_runs)
                 ORDER BY person_id",
            )
            .fetch_all(pool)
            .await
            .map_err(failed(dialect.name(), "list the scored persons"))?
        });
        let last_complete_week = week_start_ms(now_ms) - WEEK_MS;
        let mut report = ScorePassReport::default();
        for batch in persons.chunks(PASS_BATCH) {
            with_backend!(&self.backend, |pool, dialect| {
                let mut tx = pool
                    .begin_write()
                    .await
                    .map_err(failed(dialect.name(), "begin the score pass"))?;
                let run = tx.current_run().await?;
                for &person_id in batch {
                    tx.lock_person(person_id).await?;
                    let mut log = tx.load_log(run, person_id).await?;
                    let decay = decay_rows(rules, &log, now_ms);
                    let written = tx.append_rows(run, person_id, &decay).await?;
                    report.decay_rows += written.len() as u64;
                    log.extend(decay);
                    let Some(first_at) = log.iter().map(|row| row.at_ms).min() else {
                        continue;
                    };
                    let from = match tx.latest_snapshot_week(person_id).await? {
                        Some(latest) => latest + WEEK_MS,
                        None => week_start_ms(first_at),
                    };
                    let snapshots = weekly_snapshots(&log, from, last_complete_week);
                    tx.write_snapshots(person_id, &snapshots).await?;
                    report.snapshots += snapshots.len() as u64;
                    report.persons += 1;
                }
                tx.commit()
                    .await
                    .map_err(failed(dialect.name(), "commit the score pass"))?;
            });
        }
        Ok(report)
    }

    /// Replays every recorded event under `rules` into a new run of the log, in one transaction:
    /// the old rows stay (the log is append-only) and the new run's rows become the scores.
    /// Persons erased by `forget` have no events left, so they stay erased.
    pub async fn rescore(
        &self,
        rules: &ScoringRules,
        now_ms: i64,
    ) -> Result<RescoreReport, StoreError> {
        let json = rules_json(rules)?;
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the rescore"))?;
            let run_id = tx.start_run(now_ms, &json).await?;
            tx.save_rules(&json, now_ms).await?;
            let persons: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT person_id FROM score_events ORDER BY person_id",
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(fail("list the persons with score events"))?;
            let mut report = RescoreReport {
                run_id,
                ..RescoreReport::default()
            };
            let last_complete_week = week_start_ms(now_ms) - WEEK_MS;
            for person_id in persons {
                tx.lock_person(person_id).await?;
                let events = tx.load_events(person_id).await?;
                let log = replay(rules, &events, now_ms);
                report.rows += tx.append_rows(run_id, person_id, &log).await?.len() as u64;
                tx.delete_snapshots(person_id).await?;
                if let Some(first_at) = log.iter().map(|row| row.at_ms).min() {
                    let snapshots =
                        weekly_snapshots(&log, week_start_ms(first_at), last_complete_week);
                    tx.write_snapshots(person_id, &snapshots).await?;
                }
                if mark_mql_if_crossed(&mut tx, rules, &self.mql_routes, person_id, &log, now_ms)
                    .await?
                    .is_some()
                {
                    report.new_mqls += 1;
                }
                report.persons += 1;
            }
            tx.commit().await.map_err(fail("commit the rescore"))?;
            Ok(report)
        })
    }

    /// Every person with their current score log (all persons, scored or not), by person id.
    pub async fn score_logs(&self) -> Result<Vec<PersonScoreLog>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "read the score logs");
            let persons: Vec<ScoredPersonRow> =
                sqlx::query_as("SELECT id, email, mql_at_ms FROM persons ORDER BY id")
                    .fetch_all(pool)
                    .await
                    .map_err(&read)?;
            let mut logs: BTreeMap<i64, PersonScoreLog> = persons
                .into_iter()
                .map(|person| person.with_rows(Vec::new()))
                .map(|log| (log.person_id, log))
                .collect();
            let rows: Vec<PersonLogRow> = sqlx::query_as(&format!(
                "SELECT person_id, {LOG_COLUMNS} FROM score_log
                 WHERE run_id = (SELECT COALESCE(MAX(id), 0) FROM score_runs)
                 ORDER BY person_id, at_ms, id"
            ))
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            for PersonLogRow { person_id, row } in rows {
                if let Some(log) = logs.get_mut(&person_id) {
                    log.rows.push(LogRow::from(row));
                }
            }
            Ok(logs.into_values().collect())
        })
    }

    /// Erases everything scoring holds about one person in its own transaction. `forget` runs the
    /// same step inside its erasure transaction instead.
    pub async fn erase_person_scores(&self, person_id: i64) -> Result<(), StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let mut tx = pool
                .begin_write()
                .await
                .map_err(failed(dialect.name(), "begin erasing scores"))?;
            erase_person_scores(&mut tx, person_id).await?;
            tx.commit()
                .await
                .map_err(failed(dialect.name(), "commit erasing scores"))?;
            Ok(())
        })
    }

    /// A person's stored weekly snapshots, oldest first.
    pub async fn score_snapshots(&self, person_id: i64) -> Result<Vec<StoredSnapshot>, StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let read = failed(dialect.name(), "read the weekly snapshots");
            let rows: Vec<SnapshotRow> = sqlx::query_as(
                "SELECT week_start_ms, score, fit, engagement, change FROM score_snapshots
                 WHERE person_id = $1 ORDER BY week_start_ms",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await
            .map_err(&read)?;
            Ok(rows.into_iter().map(StoredSnapshot::from).collect())
        })
    }
}
