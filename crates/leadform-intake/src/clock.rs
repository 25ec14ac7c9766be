//! The handler's own clock. Formatting lives in `leadform_core::time`, shared with the store and
//! the webhook so every timestamp Leadform writes has the same shape.

use std::time::{SystemTime, UNIX_EPOCH};

pub use leadform_core::time::rfc3339_from_ms;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What [`Clock::sleep_until_ms`] returns.
pub type ClockWait<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

/// The handler's clock as a value, for background tasks that wait for a time (retention): the
/// system clock in `serve`, a [`ManualClock`] that tests move.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Resolves once [`Clock::now_ms`] has reached `at_ms`.
    fn sleep_until_ms(&self, at_ms: i64) -> ClockWait<'_>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }

    fn sleep_until_ms(&self, at_ms: i64) -> ClockWait<'_> {
        Box::pin(async move {
            // Wakes at least once a minute and reads the wall clock again, so a clock that was
            // set forward (or a machine that slept) does not delay the wait's end.
            loop {
                let left = at_ms.saturating_sub(now_ms());
                if left <= 0 {
                    return;
                }
                let step = u64::try_from(left.min(60_000)).unwrap_or(60_000);
                tokio::time::sleep(std::time::Duration::from_millis(step)).await;
            }
        })
    }
}

/// A clock that stands still until it is moved: tests move it a day ahead instead of waiting one.
#[derive(Debug)]
pub struct ManualClock {
    now: tokio::sync::watch::Sender<i64>,
}

impl ManualClock {
    pub fn starting_at(now_ms: i64) -> ManualClock {
        ManualClock {
            now: tokio::sync::watch::Sender::new(now_ms),
        }
    }

    /// Moves the clock to `now_ms`, waking whatever waits for a time up to it.
    pub fn set_ms(&self, now_ms: i64) {
        self.now.send_replace(now_ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        *self.now.borrow()
    }

    fn sleep_until_ms(&self, at_ms: i64) -> ClockWait<'_> {
        let mut moved = self.now.subscribe();
        Box::pin(async move {
            // The sender lives in `self`, which outlives this future, so waiting cannot fail.
            let _ = moved.wait_for(|now| *now >= at_ms).await;
        })
    }
}
