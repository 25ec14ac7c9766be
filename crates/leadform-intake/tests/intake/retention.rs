//! Per-form retention in the running handler: leads older than `retention_days` are erased at
//! start-up and then once a day, on the handler's clock. A manual clock is moved a month ahead
//! instead of waiting one.

use crate::support;

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

/// `serve` itself runs retention at start-up: a lead stored two days ago under a one-day
/// retention is erased by the real binary, and a fresh one is kept.
#[tokio::test]
async fn serve_erases_leads_past_retention_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let forms_dir = dir.path().join("forms");
    std::fs::create_dir(&forms_dir).unwrap();
    let mut contact = contact_form();
    contact["retention_days"] = json!(1);
    std::fs::write(forms_dir.join("contact-us.json"), contact.to_string()).unwrap();
    let db = dir.path().join("leads.db").display().to_string();

    let store = leadform_store::Store::open(&db).await.unwrap();
    let old = contact_lead("ada@example.com");
    let submission: leadform_core::LeadSubmission = serde_json::from_value(old.clone()).unwrap();
    store
        .insert_lead(leadform_store::NewLead {
            lead: submission,
            raw_payload: old.to_string(),
            intent: leadform_core::Intent::ContactRequest,
            email: Some("ada@example.com".into()),
            is_spam: false,
            received_at_ms: now_ms() - 2 * DAY_MS,
            client_ip: Some("192.0.2.1".into()),
            hubspotutk: None,
            user_agent: None,
            visitor_id: None,
            previous_visitor_id: None,
            profile_answers: None,
            deliveries: Vec::new(),
            form_token: None,
        })
        .await
        .unwrap();
    store.close().await;

    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms_dir)
        .arg("--db")
        .arg(&db)
        .args(["--addr", "127.0.0.1:0"])
        .arg("--public")
        .arg(support::process::empty_public_dir(dir.path()))
        .env(
            support::fixtures::HOOK_SECRET_VARIABLE,
            "retention-test-secret",
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Polls the export; the limit only keeps a broken build from hanging the suite.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let erased_at = loop {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
            .args(["export", "--db", &db, "--format", "json"])
            .output()
            .await
            .unwrap();
        let leads: Vec<serde_json::Value> =
            serde_json::from_slice(&output.stdout).unwrap_or_default();
        if let Some(at) = leads.first().and_then(|lead| lead["erased_at"].as_str()) {
            assert_eq!(leads[0]["email"], serde_json::Value::Null);
            break at.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not erase the old lead: {leads:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(erased_at.starts_with("20"), "{erased_at}");
    serve.kill().await.unwrap();
}
