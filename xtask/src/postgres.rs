//! A throwaway PostgreSQL database for the intake bench, via `psql`, so rows left by
//! other runs cannot be mistaken for this run's.

use anyhow::Result;
use leadform_testdb::with_database;

use crate::run::{self, cmd};

pub struct FreshDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl FreshDatabase {
    /// Creates `leadform_bench_<pid>` on the server that `admin_url` points at.
    pub fn create(admin_url: &str) -> Result<Self> {
        let name = format!("leadform_bench_{}", std::process::id());
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        Ok(FreshDatabase {
            admin_url: admin_url.to_string(),
            url: with_database(admin_url, &name),
            name,
        })
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let drop_sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(err) = psql(&self.admin_url, &drop_sql) {
            eprintln!("warning: could not drop {}: {err:#}", self.name);
        }
    }
}

/// A server setting such as `synchronous_commit`, as `SHOW` prints it.
pub fn show(url: &str, setting: &str) -> Result<String> {
    psql(url, &format!("SHOW {setting}")).map(|out| out.trim().to_string())
}

fn psql(url: &str, sql: &str) -> Result<String> {
    run::output(cmd("psql").args([url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]))
}
