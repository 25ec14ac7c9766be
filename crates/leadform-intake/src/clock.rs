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

/// The clock the running handler reads (form tokens, asset links, receipt times): the system's,
/// moved forward by [`HandlerClock::advance`] in tests that need a visitor to have waited.
#[derive(Debug, Clone, Default)]
pub struct HandlerClock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl HandlerClock {
    pub fn now_ms(&self) -> i64 {
        now_ms().saturating_add(self.offset_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: std::time::Duration) {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms
            .fetch_add(by_ms, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The handler's clock serves the background tasks too, so tests that move it move them all.
impl Clock for HandlerClock {
    fn now_ms(&self) -> i64 {
        HandlerClock::now_ms(self)
    }

    fn sleep_until_ms(&self, at_ms: i64) -> ClockWait<'_> {
        Box::pin(async move {
            loop {
                let left = at_ms.saturating_sub(HandlerClock::now_ms(self));
                if left <= 0 {
                    return;
                }
                let step = u64::try_from(left.min(1_000)).unwrap_or(1_000);
                tokio::time::sleep(std::time::Duration::from_millis(step)).await;
            }
        })
    }
}
