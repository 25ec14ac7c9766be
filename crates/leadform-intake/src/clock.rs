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

/// The clock the running handler reads (form tokens, asset links, receipt times): the system's,
/// moved forward by [`Clock::advance`] in tests that need a visitor to have waited.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
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
