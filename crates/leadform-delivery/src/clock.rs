//! The forwarder's own clock, for what is only this process's business (a vendor's `Retry-After`
//! date, `submittedAt`, a webhook's signed timestamp, Marketo's token expiry): the attempt code
//! takes it from the forwarder and never reads the machine's clock itself. Leases, retries and the shared rate limits use the database's clock instead
//! (`OutboxStore::database_now_ms`), so an instance with a wrong clock cannot break them; tests
//! give one forwarder a skewed clock to show it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub trait ForwarderClock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// The same instant as a `SystemTime`, for the vendor modules (HTTP dates, token expiry).
    fn now(&self) -> SystemTime {
        let since_epoch = u64::try_from(self.now_ms()).unwrap_or(0);
        UNIX_EPOCH + Duration::from_millis(since_epoch)
    }
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

/// A clock that stands still until it is moved: tests judge a `Retry-After` date or a Marketo
/// token's expiry at a chosen time instead of waiting for it.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

impl ManualClock {
    pub fn starting_at(now_ms: i64) -> ManualClock {
        ManualClock {
            now_ms: AtomicI64::new(now_ms),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now_ms.fetch_add(by_ms, Ordering::Relaxed);
    }
}

impl ForwarderClock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_reads_as_the_same_instant_in_both_forms_and_moves_only_when_told() {
        let clock = ManualClock::starting_at(1_900_000_000_123);
        assert_eq!(
            clock.now(),
            UNIX_EPOCH + Duration::from_millis(1_900_000_000_123)
        );
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now_ms(), 1_900_000_090_123);
    }
}
