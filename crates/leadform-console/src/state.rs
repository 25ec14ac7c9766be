//! What every console page needs. Cheap to clone.

use axum::http::HeaderMap;
use leadform_core::FormDefinition;
use leadform_store::{LoginThrottlePolicy, SessionLifetime, Store};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::Notify;

/// `serve --public-url`, reduced to what the console needs: the origin browsers use and whether it
/// is https (then the session cookie is `__Host-` and `Secure`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    /// `https://forms.example.com`, lower-case, no trailing slash.
    pub origin: String,
    pub https: bool,
}

/// The console's one clock (ms since the epoch). Tests move a fixed one.
#[derive(Clone)]
pub enum ConsoleClock {
    System,
    Fixed(Arc<std::sync::atomic::AtomicI64>),
}

impl ConsoleClock {
    pub fn now_ms(&self) -> i64 {
        match self {
            ConsoleClock::System => leadform_store::now_ms(),
            ConsoleClock::Fixed(ms) => ms.load(std::sync::atomic::Ordering::SeqCst),
        }
    }
}

/// Which address a request comes from: the handler's rule (the socket peer, or behind one of the
/// operator's trusted proxies the address it saw), so the console never trusts a header the
/// visitor-facing API would not.
pub type ClientIpResolver = Arc<dyn Fn(SocketAddr, &HeaderMap) -> IpAddr + Send + Sync>;

#[derive(Clone)]
pub struct ConsoleState {
    pub store: Arc<Store>,
    /// The form definitions by id: titles, destinations (to queue a lead marked not spam) and
    /// response targets.
    pub forms: Arc<BTreeMap<String, FormDefinition>>,
    /// Poked when the console queues deliveries, so the forwarder starts at once.
    pub deliveries_due: Arc<Notify>,
    pub public_origin: Option<PublicOrigin>,
    /// The client's address for login throttling, as the handler reads it (`--trusted-proxy`).
    pub client_ip: ClientIpResolver,
    pub clock: ConsoleClock,
    pub sessions: SessionLifetime,
    pub login_throttle: LoginThrottlePolicy,
}

impl ConsoleState {
    pub fn new(
        store: Arc<Store>,
        forms: BTreeMap<String, FormDefinition>,
        deliveries_due: Arc<Notify>,
        public_origin: Option<PublicOrigin>,
        client_ip: ClientIpResolver,
    ) -> Self {
        Self {
            store,
            forms: Arc::new(forms),
            deliveries_due,
            public_origin,
            client_ip,
            clock: ConsoleClock::System,
            sessions: SessionLifetime::default(),
            login_throttle: LoginThrottlePolicy::default(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
