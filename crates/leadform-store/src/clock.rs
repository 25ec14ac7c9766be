//! Wall-clock helpers: the store keeps milliseconds since the Unix epoch and shows RFC 3339.

/// `ms` since the epoch as RFC 3339 UTC with milliseconds, e.g. `2026-11-23T07:15:06.000Z`: the
/// one format shared with the handler and the webhook (`leadform_core::time`).
pub use leadform_core::time::rfc3339_from_ms;

/// Milliseconds since the Unix epoch, now: the delivery crate's one reading of the wall clock.
pub use leadform_delivery::clock::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_keep_their_milliseconds_like_the_handler_and_webhook() {
        assert_eq!(rfc3339_from_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_from_ms(1_795_417_506_123),
            "2026-11-23T07:05:06.123Z"
        );
    }
}
