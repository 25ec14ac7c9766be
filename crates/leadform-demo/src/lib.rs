//! Demo data for Leadform: [`seed_demo`] fills an empty store with a few weeks of plausible leads
//! so the console's charts show something, and [`bulk`] writes the overview benchmark's 100,000
//! leads in batches.

pub mod bulk;
pub mod direct_sql;
mod forms;
mod people;
mod random;
mod seed;

pub use forms::load_forms;
pub use random::DemoRandom;
pub use seed::{seed_demo, SeedOutcome, DEMO_SEED};

/// What can go wrong while making demo data.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] leadform_store::StoreError),
    #[error(transparent)]
    Console(#[from] leadform_store::ConsoleStoreError),
    #[error("cannot {action}: {source}")]
    Sql {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("outbox: {0}")]
    Outbox(#[from] leadform_delivery::OutboxError),
    #[error("cannot read the forms in {path}: {detail}")]
    Forms { path: String, detail: String },
    #[error("no forms in {0}: the demo needs at least one form definition")]
    NoForms(String),
}
