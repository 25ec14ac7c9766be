//! How long a client may take, how many may connect at once, and how long a stop may wait.

use std::time::Duration;

/// The whole request head (request line and headers) must arrive within this. Real browsers and
/// proxies send it in one packet; 10 s leaves room for a lossy mobile link.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The body (at most 64 KiB) must arrive within this, counted from the end of the head. The
/// widget gives up after 20 s, so a body still arriving then has no one waiting for its answer.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// From the end of the head to the response: body, database and handler together.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection whose client reads none of its answer for this long is closed. Progress restarts
/// it, so a large download on a slow link is never cut off; a client that stopped reading is.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once. Each costs a file descriptor and at most [`MAX_HEAD_BYTES`] of
/// buffer, so 10 000 slow clients cost at most about 330 MB and no real visitor is kept out by a
/// few hundred; the open-file limit may lower it (see [`super::open_files`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// On SIGTERM, requests in progress get this long to finish (connections without one close at
/// once); then every connection left is closed.
/// Below Docker's 10 s and Kubernetes' 30 s grace periods, so the handler stops before it is killed.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(8);
/// The largest request head accepted (hyper answers 431 beyond it). Also bounds the read buffer
/// each connection may hold: hyper's own default is about 400 KB.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The timers and caps every connection is served under. [`Default`] is what `serve` uses unless
/// told otherwise; tests set short values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub request_timeout: Duration,
    pub send_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_timeout: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            send_timeout: DEFAULT_SEND_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}
