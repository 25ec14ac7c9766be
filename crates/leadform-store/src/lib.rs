//! Leadform's storage: leads, persons, visitor profiles and the delivery outbox, in a SQLite file or
//! on a PostgreSQL server, with the same schema and behaviour (docs/storage-and-outbox.md).
//!
//! A lead and its delivery rows are committed in one transaction before the handler answers 201;
//! [`Store`] implements [`leadform_delivery::OutboxStore`] for the forwarder.

mod access;
mod audit;
mod backend;
mod backup;
mod clock;
mod connect;
mod deliveries;
mod delivery_status;
mod erasure;
mod erasure_steps;
mod error;
// Issue 7: form tokens already spent and the shared signing secret.
mod form_tokens;
mod group_commit;
mod intent_column;
mod lead_batch;
mod lead_json_column;
mod lead_steps;
mod leads;
mod lease;
mod legacy_webhooks;
mod migrations;
mod model;
mod mql_routes;
mod outages;
mod outbox;
mod outbox_summary;
mod profiles;
mod readiness;
pub mod reports;
mod score_model;
mod score_rows;
mod score_tx;
mod score_views;
mod scores;
mod send_slots;
// The marketer's console (issue 9).
mod console_error;
mod lead_queries;
mod lead_work;
mod login_throttle;
mod passwords;
mod secrets;
mod sessions;
mod spam_flag;
mod users;

use backend::Backend;

pub use access::{PersonAccessRecord, PersonLead, PersonRecord, VisitorProfileRecord};
// The one wall clock in milliseconds, shared with the handler (core cannot: no clock on wasm).
pub use clock::now_ms;
pub use connect::is_postgres_url;
pub use delivery_status::DeliveryStatus;
pub use erasure::ErasureReport;
pub use error::StoreError;
pub use group_commit::{CommitterTask, GroupCommitter};
pub use leadform_core::KnownProfile;
pub use model::{DeliveryFilter, DeliveryRecord, InsertOutcome, NewDelivery, NewLead, StoredLead};
pub use mql_routes::MqlRoutes;
pub use outbox_summary::{OutboxCount, OutboxSummary};
pub use readiness::NotReady;
pub use score_model::{
    NewScoreEvent, PersonScoreLog, RescoreReport, ScorePassReport, ScoredEvents, StoredSnapshot,
    VisitorLead,
};
// The console's overview figures (issue 9).
pub use reports::{Overview, OverviewQuery, ReportError};
// The marketer's console (issue 9).
pub use audit::{AuditAction, AuditEntry, COMMAND_LINE_ACTOR};
pub use console_error::ConsoleStoreError;
pub use lead_queries::{
    LeadDetail, LeadFilter, LeadListPage, LeadSummary, MinVelocity, SpamFilter, StatusHistoryEntry,
};
pub use lead_work::{ClosedReason, LeadStatus, StatusChangeOutcome};
pub use login_throttle::LoginThrottlePolicy;
pub use passwords::{check_new_password, WeakPassword, MIN_PASSWORD_CHARS};
pub use sessions::{ActiveSession, NewConsoleSession, SessionLifetime};
pub use users::{is_valid_user_name, ConsoleUser, UserRole};

/// The lead database: a SQLite pool or a PostgreSQL pool. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    durability: String,
    /// Where scoring queues `lead.mql` hand-offs; empty unless the handler sets its forms'.
    mql_routes: std::sync::Arc<MqlRoutes>,
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
        let store = Store {
            backend,
            durability,
            mql_routes: Default::default(),
        };
        store.upgrade_legacy_webhook_rows().await?;
        Ok(store)
    }

    /// The store with these `lead.mql` routes: scoring queues a hand-off to each subscriber of
    /// the form of a person's latest lead when the person crosses the MQL threshold.
    pub fn with_mql_routes(mut self, routes: MqlRoutes) -> Store {
        self.mql_routes = std::sync::Arc::new(routes);
        self
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
