//! What came back from a vendor, and what the forwarder should do about it.

use leadform_core::redact::{clean_vendor_text, MAX_VENDOR_TEXT_CHARS};
use std::time::{Duration, SystemTime};

/// A vendor's HTTP answer, reduced to what the classifiers read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorAnswer {
    pub status: u16,
    /// The raw `Retry-After` header, when sent.
    pub retry_after: Option<String>,
    /// The first bytes of the body as text (lossy UTF-8), for error reasons.
    pub body: String,
}

/// The verdict on one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The vendor took it; the detail is stored with the delivery (e.g. "HTTP 200").
    Delivered(String),
    /// A transient failure. `after` is the vendor's `Retry-After`: the next attempt is never sooner.
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// A permanent failure with the vendor's reason; `outbox retry` can replay it after a fix.
    Dead(String),
}

impl DeliveryOutcome {
    /// A short label for logs: `delivered`, `retry` or `dead`.
    pub fn label(&self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered(_) => "delivered",
            DeliveryOutcome::Retry { .. } => "retry",
            DeliveryOutcome::Dead(_) => "dead",
        }
    }
}

/// The longest a vendor's `Retry-After` can hold a delivery back. A longer (or absurd) value is
/// cut to this and logged: one misconfigured answer must not park leads for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// A `Retry-After` value, read and clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    /// What the forwarder waits: at most [`MAX_RETRY_AFTER`].
    pub delay: Duration,
    /// The vendor asked for longer than [`MAX_RETRY_AFTER`].
    pub clamped: bool,
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3), clamped to
/// [`MAX_RETRY_AFTER`]. A date in the past is zero; anything unreadable is ignored (the normal
/// backoff applies). Never overflows, whatever the number or date.
pub fn read_retry_after(value: &str, now: SystemTime) -> Option<RetryAfter> {
    let value = value.trim();
    let asked = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "longer than the maximum".
        value
            .parse::<u64>()
            .map_or(Duration::MAX, Duration::from_secs)
    } else {
        let date = httpdate::parse_http_date(value).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(RetryAfter {
        delay: asked.min(MAX_RETRY_AFTER),
        clamped: asked > MAX_RETRY_AFTER,
    })
}

/// [`read_retry_after`]'s delay.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    read_retry_after(value, now).map(|retry_after| retry_after.delay)
}

/// The retry outcome for a transient HTTP answer, honouring its `Retry-After` up to
/// [`MAX_RETRY_AFTER`].
pub(crate) fn retry_for(answer: &VendorAnswer, now: SystemTime, vendor: &str) -> DeliveryOutcome {
    let retry_after = answer
        .retry_after
        .as_deref()
        .and_then(|value| read_retry_after(value, now));
    if let Some(RetryAfter { clamped: true, .. }) = retry_after {
        // The vendor and the clamp only; the header text is another system's input.
        tracing::warn!(
            vendor,
            status = answer.status,
            max_seconds = MAX_RETRY_AFTER.as_secs(),
            "Retry-After asked for longer than the maximum; waiting the maximum instead"
        );
    }
    DeliveryOutcome::Retry {
        after: retry_after.map(|retry_after| retry_after.delay),
        reason: format!(
            "{vendor} answered HTTP {}{}",
            answer.status,
            body_suffix(&answer.body)
        ),
    }
}

/// `": <body>"` as one line of at most [`MAX_VENDOR_TEXT_CHARS`] characters, without terminal
/// escape sequences or control characters, or nothing for an empty body.
pub(crate) fn body_suffix(body: &str) -> String {
    let one_line = clean_vendor_text(body, MAX_VENDOR_TEXT_CHARS);
    if one_line.is_empty() {
        String::new()
    } else {
        format!(": {one_line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn body_suffix_is_one_short_line() {
        assert_eq!(body_suffix(""), "");
        assert_eq!(body_suffix("  bad\n  gateway "), ": bad gateway");
        assert_eq!(body_suffix(&"x".repeat(1000)).chars().count(), 302);
        assert_eq!(
            body_suffix("\u{1b}[31mdenied\u{1b}[0m\u{7}\u{1b}]0;owned\u{7}"),
            ": denied"
        );
    }

    #[test]
    fn retry_after_is_clamped_to_an_hour() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let hour = Some(MAX_RETRY_AFTER);
        assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(3600));
        assert_eq!(parse_retry_after("3600", now), hour);
        assert_eq!(
            read_retry_after("3600", now).map(|r| r.clamped),
            Some(false)
        );
        for absurd in [
            "3601",
            "18446744073709551615",
            "99999999999999999999999999999999",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            let read = read_retry_after(absurd, now).expect(absurd);
            assert_eq!(read.delay, MAX_RETRY_AFTER, "{absurd}");
            assert!(read.clamped, "{absurd}");
        }
        let tomorrow = httpdate::fmt_http_date(now + Duration::from_secs(86_400));
        assert_eq!(parse_retry_after(&tomorrow, now), hour);
        assert_eq!(parse_retry_after("+5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn an_absurd_retry_after_schedules_the_retry_within_the_hour() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let answer = VendorAnswer {
            status: 429,
            retry_after: Some("18446744073709551615".into()),
            body: String::new(),
        };
        match retry_for(&answer, now, "HubSpot") {
            DeliveryOutcome::Retry { after, .. } => assert_eq!(after, Some(MAX_RETRY_AFTER)),
            other => panic!("{other:?}"),
        }
        let delay = crate::policy::RetryPolicy::default().delay(30, Some(MAX_RETRY_AFTER));
        assert_eq!(delay, MAX_RETRY_AFTER);
    }
}
