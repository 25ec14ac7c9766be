//! `leadform-demo seed --db DB --forms DIR`: fills an empty store with the demo's leads.
//! `leadform-demo bench-overview --db DB [--leads N] [--runs N]`: prints how long the console's
//! overview takes on N leads (written in batches into an empty store). Figures are printed, never
//! asserted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use leadform_demo::bulk::{insert_bulk_leads, BULK_WEEKS};
use leadform_demo::{load_forms, seed_demo, SeedOutcome};
use leadform_store::{OverviewQuery, Store};

const USAGE: &str = "usage:
  leadform-demo seed --db DB --forms DIR
  leadform-demo bench-overview --db DB [--leads N] [--runs N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `--name`, if given.
fn option(args: &[String], name: &str) -> Result<Option<String>, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(at) => args
            .get(at + 1)
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("{name} needs a value\n{USAGE}")),
    }
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    match option(args, name)? {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name} takes a whole number above 0, not {text:?}")),
        },
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

async fn run(args: &[String]) -> Result<(), String> {
    let known = ["--db", "--forms", "--leads", "--runs"];
    for (index, arg) in args.iter().enumerate().skip(1) {
        let is_value = index > 0 && known.contains(&args[index - 1].as_str());
        if !is_value && !known.contains(&arg.as_str()) {
            return Err(format!("unknown argument {arg:?}\n{USAGE}"));
        }
    }
    let db = option(args, "--db")?.ok_or_else(|| format!("--db is required\n{USAGE}"))?;
    match args.first().map(String::as_str) {
        Some("seed") => {
            let forms_dir =
                option(args, "--forms")?.ok_or_else(|| format!("--forms is required\n{USAGE}"))?;
            let forms = load_forms(&PathBuf::from(forms_dir)).map_err(|e| e.to_string())?;
            let store = Store::open(&db).await.map_err(|e| e.to_string())?;
            let outcome = seed_demo(&store, &forms, now_ms()).await;
            store.close().await;
            match outcome.map_err(|e| e.to_string())? {
                SeedOutcome::AlreadyHasLeads => {
                    println!("demo seed: the database already holds leads; left as it is")
                }
                SeedOutcome::Seeded {
                    leads,
                    spam,
                    status_changes,
                    dead_deliveries,
                } => println!(
                    "demo seed: {leads} leads ({spam} spam), {status_changes} status changes, \
                     {dead_deliveries} dead deliveries"
                ),
            }
            Ok(())
        }
        Some("bench-overview") => {
            bench_overview(
                &db,
                number(args, "--leads", 100_000)?,
                number(args, "--runs", 5)?,
            )
            .await
        }
        _ => Err(USAGE.to_string()),
    }
}

async fn bench_overview(db: &str, leads: usize, runs: usize) -> Result<(), String> {
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let now = now_ms();
    let seeding = Instant::now();
    insert_bulk_leads(&store, db, leads, now)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}: wrote {leads} leads in batches in {:.1} s",
        store.backend_name(),
        seeding.elapsed().as_secs_f64()
    );
    let query = OverviewQuery::new(now - BULK_WEEKS * 7 * 24 * 3_600_000, now + 1, now);
    let mut times: Vec<Duration> = Vec::new();
    let mut figures = None;
    // The first run also warms the page cache and the statement cache; it is printed apart.
    for _ in 0..=runs {
        let started = Instant::now();
        let overview = store.overview(&query).await.map_err(|e| e.to_string())?;
        times.push(started.elapsed());
        figures = Some(overview);
    }
    store.close().await;
    let first = times.remove(0);
    times.sort();
    let median = times[times.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{}: whole overview over {BULK_WEEKS} weeks: first {:.0} ms, then median {:.0} ms, best {:.0} ms ({runs} runs)",
        store.backend_name(),
        ms(first),
        ms(median),
        ms(times[0])
    );
    if let Some(overview) = figures {
        let counted: u64 = overview.leads_by_campaign.iter().map(|s| s.total).sum();
        println!(
            "{}: it counted {counted} leads that are not spam, {} contact requests on the clock, {} overdue",
            store.backend_name(),
            overview.speed_to_lead.contact_requests,
            overview.speed_to_lead.overdue_total
        );
    }
    Ok(())
}
