//! What `GET /metrics` reports, in the Prometheus text format. Every name starts with `leadform_`.
//! Request latencies and submission outcomes are counted by this instance; the outbox figures are
//! read from the database, which all instances share. Labels never carry a visitor's values or a
//! destination URL (destinations appear by their key).

mod exposition;
mod histogram;

pub use exposition::render;
pub use histogram::Histogram;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Which door a lead came in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubmissionChannel {
    /// `POST /v1/leads`, the widget and API clients.
    Api,
    /// `POST /v1/forms/{id}/fallback`, the plain HTML form.
    Fallback,
}

impl SubmissionChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionChannel::Api => "api",
            SubmissionChannel::Fallback => "fallback",
        }
    }
}

/// Put into a response's extensions by the code that decided a submission's fate, so the metrics
/// layer can count it without parsing bodies: `accepted`, `spam`, or a refusal's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionOutcome(pub &'static str);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RequestKey {
    /// The route's pattern (`/v1/forms/{id}`), never the concrete path, so ids do not explode the
    /// number of series; `static` for the built site.
    pub route: String,
    pub method: String,
    /// `2xx`, `4xx`, …
    pub status_class: &'static str,
}

#[derive(Debug, Default)]
struct Recorded {
    requests: BTreeMap<RequestKey, Histogram>,
    submissions: BTreeMap<(SubmissionChannel, &'static str), u64>,
}

/// This instance's counters. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct Metrics {
    recorded: Mutex<Recorded>,
}

impl Metrics {
    pub fn observe_request(&self, key: RequestKey, seconds: f64) {
        self.lock()
            .requests
            .entry(key)
            .or_default()
            .observe(seconds);
    }

    pub fn count_submission(&self, channel: SubmissionChannel, outcome: SubmissionOutcome) {
        *self
            .lock()
            .submissions
            .entry((channel, outcome.0))
            .or_default() += 1;
    }

    fn snapshot(&self) -> Recorded {
        let recorded = self.lock();
        Recorded {
            requests: recorded.requests.clone(),
            submissions: recorded.submissions.clone(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // A panic while counting cannot leave the counters half-written in a way that matters.
        self.recorded.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `2xx` for 201 and so on.
pub fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}
