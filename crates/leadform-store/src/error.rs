//! Everything the store can refuse or fail at, each with a message that says what and where.

/// An error from the store. Messages name the database (never a password) and the action.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open SQLite database at {path}: {source}")]
    OpenSqlite {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    ConnectPostgres {
        /// The URL with any password replaced by `***`.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot apply the {backend} schema migrations: {source}")]
    Migrate {
        backend: &'static str,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("{backend} store cannot {action}: {source}")]
    Query {
        backend: &'static str,
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot encode the lead for storage: {0}")]
    EncodeLead(#[source] serde_json::Error),
    #[error("stored {what} is unreadable: {detail}")]
    CorruptRow { what: String, detail: String },
    #[error(
        "delivery {id} is not in flight under this claim token \
         (its lease expired and it was claimed again, or it is already finished)"
    )]
    NotClaimed { id: i64 },
    #[error("unknown delivery status {0:?}: expected one of pending, in_flight, delivered, dead")]
    UnknownStatus(String),
    #[error("{path} already exists: a backup never overwrites a file, so name a new one")]
    BackupTargetExists { path: String },
    #[error("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)")]
    BackupNeedsPgDump,
    // Group commit at intake (issue 13 §5).
    #[error("the transaction holding this lead and {others} others failed, so none was stored: {reason}")]
    GroupCommitFailed { others: usize, reason: String },
    #[error("the handler is shutting down: the lead was not stored")]
    ShuttingDown,
    /// The committer dropped the job without an answer (a bug made it panic mid-batch): whether
    /// the lead was stored is unknown, so the client sends it again and its submission id
    /// dedupes it.
    #[error("storing the lead was abandoned without an answer; send it again")]
    CommitAbandoned,
    #[error("{path} is not valid UTF-8; SQLite needs the backup's path as text")]
    BackupPathNotUtf8 { path: String },
}

/// Maps a database error to a [`StoreError::Query`] naming the backend and what was being done.
pub(crate) fn failed(
    backend: &'static str,
    action: &'static str,
) -> impl Fn(sqlx::Error) -> StoreError {
    move |source| StoreError::Query {
        backend,
        action,
        source,
    }
}
