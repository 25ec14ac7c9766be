//! Per-form retention: leads older than a form's `retention_days` are erased by the running
//! handler, at start-up and then once a day, through the same erasure path as `forget`.
//!
//! Several handler instances may run it at once: erasing an erased lead changes nothing, so the
//! only cost of a second instance is a second look.

use crate::clock::Clock;
use crate::forms::FormRegistry;
use leadform_store::{ErasureReport, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// How often retention runs.
pub const RETENTION_INTERVAL_MS: i64 = 24 * 60 * 60 * 1000;
/// After a failed run (database unreachable), the next try comes this much sooner than a day.
pub const RETRY_AFTER_FAILURE_MS: i64 = 60 * 60 * 1000;

/// One retention run: when (the handler's clock) and what it erased, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRun {
    pub at_ms: i64,
    pub outcome: Result<ErasureReport, String>,
}

/// Erases, for every form with `retention_days`, its leads received before its cutoff.
pub async fn erase_expired_leads(
    store: &Store,
    forms: &FormRegistry,
    now_ms: i64,
) -> Result<ErasureReport, StoreError> {
    let mut total = ErasureReport::default();
    for form in forms.iter() {
        let Some(cutoff_ms) = form.retention_cutoff_ms(now_ms) else {
            continue;
        };
        let report = store
            .erase_leads_received_before(&form.id, cutoff_ms, now_ms)
            .await?;
        if report.leads > 0 {
            tracing::info!(
                form = %form.id,
                retention_days = form.retention_days,
                leads = report.leads,
                persons = report.persons,
                profiles = report.profiles,
                deliveries_cancelled = report.deliveries_cancelled,
                "retention erased leads past the form's retention"
            );
        }
        total.leads += report.leads;
        total.persons += report.persons;
        total.profiles += report.profiles;
        total.deliveries_cancelled += report.deliveries_cancelled;
    }
    Ok(total)
}

/// The running retention task.
pub struct RetentionTask {
    /// The latest run; `None` until the start-up run has finished.
    pub runs: watch::Receiver<Option<RetentionRun>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RetentionTask {
    /// Starts retention when any form has `retention_days`; `None` when none has.
    pub fn start(
        store: Arc<Store>,
        forms: Arc<FormRegistry>,
        clock: Arc<dyn Clock>,
    ) -> Option<RetentionTask> {
        if forms.iter().all(|form| form.retention_days.is_none()) {
            return None;
        }
        let (stop, mut stopped) = oneshot::channel::<()>();
        let (publish, runs) = watch::channel(None);
        let task = tokio::spawn(async move {
            loop {
                let at_ms = clock.now_ms();
                let outcome = erase_expired_leads(&store, &forms, at_ms).await;
                let next_ms = match &outcome {
                    Ok(_) => at_ms.saturating_add(RETENTION_INTERVAL_MS),
                    Err(error) => {
                        tracing::error!(%error, "retention could not erase expired leads; trying again in an hour");
                        at_ms.saturating_add(RETRY_AFTER_FAILURE_MS)
                    }
                };
                publish.send_replace(Some(RetentionRun {
                    at_ms,
                    outcome: outcome.map_err(|error| error.to_string()),
                }));
                tokio::select! {
                    () = clock.sleep_until_ms(next_ms) => {}
                    _ = &mut stopped => return,
                }
            }
        });
        Some(RetentionTask {
            runs,
            stop: Some(stop),
            task,
        })
    }

    /// Stops the task, letting a run in progress finish (it is one transaction per batch).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the retention task failed");
        }
    }
}
