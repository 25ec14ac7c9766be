//! The accept loop: at most `max_connections` connections at once, each served by hyper's
//! HTTP/1.1 connection with a header-read timer and a send-stall guard, and a stop that waits for requests in progress
//! only until the shutdown deadline.
//!
//! HTTP/1.1 only: the handler sits behind a TLS proxy that speaks HTTP/1.1 to it, and detecting
//! HTTP/2 by its preface happens before any header timer runs (a client sending one byte would
//! hold the socket forever).

use super::in_flight::{GuardedBody, InFlight};
use super::per_request::serve_request;
use super::send_stall::SendStallGuard;
use super::ServeLimits;
use axum::body::Body;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// After an accept error other than a refused or reset connection (typically "Too many open
/// files"), wait this long before accepting again, so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Accepts and serves connections until `stop` fires, then stops as [`ServeLimits`] says.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    max_connections: usize,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let (shutting_down, shutdown_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            _ = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                // Never closed: the semaphore lives as long as this loop.
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                connections.spawn(serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    limits,
                    shutdown_seen.clone(),
                    slot,
                ));
            }
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                tracing::error!(error = %error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
    drop(listener);
    finish(connections, shutting_down, limits.shutdown_timeout).await;
}

/// Closes every connection without a request in progress at once, lets the others finish their
/// request and close, then closes whatever is still open at the deadline.
async fn finish(
    mut connections: JoinSet<()>,
    shutting_down: watch::Sender<bool>,
    shutdown_timeout: Duration,
) {
    let _ = shutting_down.send(true);
    let drained = tokio::time::timeout(shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            deadline_secs = shutdown_timeout.as_secs_f64(),
            "closing connections still open at the shutdown deadline"
        );
        connections.shutdown().await;
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ServeLimits,
    mut shutting_down: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    // Answers are written whole; waiting for more to coalesce only adds latency.
    let _ = stream.set_nodelay(true);
    let in_flight = InFlight::default();
    let requests = in_flight.clone();
    let service = hyper::service::service_fn(move |request| {
        let router = router.clone();
        let guard = requests.start();
        async move {
            let response = serve_request(router, limits, peer, request).await;
            Ok::<_, Infallible>(response.map(|body| Body::new(GuardedBody::new(body, guard))))
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // Also closes a kept-alive connection that sends no next request within the timeout.
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(super::limits::MAX_HEAD_BYTES);
    let io = SendStallGuard::new(TokioIo::new(stream), limits.send_timeout);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let served = tokio::select! {
        served = connection.as_mut() => served,
        // `is_ok` drops the watch guard here: it must not be held across the await below.
        _ = async { shutting_down.wait_for(|stopping| *stopping).await.is_ok() } => {
            if in_flight.is_idle() {
                // Idle, or still sending a head: no request of this client was taken on, so
                // closing loses nothing; waiting would let a slow client hold up the stop.
                return;
            }
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = served {
        // Timeouts, resets and malformed requests: the client's problem, not the handler's.
        tracing::debug!(error = %error, "connection ended");
    }
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
