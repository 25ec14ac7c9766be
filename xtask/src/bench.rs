//! `cargo xtask bench`: prints figures, never fails on one. A shared 2-core machine is
//! noisy, so numbers are for comparing runs by eye, not for asserting.

use anyhow::{bail, Result};

use crate::dist::{self, Profile};
use crate::intake;
use crate::run;
use crate::{
    bench_intake, bench_overview, bench_scoring, bench_size, bench_slow_clients, bench_startup,
    demo_data,
};

pub struct Options {
    pub leads: usize,
    pub concurrency: usize,
    /// Only the sizes and the side-by-side startup benchmark, not the handler's throughput.
    pub browser_only: bool,
}

pub fn bench(options: Options) -> Result<()> {
    if options.leads == 0 || options.concurrency == 0 {
        bail!("--leads and --concurrency must be at least 1");
    }
    dist::dist(Profile::Release)?;
    run::header("bench: building the handler (release)");
    let bin = intake::build(true)?;

    let runtime = tokio::runtime::Runtime::new()?;
    bench_size::run(&runtime, &bin)?;
    bench_startup::run(&runtime, &bin)?;
    if options.browser_only {
        return Ok(());
    }
    bench_scoring::run()?;
    bench_intake::run_sqlite(&runtime, &bin, &options)?;
    match std::env::var("LEADFORM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => bench_intake::run_postgres(&runtime, &bin, &options, &url)?,
        _ => println!("\nPostgreSQL: skipped (LEADFORM_TEST_POSTGRES_URL is not set)"),
    }
    bench_slow_clients::run(&runtime, &bin)?;
    crate::bench_recovery::run(&runtime, &bin)?;
    // The console overview (issue 9): 100,000 leads, written in batches, then timed.
    let demo_bin = demo_data::build()?;
    bench_overview::run_sqlite(&demo_bin)?;
    match std::env::var("LEADFORM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => bench_overview::run_postgres(&demo_bin, &url)?,
        _ => println!("\nPostgreSQL overview: skipped (LEADFORM_TEST_POSTGRES_URL is not set)"),
    }
    Ok(())
}
