//! The decay and snapshot pass in the running handler: once at start-up (catching up the weeks
//! when no handler ran) and then periodically, on the handler's one clock.

use crate::clock::now_ms;
use leadform_scoring::ScoringRules;
use leadform_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Decay is weekly, so a pass every ten minutes writes each row within minutes of its week ending.
pub const SCORE_PASS_EVERY: Duration = Duration::from_secs(10 * 60);

/// Runs the pass now and then every [`SCORE_PASS_EVERY`] until the task is aborted. A failed pass
/// is logged and tried again next time: its rows are written on the next success.
pub fn spawn(store: Arc<Store>, rules: Arc<ScoringRules>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SCORE_PASS_EVERY);
        loop {
            every.tick().await;
            match store.run_score_pass(&rules, now_ms()).await {
                Ok(report) => tracing::info!(
                    persons = report.persons,
                    decay_rows = report.decay_rows,
                    snapshots = report.snapshots,
                    "score pass done"
                ),
                Err(error) => tracing::error!(error = %error, "score pass failed"),
            }
        }
    })
}
