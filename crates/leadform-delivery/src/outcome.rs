//! What came back from a vendor, and what the forwarder should do about it.

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

/// Parses `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the past is
/// zero; anything unreadable is ignored (the normal backoff applies).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The retry outcome for a transient HTTP answer, honouring its `Retry-After`.
pub(crate) fn retry_for(answer: &VendorAnswer, now: SystemTime, vendor: &str) -> DeliveryOutcome {
    DeliveryOutcome::Retry {
        after: answer
            .retry_after
            .as_deref()
            .and_then(|value| parse_retry_after(value, now)),
        reason: format!(
            "{vendor} answered HTTP {}{}",
            answer.status,
            body_suffix(&answer.body)
        ),
    }
}

/// `": <body>"` trimmed to one line of at most 300 characters, or nothing for an empty body.
pub(crate) fn body_suffix(body: &str) -> String {
    let one_line: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(300)
        .collect();
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
        assert_eq!(body_suffix(&"x".repeat(1000)).len(), 302);
    }
}
