//! What each command of the CLI does.

use crate::cli::{Command, ExportFormat, OutboxCommand, ServeArgs};
use crate::clock::{now_ms, SystemClock};
use crate::existing_db::{require_existing, MissingDatabase};
use crate::export::{self, ExportError};
use crate::forms::{FormRegistry, FormsError};
use crate::http::client_address::TrustedProxies;
use crate::outbox_cli::{self, OutboxCliError};
use crate::privacy_cli::{self, PrivacyCliError};
use crate::retention::RetentionTask;
use crate::server::{self, ServerError, ServerOptions};
use crate::serving::ServeLimits;
use crate::webhook_secrets::{self, MissingSecrets};
use leadform_delivery::ForwarderConfig;
use leadform_store::{Store, StoreError};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
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
    #[error(transparent)]
    Privacy(#[from] PrivacyCliError),
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
    #[error("backup failed: {0}")]
    Backup(#[source] StoreError),
    #[error(
        "--trust-proxy was removed: it believed X-Forwarded-For from any client. Name the proxies \
         that append it instead, e.g. --trusted-proxy 127.0.0.1/32 (repeatable; IPv4 or IPv6 CIDR)"
    )]
    TrustProxyRemoved,
    #[error(
        "no browser files to serve: this binary was built without them. Pass --public DIR (a folder \
         `cargo xtask dist` wrote), or build the one binary with `cargo xtask release`"
    )]
    NoBrowserFiles,
    #[error(transparent)]
    Scoring(#[from] crate::scoring_file::ScoringFileError),
    #[error(transparent)]
    ScoreCommand(#[from] crate::score_commands::ScoreCommandError),
    #[error(transparent)]
    User(#[from] crate::user_cli::UserCliError),
    #[error(transparent)]
    SlackLinks(#[from] crate::slack_links::SlackNeedsPublicUrl),
}

pub async fn run(command: Command) -> Result<(), CommandError> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Export {
            db,
            format,
            email: None,
            forms: _,
        } => {
            let store = open_existing(&db).await?;
            let leads = store.export_leads().await?;
            let stdout = std::io::stdout().lock();
            match format.unwrap_or(ExportFormat::Csv) {
                ExportFormat::Csv => export::write_csv(&leads, stdout)?,
                ExportFormat::Json => export::write_json(&leads, stdout)?,
            }
            Ok(())
        }
        Command::Export {
            db,
            format,
            email: Some(email),
            forms,
        } => {
            let forms = forms.map(|dir| FormRegistry::load_dir(&dir)).transpose()?;
            let store = open_existing(&db).await?;
            let format = format.unwrap_or(ExportFormat::Json);
            let stdout = std::io::stdout().lock();
            privacy_cli::export_person(&store, &email, format, forms.as_ref(), stdout).await?;
            Ok(())
        }
        Command::Forget { db, email } => {
            let store = open_existing(&db).await?;
            println!("{}", privacy_cli::forget(&store, &email, now_ms()).await?);
            Ok(())
        }
        Command::Outbox { command } => outbox(command).await,
        Command::Check { forms, public_url } => {
            let registry = FormRegistry::load_dir(&forms)?;
            crate::slack_links::check(&forms, &registry, public_url.as_ref())?;
            let scoring = crate::scoring_file::load_scoring_rules(&forms, &registry)?;
            let ids: Vec<&str> = registry.ids().collect();
            println!("{} form(s) OK: {}", ids.len(), ids.join(", "));
            println!("scoring OK: {}", crate::score_commands::describe(&scoring));
            Ok(())
        }
        Command::Rescore { db, forms } => {
            println!("{}", crate::score_commands::rescore(&db, &forms).await?);
            Ok(())
        }
        Command::Scores { db, format, forms } => {
            let stdout = std::io::stdout().lock();
            crate::score_commands::scores(&db, format, forms.as_deref(), stdout).await?;
            Ok(())
        }
        Command::Backup { db, to } => {
            let store = open_existing(&db).await?;
            let leads = store.backup_to(&to).await.map_err(CommandError::Backup)?;
            store.close().await;
            println!("backed up {leads} leads to {}", to.display());
            Ok(())
        }
        Command::User { command } => user(command).await,
    }
}

async fn user(command: crate::cli::UserCommand) -> Result<(), CommandError> {
    use crate::cli::{UserCommand, UserRoleArg};
    use crate::user_cli;
    let message = match command {
        UserCommand::Add { name, role, db } => {
            // The first user is usually added before the first `serve`: create the database.
            let role = match role {
                UserRoleArg::Admin => leadform_store::UserRole::Admin,
                UserRoleArg::Member => leadform_store::UserRole::Member,
            };
            user_cli::add(&Store::open(&db).await?, &name, role).await?
        }
        UserCommand::List { db } => {
            let mut stdout = std::io::stdout().lock();
            user_cli::list(&open_existing(&db).await?, &mut stdout).await?;
            stdout.flush()?;
            return Ok(());
        }
        UserCommand::Remove { name, db } => {
            user_cli::remove(&open_existing(&db).await?, &name).await?
        }
        UserCommand::Password { name, db } => {
            user_cli::password(&open_existing(&db).await?, &name).await?
        }
    };
    println!("{message}");
    Ok(())
}

async fn outbox(command: OutboxCommand) -> Result<(), CommandError> {
    match command {
        OutboxCommand::List { db, status } => {
            let store = open_existing(&db).await?;
            let mut stdout = std::io::stdout().lock();
            outbox_cli::list(&store, status, &mut stdout).await?;
            stdout.flush()?;
        }
        OutboxCommand::Retry { db, id, dead } => {
            let store = open_existing(&db).await?;
            let message = match outbox_cli::RetryTarget::from_args(id, dead)? {
                outbox_cli::RetryTarget::Dead => outbox_cli::retry_dead(&store).await?,
                outbox_cli::RetryTarget::One(id) => outbox_cli::retry_one(&store, id).await?,
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
    if args.trust_proxy {
        return Err(CommandError::TrustProxyRemoved);
    }
    crate::logging::init();
    // Definitions first: a broken form must stop start-up before anything else happens.
    let forms = FormRegistry::load_dir(&args.forms)?;
    // The scoring rules too: a bad scoring.json stops start-up naming the field.
    let scoring = crate::scoring_file::load_scoring_rules(&args.forms, &forms)?;
    // Likewise a webhook that could never be signed: its leads would only pile up as pending.
    webhook_secrets::check_environment(&args.forms, &forms)?;
    // And a Slack nudge with nowhere to link to.
    crate::slack_links::check(&args.forms, &forms, args.public_url.as_ref())?;
    // And a handler that could serve no widget: visitors would get forms that never load.
    if args.public.is_none() && !crate::http::embedded_site::is_available() {
        return Err(CommandError::NoBrowserFiles);
    }
    let store = Arc::new(Store::open(&args.db).await?);
    // Saved so `scores` applies the same decay and threshold without the forms folder.
    store
        .save_scoring_rules(&scoring.rules, crate::clock::now_ms())
        .await?;
    tracing::info!(
        forms = forms.len(),
        backend = store.backend_name(),
        durability = %store.durability(),
        "starting"
    );
    // Retention erases leads past their form's retention_days now and then once a day.
    let retention = RetentionTask::start(
        store.clone(),
        Arc::new(forms.clone()),
        Arc::new(SystemClock),
    );
    let running = server::start(ServerOptions {
        forms,
        store: store.clone(),
        addr: args.addr,
        admin_addr: args.admin_addr,
        public_dir: args.public,
        rate_limit_per_minute: args.rate_limit_per_minute,
        trusted_proxies: TrustedProxies::new(args.trusted_proxies),
        limits: ServeLimits {
            header_read_timeout: Duration::from_secs(args.header_read_timeout),
            body_read_timeout: Duration::from_secs(args.body_read_timeout),
            request_timeout: Duration::from_secs(args.request_timeout),
            send_timeout: Duration::from_secs(args.send_timeout),
            max_connections: args.max_connections,
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
        },
        public_url: args.public_url,
        forwarder: ForwarderConfig::default(),
        scoring: Arc::new(scoring.rules),
        assets_dir: args.assets,
        signing_secret: crate::server_secret::from_environment(),
        clock: crate::clock::HandlerClock::default(),
    })
    .await?;
    // One write: a reader that stops after the first line never makes a later print fail.
    let mut started = format!("Leadform intake listening on http://{}\n", running.addr);
    if let Some(admin_addr) = running.admin_addr {
        started.push_str(&format!(
            "Readiness and metrics on http://{admin_addr} (/healthz, /readyz, /metrics)\n"
        ));
    }
    std::io::stdout().write_all(started.as_bytes())?;
    std::io::stdout().flush()?;
    shutdown_signal().await;
    tracing::info!(
        deadline_secs = args.shutdown_timeout,
        "shutting down: finishing requests in progress"
    );
    running.shutdown().await?;
    if let Some(retention) = retention {
        retention.stop().await;
    }
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
