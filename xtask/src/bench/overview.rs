//! Bench (3): how long the console's whole overview takes on 100,000 leads, on SQLite and on
//! PostgreSQL. Printed, never asserted.

use std::path::Path;

use anyhow::Result;

use crate::postgres::FreshDatabase;
use crate::run::{self, cmd};

/// Leads written before timing the overview (issue 9 asks for 100,000).
const LEADS: &str = "100000";

pub fn run_sqlite(bin: &Path) -> Result<()> {
    run::header("bench (3): the console overview on 100,000 leads, SQLite");
    let scratch = tempfile::tempdir()?;
    let db = scratch.path().join("overview.db");
    run::run(
        cmd(bin)
            .args(["bench-overview", "--leads", LEADS, "--db"])
            .arg(&db),
    )
}

pub fn run_postgres(bin: &Path, url: &str) -> Result<()> {
    run::header("bench (3): the console overview on 100,000 leads, PostgreSQL");
    // The bench writes its own leads and counts them all, so it needs an empty database.
    let fresh = FreshDatabase::create(url)?;
    // run::run prints the command line with the URL's password replaced by ***.
    run::run(cmd(bin).args(["bench-overview", "--leads", LEADS, "--db", &fresh.url]))
}
