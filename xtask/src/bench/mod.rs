//! `cargo xtask bench`: prints figures, never fails on one. A shared 2-core machine is
//! noisy, so numbers are for comparing runs by eye, not for asserting.

use anyhow::{bail, Result};

use crate::demo_data;
use crate::dist::{self, Profile};
use crate::run;

mod cpu_time;
mod intake;
mod load_generator;
mod overview;
mod recovery;
mod scoring;
mod size;
mod slow_clients;
mod startup;

pub struct Options {
    pub leads: usize,
    pub concurrency: usize,
    pub scope: Scope,
}

/// Which parts run: all of them, or one group for a quicker look while working on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everything,
    /// The sizes and the side-by-side startup benchmark, not the handler's throughput.
    Browser,
    /// The handler's throughput on SQLite and PostgreSQL (no widget build, no browser).
    Intake,
    /// The outage-and-recovery run (no widget build, no browser).
    Recovery,
}

pub fn bench(options: Options) -> Result<()> {
    if options.leads == 0 || options.concurrency == 0 {
        bail!("--leads and --concurrency must be at least 1");
    }
    if matches!(options.scope, Scope::Intake | Scope::Recovery) {
        run::header("bench: building the handler (release)");
        let bin = crate::intake::build(true)?;
        let runtime = tokio::runtime::Runtime::new()?;
        return match options.scope {
            Scope::Intake => bench_intake_on_both(&runtime, &bin, &options),
            _ => recovery::run(&runtime, &bin),
        };
    }
    dist::dist(Profile::Release)?;
    run::header("bench: building the handler (release)");
    let bin = crate::intake::build(true)?;

    let runtime = tokio::runtime::Runtime::new()?;
    size::run(&runtime, &bin)?;
    startup::run(&runtime, &bin)?;
    if options.scope == Scope::Browser {
        return Ok(());
    }
    scoring::run()?;
    bench_intake_on_both(&runtime, &bin, &options)?;
    slow_clients::run(&runtime, &bin)?;
    recovery::run(&runtime, &bin)?;
    // The console overview (issue 9): 100,000 leads, written in batches, then timed.
    let demo_bin = demo_data::build()?;
    overview::run_sqlite(&demo_bin)?;
    match std::env::var("LEADFORM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => overview::run_postgres(&demo_bin, &url)?,
        _ => println!("\nPostgreSQL overview: skipped (LEADFORM_TEST_POSTGRES_URL is not set)"),
    }
    Ok(())
}

/// The handler's throughput (group commit, issue 13 §5) on SQLite, then PostgreSQL when set.
fn bench_intake_on_both(
    runtime: &tokio::runtime::Runtime,
    bin: &std::path::Path,
    options: &Options,
) -> Result<()> {
    intake::run_sqlite(runtime, bin, options)?;
    match std::env::var("LEADFORM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => intake::run_postgres(runtime, bin, options, &url),
        _ => {
            println!("\nPostgreSQL: skipped (LEADFORM_TEST_POSTGRES_URL is not set)");
            Ok(())
        }
    }
}
