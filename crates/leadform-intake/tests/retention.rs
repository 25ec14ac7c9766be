//! Per-form retention in the running handler: leads older than `retention_days` are erased at
//! start-up and then once a day, on the handler's clock. A manual clock is moved a month ahead
//! instead of waiting one.

mod support;

use leadform_intake::clock::{now_ms, rfc3339_from_ms, Clock, ManualClock};
use leadform_intake::forms::FormRegistry;
use leadform_intake::retention::{RetentionRun, RetentionTask};
use leadform_store::{DeliveryFilter, ErasureReport, StoredLead};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::fixtures::{consent_form, contact_form, contact_lead, ebook_form, ebook_lead};
use support::{backends, TestHandler, TestOptions};
use tokio::sync::watch;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// The contact form keeps leads 30 days; the eBook form keeps them.
fn forms() -> Vec<serde_json::Value> {
    let mut contact = contact_form();
    contact["retention_days"] = json!(30);
    vec![contact, ebook_form(), consent_form()]
}

/// Waits for the retention run the task makes at `at_ms` on its clock. The timeout only keeps a
/// broken task from hanging the suite; nothing here measures time.
async fn run_at(runs: &mut watch::Receiver<Option<RetentionRun>>, at_ms: i64) -> ErasureReport {
    let run = tokio::time::timeout(
        Duration::from_secs(120),
        runs.wait_for(|run| run.as_ref().is_some_and(|run| run.at_ms == at_ms)),
    )
    .await
    .expect("the retention run happens")
    .expect("the retention task is running")
    .clone()
    .expect("a run");
    run.outcome.expect("retention succeeds")
}

fn lead(leads: &[StoredLead], id: i64) -> &StoredLead {
    leads
        .iter()
        .find(|l| l.id == id)
        .expect("the lead is still a row")
}

async fn post(handler: &TestHandler, body: serde_json::Value) -> i64 {
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn leads_past_their_forms_retention_are_erased_at_start_up_and_daily() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            forms: forms(),
            ..Default::default()
        })
        .await;
        let registry = Arc::new(FormRegistry::load_dir(&handler.dir.path().join("forms")).unwrap());
        let contact = post(&handler, contact_lead("ada@example.com")).await;
        let ebook = post(&handler, ebook_lead("bob@example.com")).await;
        // Both leads were received at or before `received_by` on the handler's clock.
        let received_by = now_ms();

        // Day 29: nothing is old enough.
        let clock = Arc::new(ManualClock::starting_at(received_by + 29 * DAY_MS));
        let task = RetentionTask::start(
            handler.store.clone(),
            registry.clone(),
            clock.clone() as Arc<dyn Clock>,
        )
        .expect("a form has retention_days");
        let mut runs = task.runs.clone();
        let report = run_at(&mut runs, received_by + 29 * DAY_MS).await;
        assert_eq!(report, ErasureReport::default(), "{backend:?}");
        assert_eq!(lead(&handler.stored_leads().await, contact).erased_at, None);

        // A day later (and an hour, so the lead is clearly past 30 days) the daily run erases it.
        let day_30 = received_by + 30 * DAY_MS + HOUR_MS;
        clock.set_ms(day_30);
        let report = run_at(&mut runs, day_30).await;
        assert_eq!(report.leads, 1, "{backend:?}: {report:?}");
        assert_eq!(report.persons, 1, "Ada has no other lead");
        assert_eq!(report.deliveries_cancelled, 1, "the webhook delivery");
        let leads = handler.stored_leads().await;
        let erased = lead(&leads, contact);
        assert_eq!(
            erased.erased_at.as_deref(),
            Some(rfc3339_from_ms(day_30).as_str()),
            "{backend:?}: erased on the handler's clock"
        );
        assert_eq!(erased.email, None);
        assert!(erased.lead.fields.is_empty());
        // The eBook form has no retention_days: its lead stays, however old.
        assert_eq!(lead(&leads, ebook).erased_at, None, "{backend:?}");
        assert_eq!(
            lead(&leads, ebook).email.as_deref(),
            Some("bob@example.com")
        );
        let deliveries = handler
            .store
            .list_deliveries(DeliveryFilter::All)
            .await
            .unwrap();
        assert!(
            deliveries.iter().all(|d| d.lead_id != contact
                || d.last_error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("cancelled:"))),
            "{deliveries:?}"
        );
        task.stop().await;

        // A restart runs retention at once (start-up), and a lead erased before is not counted
        // again: the erasure is idempotent, so several instances may run it.
        let newer = post(&handler, contact_lead("carol@example.com")).await;
        let restart_at = now_ms() + 45 * DAY_MS;
        let restarted = RetentionTask::start(
            handler.store.clone(),
            registry.clone(),
            Arc::new(ManualClock::starting_at(restart_at)) as Arc<dyn Clock>,
        )
        .expect("a form has retention_days");
        let mut runs = restarted.runs.clone();
        let report = run_at(&mut runs, restart_at).await;
        assert_eq!(
            report.leads, 1,
            "{backend:?}: only Carol's lead: {report:?}"
        );
        assert!(lead(&handler.stored_leads().await, newer)
            .erased_at
            .is_some());
        restarted.stop().await;
        handler.stop().await;
    }
}

#[tokio::test]
async fn no_task_runs_when_no_form_has_retention() {
    let handler = TestHandler::start().await;
    let registry = Arc::new(FormRegistry::load_dir(&handler.dir.path().join("forms")).unwrap());
    assert!(RetentionTask::start(
        handler.store.clone(),
        registry,
        Arc::new(ManualClock::starting_at(0)) as Arc<dyn Clock>,
    )
    .is_none());
    handler.stop().await;
}
