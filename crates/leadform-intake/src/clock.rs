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
