//! Throwaway PostgreSQL databases for tests, one per test, on the server that
//! `LEADFORM_TEST_POSTGRES_URL` names. Dev-only: never a dependency of shipped code.

mod admin_url;
mod database_url;
#[cfg(feature = "scratch")]
mod scratch_database;

pub use admin_url::{postgres_admin_url, POSTGRES_URL_VARIABLE};
pub use database_url::with_database;
#[cfg(feature = "scratch")]
pub use scratch_database::ScratchDatabase;
