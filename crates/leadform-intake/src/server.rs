//! Starting and stopping the HTTP server (used by `serve` and, in-process, by the tests).

use crate::clock::HandlerClock;
use crate::forms::FormRegistry;
use crate::gated_assets::{AssetsError, GatedAssets};
use crate::http::admin::OperationsEndpoints;
use crate::http::client_address::TrustedProxies;
use crate::http::own_origin::{OwnOrigin, PublicUrl};
use crate::http::rate_limit::RateLimiter;
use crate::http::{router, AppState, HandlerContext};
use crate::server_secret::{self, SecretError};
use crate::serving::{accept, open_files, ServeLimits};
use leadform_delivery::{Forwarder, ForwarderConfig, ForwarderError};
use leadform_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("cannot start the CRM forwarder: {0}")]
    Forwarder(#[from] ForwarderError),
    #[error("cannot check for console users: {0}")]
    ConsoleUsers(#[from] leadform_store::ConsoleStoreError),
    #[error(transparent)]
    Assets(#[from] AssetsError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

pub struct ServerOptions {
    pub forms: FormRegistry,
    pub store: Arc<Store>,
    pub addr: SocketAddr,
    /// `--admin-addr`: readiness and metrics answer there only; `None` keeps them on `addr`.
    pub admin_addr: Option<SocketAddr>,
    pub public_dir: Option<PathBuf>,
    pub rate_limit_per_minute: u32,
    /// `--trusted-proxy`: only these peers' `X-Forwarded-For` is read.
    pub trusted_proxies: TrustedProxies,
    /// Timeouts, the connection cap and the shutdown deadline.
    pub limits: ServeLimits,
    /// `--public-url`: the handler's own origin and cookie scheme; `None` reads them from `Host`.
    pub public_url: Option<PublicUrl>,
    /// Runs the forwarder that delivers stored leads to the forms' destinations.
    pub forwarder: ForwarderConfig,
    /// The lead-scoring rules; the decay and snapshot pass runs with them.
    pub scoring: Arc<leadform_scoring::ScoringRules>,
    // Issue 7: `--assets` (the private folder of gated files), the signing secret from
    // `LEADFORM_SECRET` (`None`: the database's), and the clock tokens and links are timed by.
    pub assets_dir: Option<PathBuf>,
    pub signing_secret: Option<String>,
    pub clock: HandlerClock,
}

/// A listening server. Dropping it without [`RunningServer::shutdown`] leaves it running until
/// the runtime ends.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where `/readyz` and `/metrics` answer when `--admin-addr` was given.
    pub admin_addr: Option<SocketAddr>,
    /// The admin listener's stop and task, stopped with the main one.
    admin: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
    /// Poked after each lead with deliveries; the forwarder waits on it.
    pub deliveries_due: Arc<Notify>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    stop_forwarder: Option<oneshot::Sender<()>>,
    forwarder: JoinHandle<()>,
    /// The periodic decay and snapshot pass; aborted on shutdown (a pass cut short rolls back).
    score_pass: JoinHandle<()>,
    /// Group commit: drained after the last request, so every queued lead is committed.
    committer: leadform_store::CommitterTask,
}

impl RunningServer {
    /// Stops accepting connections, closes idle ones, lets requests in progress finish until the
    /// shutdown deadline ([`ServeLimits::shutdown_timeout`]), closes the rest, and stops the forwarder.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        self.score_pass.abort();
        if let Some(stop) = self.stop.take() {
            // The receiver is gone only if the server already stopped; then there is nothing to do.
            let _ = stop.send(());
        }
        let served = self.task.await;
        if let Some((stop, task)) = self.admin.take() {
            let _ = stop.send(());
            task.await?;
        }
        self.committer.drain().await;
        // The forwarder stops after the last request, so a lead accepted during shutdown is not
        // waiting on a wake-up nobody hears (it stays pending in the outbox either way).
        if let Some(stop) = self.stop_forwarder.take() {
            let _ = stop.send(());
        }
        self.forwarder.await?;
        Ok(served?)
    }
}

/// Connections the admin address serves at once.
const ADMIN_MAX_CONNECTIONS: usize = 64;

/// A listener on `addr` and the address it got (the port, when `addr` asked for port 0).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServerError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr, source })?;
    Ok((listener, bound))
}

pub async fn start(options: ServerOptions) -> Result<RunningServer, ServerError> {
    // Scoring queues a `lead.mql` to each form's subscribers when a person crosses the threshold.
    let mql_routes = leadform_store::MqlRoutes::from_forms(options.forms.iter().map(|f| &**f));
    let options = ServerOptions {
        store: Arc::new(Store::clone(&options.store).with_mql_routes(mql_routes)),
        ..options
    };
    // Before binding: a missing gated file or a weak secret must stop start-up.
    let gated_assets = GatedAssets::load(&options.forms, options.assets_dir.as_deref())?;
    let signing_key = server_secret::signing_key(
        &options.store,
        options.signing_secret,
        options.clock.now_ms(),
    )
    .await?;
    let (listener, addr) = bind(options.addr).await?;
    // Bound before anything starts, so a taken admin port stops start-up like a taken main one.
    let admin_listener = match options.admin_addr {
        Some(admin_addr) => Some(bind(admin_addr).await?),
        None => None,
    };
    let deliveries_due = Arc::new(Notify::new());
    // Slack messages link to the lead's console page on the handler's own origin.
    let forwarder_config = ForwarderConfig {
        public_url: options
            .public_url
            .as_ref()
            .map(|url| url.origin().to_owned())
            .or(options.forwarder.public_url.clone()),
        ..options.forwarder
    };
    let forwarder = Forwarder::new(
        options.store.clone(),
        Arc::new(options.forms.definitions()),
        deliveries_due.clone(),
        forwarder_config,
    )?;
    let (stop_forwarder, forwarder_stopped) = oneshot::channel::<()>();
    let forwarder = tokio::spawn(forwarder.run(async {
        let _ = forwarder_stopped.await;
    }));
    // The console (issue 9) is served once a user exists; until then /console/ says how to add one.
    let console = if options.store.has_users().await? {
        leadform_console::router(leadform_console::ConsoleState::new(
            options.store.clone(),
            options.forms.definitions(),
            deliveries_due.clone(),
            options
                .public_url
                .as_ref()
                .map(|url| leadform_console::PublicOrigin {
                    origin: url.origin().to_owned(),
                    https: url.is_https(),
                }),
            {
                let trusted = options.trusted_proxies.clone();
                Arc::new(move |peer, headers: &axum::http::HeaderMap| {
                    trusted.client_ip(peer, headers)
                })
            },
        ))
    } else {
        leadform_console::disabled_router()
    };
    let (group_committer, committer) = leadform_store::GroupCommitter::start(&options.store);
    let state = AppState::new(HandlerContext {
        committer: group_committer,
        forms: Arc::new(options.forms),
        store: options.store,
        rate_limiter: Arc::new(RateLimiter::per_minute(options.rate_limit_per_minute)),
        deliveries_due: deliveries_due.clone(),
        trusted_proxies: options.trusted_proxies,
        own_origin: OwnOrigin::from_public_url(options.public_url),
        metrics: Arc::default(),
        scoring: options.scoring.clone(),
        signing_key,
        gated_assets: Arc::new(gated_assets),
        clock: options.clock,
    });
    let score_pass = crate::score_pass::spawn(state.store.clone(), options.scoring);
    let operations = match admin_listener {
        Some(_) => OperationsEndpoints::OnAdminAddress,
        None => OperationsEndpoints::OnMainAddress,
    };
    let admin_state = state.clone();
    let app = router(state, options.public_dir, operations).merge(console);
    let open_file_limit = open_files::raise_open_file_limit();
    let max_connections =
        open_files::connection_cap(options.limits.max_connections, open_file_limit);
    if max_connections < options.limits.max_connections {
        tracing::warn!(
            configured = options.limits.max_connections,
            max_connections,
            open_file_limit,
            "the open-file limit lowers the connection cap; raise the hard limit (ulimit -Hn, LimitNOFILE=)"
        );
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(accept::serve(
        listener,
        app,
        options.limits,
        max_connections,
        stopped,
    ));
    let (admin_addr, admin) = match admin_listener {
        Some((listener, admin_addr)) => {
            let (stop, stopped) = oneshot::channel::<()>();
            // A scraper needs few connections; the cap only keeps it from starving visitors.
            let task = tokio::spawn(accept::serve(
                listener,
                crate::http::admin::admin_router(admin_state),
                options.limits,
                ADMIN_MAX_CONNECTIONS.min(max_connections),
                stopped,
            ));
            (Some(admin_addr), Some((stop, task)))
        }
        None => (None, None),
    };
    Ok(RunningServer {
        addr,
        admin_addr,
        admin,
        deliveries_due,
        stop: Some(stop),
        task,
        stop_forwarder: Some(stop_forwarder),
        forwarder,
        score_pass,
        committer,
    })
}
