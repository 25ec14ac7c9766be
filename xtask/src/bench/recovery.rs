//! Bench: outage and recovery (issue 13 item 3). The release handler queues leads for a webhook
//! stand-in that answers 503 for longer than the probe backoff's cap; then it comes back, and the
//! figure is how long after that the last queued lead reached it (target: within 30 s). The
//! handler runs with its production delivery settings (no knob): the same code path as a real
//! outage. Loopback only, bounded, never asserts.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::intake::{fetch_form_tokens, FORM_ID};
use crate::intake::{Handler, ServeOptions};
use crate::paths;
use crate::run;

const LEADS: usize = 30;
/// Longer than the probe backoff's cap (15 s: 1 s doubling), so the probes run at their slowest
/// when the destination comes back, as after an outage of any length. A lead never retries on its
/// own backoff (capped at 10 minutes) while its destination is failing: it waits for the probe.
const OUTAGE: Duration = Duration::from_secs(40);
const TARGET: Duration = Duration::from_secs(30);
/// The bench reports "not all delivered" after this; it never hangs.
const GIVE_UP: Duration = Duration::from_secs(120);
const ORIGIN: &str = "http://bench.example.test";
const HOOK_SECRET_VARIABLE: &str = "LEADFORM_BENCH_RECOVERY_HOOK_SECRET";

/// What the webhook stand-in saw.
#[derive(Default)]
struct Seen {
    /// Idempotency-Keys answered 200, and when the last new one was.
    delivered: std::collections::BTreeSet<String>,
    last_new_at: Option<Instant>,
}

#[derive(Clone)]
struct StandIn {
    down: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
    seen: Arc<Mutex<Seen>>,
}

async fn answer(State(standin): State<StandIn>, headers: HeaderMap) -> StatusCode {
    if standin.down.load(Ordering::SeqCst) {
        standin.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut seen = standin.seen.lock().unwrap_or_else(|e| e.into_inner());
    if seen.delivered.insert(key) {
        seen.last_new_at = Some(Instant::now());
    }
    StatusCode::OK
}

pub fn run(runtime: &tokio::runtime::Runtime, bin: &Path) -> Result<()> {
    run::header("bench: outage and recovery (a webhook down, then back), SQLite");
    let standin = StandIn {
        down: Arc::new(AtomicBool::new(true)),
        refused: Arc::default(),
        seen: Arc::default(),
    };
    let standin_url = runtime.block_on(start_standin(standin.clone()))?;
    let scratch = tempfile::tempdir()?;
    let forms = scratch.path().join("forms");
    std::fs::create_dir(&forms)?;
    std::fs::write(
        forms.join(format!("{FORM_ID}.json")),
        serde_json::to_string_pretty(&form(&standin_url))?,
    )?;
    let db = scratch
        .path()
        .join("bench.db")
        .to_string_lossy()
        .into_owned();
    let handler = Handler::start(ServeOptions {
        bin,
        forms: &forms,
        db: &db,
        public: None,
        assets: &paths::assets_dir(),
        log: &scratch.path().join("handler.log"),
        env: vec![(HOOK_SECRET_VARIABLE, "bench-recovery-secret".to_string())],
    })?;
    let base_url = handler.base_url();
    runtime.block_on(post_leads(&base_url))?;
    let queued_at = Instant::now();
    std::thread::sleep(OUTAGE.saturating_sub(queued_at.elapsed()));
    standin.down.store(false, Ordering::SeqCst);
    let recovered_at = Instant::now();
    let refused = standin.refused.load(Ordering::SeqCst);
    loop {
        let (count, last) = {
            let seen = standin.seen.lock().unwrap_or_else(|e| e.into_inner());
            (seen.delivered.len(), seen.last_new_at)
        };
        if count >= LEADS {
            let after = last.map_or(Duration::ZERO, |at| at.duration_since(recovered_at));
            println!(
                "{LEADS} leads queued during a {}-s outage ({refused} requests reached the \
                 destination while it was down): the last reached it {:.1} s after it came back \
                 (target <= {} s)",
                OUTAGE.as_secs(),
                after.as_secs_f64(),
                TARGET.as_secs()
            );
            break;
        }
        if recovered_at.elapsed() > GIVE_UP {
            println!(
                "only {count} of {LEADS} queued leads reached the destination within {} s of \
                 its recovery (target <= {} s); see the handler's log",
                GIVE_UP.as_secs(),
                TARGET.as_secs()
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(handler);
    Ok(())
}

fn form(standin_url: &str) -> Value {
    json!({
        "id": FORM_ID,
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text", "required": true},
            {"name": "email", "label": "Email", "kind": "email", "required": true}
        ],
        "allowed_origins": [ORIGIN],
        "min_fill_seconds": 1,
        "destinations": [
            {"kind": "webhook", "url": format!("{standin_url}/hooks/leads"),
             "secret_env": HOOK_SECRET_VARIABLE}
        ]
    })
}

async fn start_standin(standin: StandIn) -> Result<String> {
    let app = axum::Router::new()
        .fallback(axum::routing::post(answer))
        .with_state(standin);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

/// Posts the leads as the widget would: a form token each, aged past `min_fill_seconds`.
async fn post_leads(base_url: &str) -> Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let tokens = fetch_form_tokens(&client, base_url, ORIGIN, LEADS).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (n, token) in tokens.iter().enumerate() {
        let body = json!({
            "form_id": FORM_ID,
            "submission_id": uuid::Uuid::new_v4().to_string(),
            "fields": {"first_name": "Ada", "email": format!("ada+outage{n}@example.com")},
            "page_url": format!("{ORIGIN}/contact.html"),
            "page_title": "Contact",
            "referrer": "",
            "submitted_at": "2026-11-29T12:00:00.000Z",
            "locale": "en",
            "bot_check": {"honeypot": "", "fill_ms": 5000},
            "form_token": token
        });
        let response = client
            .post(format!("{base_url}/v1/leads"))
            .header("Origin", ORIGIN)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("posting lead {n}"))?;
        let status = response.status();
        if status.as_u16() != 201 {
            let text = response.text().await.unwrap_or_default();
            return Err(anyhow!("lead {n} was answered {status}: {text}"));
        }
    }
    Ok(())
}
