//! Bench (2): the handler's throughput on loopback, and whether every 201 is a stored row.

use std::collections::{BTreeMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context, Result};
use leadform_core::time::rfc3339_from_ms;
use serde_json::{json, Value};

use super::cpu_time;
use super::load_generator::{self, Load, PreparedPost};
use super::Options;
use crate::intake::{self, Handler, ServeOptions};
use crate::paths;
use crate::postgres::{self, FreshDatabase};
use crate::run;

pub(super) const FORM_ID: &str = "contact-us";

pub fn run_sqlite(runtime: &tokio::runtime::Runtime, bin: &Path, options: &Options) -> Result<()> {
    run::header("bench (2): intake throughput, SQLite");
    let scratch = tempfile::tempdir()?;
    let db = scratch.path().join("bench.db");
    let db_arg = db.to_string_lossy().into_owned();
    let report = run_load(
        runtime,
        bin,
        options,
        &db_arg,
        scratch.path(),
        Backend::Sqlite,
    )?;
    let durability = format!(
        "{}; the file's header says journal mode {}",
        report.reported_durability(),
        sqlite_journal_mode(&db)?
    );
    report.print(&durability);
    Ok(())
}

pub fn run_postgres(
    runtime: &tokio::runtime::Runtime,
    bin: &Path,
    options: &Options,
    url: &str,
) -> Result<()> {
    run::header("bench (2): intake throughput, PostgreSQL");
    // Only this run's submission ids are counted, so the shared database is a safe fallback.
    let fresh = match FreshDatabase::create(url) {
        Ok(fresh) => Some(fresh),
        Err(err) => {
            let shown = run::redact_password(url);
            println!("note: no fresh database ({err:#}); using {shown} as it is");
            None
        }
    };
    let db_url = fresh.as_ref().map_or(url, |f| f.url.as_str());
    let scratch = tempfile::tempdir()?;
    let report = run_load(
        runtime,
        bin,
        options,
        db_url,
        scratch.path(),
        Backend::Postgres,
    )?;
    let setting =
        |name| postgres::show(db_url, name).unwrap_or_else(|e| format!("unknown ({e:#})"));
    let durability = format!(
        "{}; the server says synchronous_commit={}, fsync={}",
        report.reported_durability(),
        setting("synchronous_commit"),
        setting("fsync")
    );
    report.print(&durability);
    Ok(())
}

/// Starts a handler on `db`, submits the leads, stops it, and reads the rows back.
fn run_load(
    runtime: &tokio::runtime::Runtime,
    bin: &Path,
    options: &Options,
    db: &str,
    scratch: &Path,
    backend: Backend,
) -> Result<Report> {
    let forms = paths::forms_dir();
    let form = BenchForm::load(&forms.join(format!("{FORM_ID}.json")))?;
    let handler = Handler::start(ServeOptions {
        bin,
        forms: &forms,
        db,
        public: None,
        assets: &paths::assets_dir(),
        log: &scratch.join("handler.log"),
        // One client IP sends everything here: lift the per-IP limit out of the way.
        env: vec![("LEADFORM_RATE_LIMIT_PER_MINUTE", "1000000000".to_string())],
    })?;
    // Each lead carries its own form token, fetched as the widget would and aged past the form's
    // min_fill_seconds before the timed part starts, so the bench measures stored, delivered leads.
    let tokens = runtime.block_on(fetch_form_tokens(
        &reqwest::Client::new(),
        &handler.base_url(),
        &form.origin,
        options.leads,
    ))?;
    std::thread::sleep(Duration::from_secs(form.min_fill_seconds + 1));
    let leads = make_leads(options.leads, &form, &tokens);
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, handler.port));
    let host = address.to_string();
    let posts: Vec<PreparedPost> = leads
        .iter()
        .map(|lead| PreparedPost::json(&host, "/v1/leads", &form.origin, &lead.body))
        .collect();
    let cpu_before = CpuUse::now(handler.pid(), backend);
    let load = load_generator::send_all(address, Arc::new(posts), options.concurrency)?;
    let cpu = CpuUse::now(handler.pid(), backend).since(&cpu_before);
    let durability = handler.reported_durability();
    drop(handler);

    let ours: HashSet<&str> = leads.iter().map(|l| l.submission_id.as_str()).collect();
    let stored = intake::export(bin, db)?
        .iter()
        .filter(|row| {
            row["submission_id"]
                .as_str()
                .is_some_and(|id| ours.contains(id))
        })
        .count();
    Ok(Report {
        load,
        cpu,
        stored,
        concurrency: options.concurrency,
        durability,
    })
}

/// What the bench's leads take from the form definition, so they pass its checks.
struct BenchForm {
    /// The first origin the form accepts, so requests look like the widget's.
    origin: String,
    /// The definition's own lead source and campaign id (a form may allow-list them).
    hidden: Value,
    /// How long a form token must age before a lead is not spam (the handler's default is 3).
    min_fill_seconds: u64,
}

impl BenchForm {
    fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let form: Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let origin = form["allowed_origins"][0]
            .as_str()
            .map(String::from)
            .ok_or_else(|| anyhow!("{} lists no allowed_origins", path.display()))?;
        let hidden = form.get("hidden").cloned().unwrap_or_else(|| json!({}));
        let min_fill_seconds = form["min_fill_seconds"].as_u64().unwrap_or(3);
        Ok(BenchForm {
            origin,
            hidden,
            min_fill_seconds,
        })
    }
}

struct Lead {
    submission_id: String,
    body: Vec<u8>,
}

/// `count` form tokens from `GET /v1/forms/{FORM_ID}`, one per lead (a token carries one lead).
/// The recovery bench posts to the same form, so it fetches its tokens here too.
pub(super) async fn fetch_form_tokens(
    client: &reqwest::Client,
    base_url: &str,
    origin: &str,
    count: usize,
) -> Result<Vec<String>> {
    let url = format!("{base_url}/v1/forms/{FORM_ID}");
    let mut tokens = Vec::with_capacity(count);
    for _ in 0..count {
        let definition: Value = client
            .get(&url)
            .header("Origin", origin)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = definition["form_token"]
            .as_str()
            .ok_or_else(|| anyhow!("GET {url} has no form_token"))?;
        tokens.push(token.to_owned());
    }
    Ok(tokens)
}

/// Valid `contact-us` submissions (docs/architecture.md, `LeadSubmission`), distinct ids, each
/// with its own token from `tokens`.
fn make_leads(count: usize, form: &BenchForm, tokens: &[String]) -> Vec<Lead> {
    let submitted_at = utc_rfc3339(SystemTime::now());
    (0..count)
        .map(|i| {
            let submission_id = uuid::Uuid::new_v4().to_string();
            let body = json!({
                "form_id": FORM_ID,
                "submission_id": submission_id,
                "fields": {
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "email": format!("ada+{i}@example.com"),
                    "company": "Analytical Engines",
                    "topic": "demo",
                    "message": "Hello from cargo xtask bench"
                },
                "hidden": form.hidden,
                "page_url": format!("{}/contact.html", form.origin),
                "page_title": "Contact",
                "referrer": "",
                "submitted_at": submitted_at,
                "locale": "en",
                "attribution": null,
                "consent": false,
                "visitor_id": null,
                "bot_check": {"honeypot": "", "fill_ms": 5000},
                // The handler times the visit by this, issued at least min_fill_seconds ago.
                "form_token": tokens.get(i)
            });
            Lead {
                submission_id,
                body: serde_json::to_vec(&body).expect("a json! value serialises"),
            }
        })
        .collect()
}

/// CPU time used so far by the handler, the load generator (this process) and, on PostgreSQL, the
/// database server's processes on this machine (they share its two cores).
struct CpuUse {
    handler: Option<Duration>,
    load_generator: Option<Duration>,
    database_server: Option<Duration>,
}

impl CpuUse {
    fn now(handler_pid: u32, backend: Backend) -> Self {
        CpuUse {
            handler: cpu_time::used_by(handler_pid),
            load_generator: cpu_time::used_by_this_process(),
            database_server: match backend {
                Backend::Sqlite => None,
                Backend::Postgres => cpu_time::used_by_processes_named("postgres"),
            },
        }
    }

    fn since(&self, before: &CpuUse) -> CpuUse {
        let spent = |after: Option<Duration>, before: Option<Duration>| {
            Some(after?.saturating_sub(before?))
        };
        CpuUse {
            handler: spent(self.handler, before.handler),
            load_generator: spent(self.load_generator, before.load_generator),
            database_server: spent(self.database_server, before.database_server),
        }
    }
}

/// Which database the handler under test stores in.
#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Report {
    load: Load,
    /// CPU used during the timed part.
    cpu: CpuUse,
    stored: usize,
    concurrency: usize,
    /// What the handler said about its storage when it started.
    durability: Option<String>,
}

impl Report {
    fn reported_durability(&self) -> String {
        match &self.durability {
            Some(said) => format!("leadform-intake reports \"{said}\""),
            None => "leadform-intake did not report its durability settings".to_string(),
        }
    }

    fn print(&self, durability: &str) {
        let load = &self.load;
        let sent = load.latencies.len();
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        let mut connection_errors = 0;
        for status in &load.statuses {
            match status {
                Some(code) => *statuses.entry(*code).or_default() += 1,
                None => connection_errors += 1,
            }
        }
        let accepted = statuses.get(&201).copied().unwrap_or(0);
        let per_second = sent as f64 / load.elapsed.as_secs_f64();
        println!("storage:      {durability}");
        println!(
            "leads:        {sent} sent, {} at a time, in {:.2} s",
            self.concurrency,
            load.elapsed.as_secs_f64()
        );
        println!("throughput:   {per_second:.0} leads/s");
        println!(
            "latency:      p50 {:.1} ms, p99 {:.1} ms",
            millis(percentile(&load.latencies, 0.50)),
            millis(percentile(&load.latencies, 0.99))
        );
        let answers: Vec<String> = statuses
            .iter()
            .map(|(code, n)| format!("{n} x {code}"))
            .collect();
        println!(
            "answers:      {}{}",
            answers.join(", "),
            if connection_errors > 0 {
                format!(", {connection_errors} connection errors")
            } else {
                String::new()
            }
        );
        // The machine is shared: what a lead costs in CPU says more than leads per second.
        let per_lead = |used: Option<Duration>| match used {
            Some(used) if sent > 0 => format!("{:.0} µs", used.as_secs_f64() * 1e6 / sent as f64),
            _ => "unknown".to_string(),
        };
        let server = match self.cpu.database_server {
            Some(used) => format!(", PostgreSQL server {}", per_lead(Some(used))),
            None => String::new(),
        };
        println!(
            "cpu per lead: handler {}, load generator {}{server} (at 2 cores, 5,000 leads/s leaves 400 µs for all)",
            per_lead(self.cpu.handler),
            per_lead(self.cpu.load_generator)
        );
        let verdict = if self.stored == accepted { "yes" } else { "NO" };
        println!(
            "stored rows:  {} (== {accepted} answers of 201: {verdict})",
            self.stored
        );
    }
}

/// The nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "wal" or "rollback" from bytes 18-19 of the SQLite header (2 = WAL, 1 = legacy journal).
fn sqlite_journal_mode(db: &Path) -> Result<&'static str> {
    let header = std::fs::read(db).with_context(|| format!("reading {}", db.display()))?;
    Ok(match header.get(18..20) {
        Some([2, 2]) => "WAL",
        Some([1, 1]) => "rollback (not WAL)",
        _ => "unknown",
    })
}

/// `2026-11-23T07:00:00.000Z` for `time`, in the one format the handler and the store write.
fn utc_rfc3339(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339_from_ms(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_timestamps() {
        let at = |secs: u64, millis: u64| UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis);
        assert_eq!(utc_rfc3339(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            utc_rfc3339(at(1_700_000_000, 42)),
            "2023-11-14T22:13:20.042Z"
        );
        assert_eq!(utc_rfc3339(at(951_782_400, 0)), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples: Vec<_> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&samples[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn leads_have_distinct_ids_and_the_contract_fields() {
        let form = BenchForm::load(&paths::forms_dir().join("contact-us.json")).unwrap();
        let tokens: Vec<String> = (0..3).map(|i| format!("token-{i}")).collect();
        let leads = make_leads(3, &form, &tokens);
        let ids: HashSet<_> = leads.iter().map(|l| &l.submission_id).collect();
        assert_eq!(ids.len(), 3);
        let body: Value = serde_json::from_slice(&leads[0].body).unwrap();
        assert_eq!(body["form_id"], FORM_ID);
        assert_eq!(body["submission_id"], leads[0].submission_id.as_str());
        assert_eq!(body["bot_check"]["fill_ms"], 5000);
        assert_eq!(body["page_url"], format!("{}/contact.html", form.origin));
        assert_eq!(body["hidden"], form.hidden);
        assert_eq!(body["form_token"], "token-0");
    }

    #[test]
    fn leads_pass_the_handlers_validation_of_the_demo_form() {
        let path = paths::forms_dir().join("contact-us.json");
        let definition: leadform_core::FormDefinition =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let form = BenchForm::load(&path).unwrap();
        let lead: leadform_core::LeadSubmission =
            serde_json::from_slice(&make_leads(1, &form, &["token".to_owned()])[0].body).unwrap();

        leadform_core::validate_submission(&definition, &lead).expect("a valid lead");
        assert!(!leadform_core::looks_automated(&definition, &lead));
        assert!(definition.allows_origin(&form.origin));
    }
}
