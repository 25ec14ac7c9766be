//! Leadform's storage: leads, persons, visitor profiles and the delivery outbox, in a SQLite file or
//! on a PostgreSQL server, with the same schema and behaviour (docs/storage-and-outbox.md).
//!
//! A lead and its delivery rows are committed in one transaction before the handler answers 201;
//! [`Store`] implements [`leadform_delivery::OutboxStore`] for the forwarder.

mod backend;
mod clock;
mod connect;
mod deliveries;
mod error;
// Issue 7: form tokens already spent and the shared signing secret.
mod form_tokens;
mod leads;
mod model;
mod outbox;
mod outbox_store;
mod profiles;
mod secrets;

use backend::Backend;

pub use connect::is_postgres_url;
pub use error::StoreError;
pub use form_tokens::FormTokenUse;
pub use leadform_core::KnownProfile;
pub use model::{
    DeliveryFilter, DeliveryRecord, InsertOutcome, NewDelivery, NewLead, StoredLead,
    DELIVERY_STATUSES,
};

/// The lead database: a SQLite pool or a PostgreSQL pool. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    durability: String,
}

impl Store {
    /// `postgres://...` or `postgresql://...` opens PostgreSQL; anything else is a SQLite file path
    /// (created if missing; WAL; synchronous=FULL). Runs the embedded migrations either way.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        let (backend, durability) = if connect::is_postgres_url(db) {
            connect::open_postgres(db).await?
        } else {
            connect::open_sqlite(db).await?
        };
        Ok(Store {
            backend,
            durability,
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// The durability settings in force, for logs and benchmark reports.
    pub fn durability(&self) -> String {
        self.durability.clone()
    }

    /// Closes every pooled connection, waiting for those in use. SQLite checkpoints its WAL on the
    /// last close.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}
