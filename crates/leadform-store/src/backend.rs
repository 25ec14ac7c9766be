//! The two databases behind one `Store`, and the little that differs between them.
//!
//! Queries are written once with `$1`-style placeholders (which SQLite accepts too) and run on either
//! pool through [`with_backend!`], which expands the same code for each concrete pool type.

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Backend {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool and `$dialect` to its [`Dialect`].
macro_rules! with_backend {
    ($backend:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match $backend {
            $crate::backend::Backend::Sqlite($pool) => {
                let $dialect = $crate::backend::Dialect::Sqlite;
                $body
            }
            $crate::backend::Backend::Postgres($pool) => {
                let $dialect = $crate::backend::Dialect::Postgres;
                $body
            }
        }
    };
}
pub(crate) use with_backend;

/// The SQL that cannot be shared between the two dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// Claims due deliveries. Binds: $1 lease_until_ms, $2 claim_token, $3 now_ms, $4 limit.
    /// SQLite runs it inside `BEGIN IMMEDIATE`, so claimers are serialised; PostgreSQL skips rows
    /// another claimer has locked, so concurrent claimers never take the same row.
    pub(crate) fn claim_due_sql(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "UPDATE deliveries
                 SET status = 'in_flight', lease_until_ms = $1, claim_token = $2
                 WHERE id IN (
                     SELECT id FROM deliveries
                     WHERE (status = 'pending' AND next_attempt_at_ms <= $3)
                        OR (status = 'in_flight' AND lease_until_ms <= $3)
                     ORDER BY next_attempt_at_ms, id
                     LIMIT $4)
                 RETURNING id"
            }
            Dialect::Postgres => {
                "WITH due AS (
                     SELECT id FROM deliveries
                     WHERE (status = 'pending' AND next_attempt_at_ms <= $3)
                        OR (status = 'in_flight' AND lease_until_ms <= $3)
                     ORDER BY next_attempt_at_ms, id
                     LIMIT $4
                     FOR UPDATE SKIP LOCKED)
                 UPDATE deliveries AS d
                 SET status = 'in_flight', lease_until_ms = $1, claim_token = $2
                 FROM due WHERE d.id = due.id
                 RETURNING d.id"
            }
        }
    }
}

/// Starts a transaction that will write.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<Transaction<'static, Self::Db>, sqlx::Error>> + Send;
    /// [`BeginWrite::begin_write`] for a group commit's batch stored as sets, whose statements
    /// are the intake's own and each look rows up through an index made for it.
    fn begin_lead_batch(
        &self,
    ) -> impl std::future::Future<Output = Result<Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    /// Takes the write lock up front: a deferred transaction that reads and then writes can fail with
    /// SQLITE_BUSY when two connections try to upgrade at once, which busy_timeout cannot resolve.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }

    async fn begin_lead_batch(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_write().await
    }
}

impl BeginWrite for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }

    /// Without sequential scans, set in the same round trip as `BEGIN`. The batch's statements
    /// are kept prepared, and PostgreSQL may keep a generic plan for one until the table's
    /// statistics change. On a new database the migrations analyse `leads` while it is empty,
    /// so a plan made over its first few pages scanned it whole, and went on scanning it for
    /// every batch as it grew (a bench run read 1.2 million rows that way for 5,000 leads).
    /// Autovacuum's first analysis would end that within a minute or so; a burst of leads on a
    /// new database should not need to wait for it. Setting a user-settable boolean fails only
    /// when the connection does, so the pair cannot leave a half-begun transaction on a
    /// connection the pool keeps.
    async fn begin_lead_batch(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin_with(LEAD_BATCH_BEGIN).await
    }
}

/// See [`BeginWrite::begin_lead_batch`] on PostgreSQL.
pub(crate) const LEAD_BATCH_BEGIN: &str = "BEGIN; SET LOCAL enable_seqscan = off";
