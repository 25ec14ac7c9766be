//! The schema migrations embedded in the binary, one set per dialect: `open` runs them and
//! `readiness` checks that all of them are applied.

use sqlx::migrate::Migrator;

pub(crate) static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
