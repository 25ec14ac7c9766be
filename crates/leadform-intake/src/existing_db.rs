//! `export` and `outbox` only read or fix an existing database. Opening a SQLite path creates the
//! file, so a mistyped `--db` would quietly print an empty export or "0 deliveries"; these commands
//! check the file is there first. `serve` still creates it.

use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("no Leadform database at {path} (serve creates it; check the --db path)")]
pub struct MissingDatabase {
    pub path: String,
}

/// `Ok` for a PostgreSQL URL (the server reports an unknown database itself) or a SQLite path
/// that exists.
pub fn require_existing(db: &str) -> Result<(), MissingDatabase> {
    if leadform_store::is_postgres_url(db) || Path::new(db).exists() {
        Ok(())
    } else {
        Err(MissingDatabase {
            path: db.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_sqlite_file_is_named_and_postgres_urls_pass() {
        assert_eq!(
            require_existing("./leadfrom.db").unwrap_err().to_string(),
            "no Leadform database at ./leadfrom.db (serve creates it; check the --db path)"
        );
        assert!(require_existing("postgres://app@127.0.0.1/leads").is_ok());
        assert!(require_existing("postgresql://app@127.0.0.1/leads").is_ok());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.db");
        std::fs::write(&file, b"").unwrap();
        assert!(require_existing(&file.display().to_string()).is_ok());
    }
}
