//! Bench (3): 500 slow clients hold connections to the release handler while a visitor submits a
//! lead; prints each submission's status and latency. Loopback only, bounded, never asserts.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;

use crate::intake::{Handler, ServeOptions};
use crate::paths;
use crate::run;

const SLOW_CLIENTS: usize = 500;
/// Normal submissions timed while the slow clients are connected.
const SUBMISSIONS: usize = 5;
/// A submission slower than this is reported as not answered; the bench goes on.
const GIVE_UP: Duration = Duration::from_secs(30);

pub fn run(runtime: &tokio::runtime::Runtime, bin: &Path) -> Result<()> {
    run::header("bench (3): a lead while 500 slow clients are connected, SQLite");
    let scratch = tempfile::tempdir()?;
    let db = scratch
        .path()
        .join("bench.db")
        .to_string_lossy()
        .into_owned();
    let forms = paths::forms_dir();
    let handler = Handler::start(ServeOptions {
        bin,
        forms: &forms,
        db: &db,
        public: None,
        assets: &paths::assets_dir(),
        log: &scratch.path().join("handler.log"),
        // The defaults, except that no slow client is timed out during the bench: the figure is
        // about serving alongside them, not about getting rid of them.
        env: vec![("LEADFORM_HEADER_READ_TIMEOUT", "300".to_string())],
    })?;
    let slow = open_slow_clients(handler.port)?;
    println!(
        "slow clients: {} connected ({} silent, {} stopped halfway through their headers)",
        slow.len(),
        slow.len().div_ceil(2),
        slow.len() / 2
    );
    let url = format!("{}/v1/leads", handler.base_url());
    let origin = first_allowed_origin(&forms.join("contact-us.json"))?;
    let results = runtime.block_on(submit_while_slow_clients_wait(&url, &origin))?;
    for (n, (outcome, latency)) in results.iter().enumerate() {
        println!(
            "submission {}: {outcome} in {:.1} ms",
            n + 1,
            latency.as_secs_f64() * 1000.0
        );
    }
    drop(slow);
    drop(handler);
    Ok(())
}

/// Half the clients send nothing, half stop in the middle of a request head.
fn open_slow_clients(port: u16) -> Result<Vec<TcpStream>> {
    (0..SLOW_CLIENTS)
        .map(|n| {
            let mut stream = TcpStream::connect(("127.0.0.1", port))
                .with_context(|| format!("opening slow client {n}"))?;
            if n % 2 == 1 {
                stream.write_all(b"POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")?;
            }
            Ok(stream)
        })
        .collect()
}

async fn submit_while_slow_clients_wait(
    url: &str,
    origin: &str,
) -> Result<Vec<(String, Duration)>> {
    let client = reqwest::Client::builder().timeout(GIVE_UP).build()?;
    let mut results = Vec::with_capacity(SUBMISSIONS);
    for n in 0..SUBMISSIONS {
        let body = json!({
            "form_id": "contact-us",
            "submission_id": uuid::Uuid::new_v4().to_string(),
            "fields": {
                "first_name": "Ada", "last_name": "Lovelace",
                "email": format!("ada+slow{n}@example.com"), "company": "Analytical Engines",
                "topic": "demo", "message": "Sent while 500 slow clients wait"
            },
            "page_url": format!("{origin}/contact.html"),
            "page_title": "Contact",
            "referrer": "",
            "submitted_at": "2026-11-29T12:00:00.000Z",
            "locale": "en",
            "bot_check": {"honeypot": "", "fill_ms": 5000}
        });
        let started = Instant::now();
        let outcome = match client
            .post(url)
            .header("origin", origin)
            .json(&body)
            .send()
            .await
        {
            Ok(response) => response.status().to_string(),
            Err(error) if error.is_timeout() => format!("no answer within {GIVE_UP:?}"),
            Err(error) => format!("failed ({error})"),
        };
        results.push((outcome, started.elapsed()));
    }
    Ok(results)
}

fn first_allowed_origin(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let form: serde_json::Value = serde_json::from_str(&text)?;
    Ok(form["allowed_origins"][0]
        .as_str()
        .unwrap_or("http://127.0.0.1")
        .to_owned())
}
