//! The forwarder's own clock, for what is only this process's business (a vendor's `Retry-After`,
//! `submittedAt`). Leases, retries and the shared rate limits use the database's clock instead
//! (`OutboxStore::database_now_ms`), so an instance with a wrong clock cannot break them; tests
//! give one forwarder a skewed clock to show it.

use std::time::{SystemTime, UNIX_EPOCH};

pub trait ForwarderClock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// Milliseconds since the Unix epoch, now, by the machine's wall clock: the one reading of it
/// (`leadform_store::now_ms` and the handler's clock are this function; store depends on this
/// crate, and core may not read the clock because `SystemTime::now` panics on wasm).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// The machine's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl ForwarderClock for SystemClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }
}
