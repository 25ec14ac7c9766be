//! What every console page needs. Cheap to clone.

use leadform_core::FormDefinition;
use leadform_store::{LoginThrottlePolicy, SessionLifetime, Store};
use std::collections::BTreeMap;
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
            ConsoleClock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
            ConsoleClock::Fixed(ms) => ms.load(std::sync::atomic::Ordering::SeqCst),
        }
    }
}

#[derive(Clone)]
pub struct ConsoleState {
    pub store: Arc<Store>,
    /// The form definitions by id: titles, destinations (to queue a lead marked not spam) and
    /// response targets.
    pub forms: Arc<BTreeMap<String, FormDefinition>>,
    /// Poked when the console queues deliveries, so the forwarder starts at once.
    pub deliveries_due: Arc<Notify>,
    pub public_origin: Option<PublicOrigin>,
    /// Count logins against the rightmost `X-Forwarded-For` address (behind our own proxy).
    pub trust_proxy: bool,
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
        trust_proxy: bool,
    ) -> Self {
        Self {
            store,
            forms: Arc::new(forms),
            deliveries_due,
            public_origin,
            trust_proxy,
            clock: ConsoleClock::System,
            sessions: SessionLifetime::default(),
            login_throttle: LoginThrottlePolicy::default(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
