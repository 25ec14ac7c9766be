//! Starting and stopping the HTTP server (used by `serve` and, in-process, by the tests).

use crate::clock::Clock;
use crate::forms::FormRegistry;
use crate::gated_assets::{AssetsError, GatedAssets};
use crate::http::own_origin::{OwnOrigin, PublicUrl};
use crate::http::rate_limit::RateLimiter;
use crate::http::{router, AppState};
use crate::server_secret::{self, SecretError};
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
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("the server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("cannot start the CRM forwarder: {0}")]
    Forwarder(#[from] ForwarderError),
    #[error(transparent)]
    Assets(#[from] AssetsError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

pub struct ServerOptions {
    pub forms: FormRegistry,
    pub store: Arc<Store>,
    pub addr: SocketAddr,
    pub public_dir: Option<PathBuf>,
    pub rate_limit_per_minute: u32,
    pub trust_proxy: bool,
    /// `--public-url`: the handler's own origin and cookie scheme; `None` reads them from `Host`.
    pub public_url: Option<PublicUrl>,
    /// Runs the forwarder that delivers stored leads to the forms' destinations.
    pub forwarder: ForwarderConfig,
    // Issue 7: `--assets` (the private folder of gated files), the signing secret from
    // `LEADFORM_SECRET` (`None`: the database's), and the clock tokens and links are timed by.
    pub assets_dir: Option<PathBuf>,
    pub signing_secret: Option<String>,
    pub clock: Clock,
}

/// A listening server. Dropping it without [`RunningServer::shutdown`] leaves it running until
/// the runtime ends.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Poked after each lead with deliveries; the forwarder waits on it.
    pub deliveries_due: Arc<Notify>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), std::io::Error>>,
    stop_forwarder: Option<oneshot::Sender<()>>,
    forwarder: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting connections, lets requests in progress finish, and waits for that.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            // The receiver is gone only if the server already stopped; then there is nothing to do.
            let _ = stop.send(());
        }
        let served = self.task.await;
        // The forwarder stops after the last request, so a lead accepted during shutdown is not
        // waiting on a wake-up nobody hears (it stays pending in the outbox either way).
        if let Some(stop) = self.stop_forwarder.take() {
            let _ = stop.send(());
        }
        self.forwarder.await?;
        served?.map_err(ServerError::Serve)
    }
}

pub async fn start(options: ServerOptions) -> Result<RunningServer, ServerError> {
    // Before binding: a missing gated file or a weak secret must stop start-up.
    let gated_assets = GatedAssets::load(&options.forms, options.assets_dir.as_deref())?;
    let signing_key = server_secret::signing_key(
        &options.store,
        options.signing_secret,
        options.clock.now_ms(),
    )
    .await?;
    let listener = TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: options.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: options.addr,
        source,
    })?;
    let deliveries_due = Arc::new(Notify::new());
    let forwarder = Forwarder::new(
        options.store.clone(),
        Arc::new(options.forms.definitions()),
        deliveries_due.clone(),
        options.forwarder,
    )?;
    let (stop_forwarder, forwarder_stopped) = oneshot::channel::<()>();
    let forwarder = tokio::spawn(forwarder.run(async {
        let _ = forwarder_stopped.await;
    }));
    let state = AppState {
        forms: Arc::new(options.forms),
        store: options.store,
        rate_limiter: Arc::new(RateLimiter::per_minute(options.rate_limit_per_minute)),
        deliveries_due: deliveries_due.clone(),
        trust_proxy: options.trust_proxy,
        own_origin: OwnOrigin::from_public_url(options.public_url),
        signing_key,
        gated_assets: Arc::new(gated_assets),
        clock: options.clock,
    };
    let app = router(state, options.public_dir).into_make_service_with_connect_info::<SocketAddr>();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        deliveries_due,
        stop: Some(stop),
        task,
        stop_forwarder: Some(stop_forwarder),
        forwarder,
    })
}
