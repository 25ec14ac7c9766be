//! What each command of the CLI does.

use crate::cli::{Command, ExportFormat, OutboxCommand, ServeArgs};
use crate::existing_db::{require_existing, MissingDatabase};
use crate::export::{self, ExportError};
use crate::forms::{FormRegistry, FormsError};
use crate::outbox_cli::{self, OutboxCliError};
use crate::server::{self, ServerError, ServerOptions};
use crate::webhook_secrets::{self, MissingSecrets};
use leadform_delivery::ForwarderConfig;
use leadform_store::{Store, StoreError};
use std::io::Write;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CommandError {
    #[error(transparent)]
    Forms(#[from] FormsError),
    #[error(transparent)]
    MissingDatabase(#[from] MissingDatabase),
    #[error("opening the database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    WebhookSecrets(#[from] MissingSecrets),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Outbox(#[from] OutboxCliError),
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
}

pub async fn run(command: Command) -> Result<(), CommandError> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Export { db, format } => {
            let store = open_existing(&db).await?;
            let leads = store.export_leads().await?;
            let stdout = std::io::stdout().lock();
            match format {
                ExportFormat::Csv => export::write_csv(&leads, stdout)?,
                ExportFormat::Json => export::write_json(&leads, stdout)?,
            }
            Ok(())
        }
        Command::Outbox { command } => outbox(command).await,
        Command::Check { forms } => {
            let registry = FormRegistry::load_dir(&forms)?;
            let ids: Vec<&str> = registry.ids().collect();
            println!("{} form(s) OK: {}", ids.len(), ids.join(", "));
            Ok(())
        }
    }
}

async fn outbox(command: OutboxCommand) -> Result<(), CommandError> {
    match command {
        OutboxCommand::List { db, status } => {
            let store = open_existing(&db).await?;
            let mut stdout = std::io::stdout().lock();
            outbox_cli::list(&store, status.map(|s| s.as_str()), &mut stdout).await?;
            stdout.flush()?;
        }
        OutboxCommand::Retry { db, id, dead } => {
            let store = open_existing(&db).await?;
            let message = match (id, dead) {
                (_, true) => outbox_cli::retry_dead(&store).await?,
                (Some(id), false) => outbox_cli::retry_one(&store, id).await?,
                // clap requires one of them; this arm only keeps the match total.
                (None, false) => outbox_cli::retry_dead(&store).await?,
            };
            println!("{message}");
        }
    }
    Ok(())
}

/// Opens a database that must already exist (see [`crate::existing_db`]).
async fn open_existing(db: &str) -> Result<Store, CommandError> {
    require_existing(db)?;
    Ok(Store::open(db).await?)
}

async fn serve(args: ServeArgs) -> Result<(), CommandError> {
    crate::logging::init();
    // Definitions first: a broken form must stop start-up before anything else happens.
    let forms = FormRegistry::load_dir(&args.forms)?;
    // Likewise a webhook that could never be signed: its leads would only pile up as pending.
    webhook_secrets::check_environment(&args.forms, &forms)?;
    let store = Arc::new(Store::open(&args.db).await?);
    tracing::info!(
        forms = forms.len(),
        backend = store.backend_name(),
        durability = %store.durability(),
        "starting"
    );
    let running = server::start(ServerOptions {
        forms,
        store: store.clone(),
        addr: args.addr,
        public_dir: args.public,
        rate_limit_per_minute: args.rate_limit_per_minute,
        trust_proxy: args.trust_proxy,
        public_url: args.public_url,
        forwarder: ForwarderConfig::default(),
        assets_dir: args.assets,
        signing_secret: crate::server_secret::from_environment(),
        clock: crate::clock::Clock::default(),
    })
    .await?;
    println!("Leadform intake listening on http://{}", running.addr);
    std::io::stdout().flush()?;
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in progress");
    running.shutdown().await?;
    // Closing the pool lets SQLite checkpoint its WAL into the main file.
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM (what `kill` and service managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
