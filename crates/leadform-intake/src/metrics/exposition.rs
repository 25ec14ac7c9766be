//! The Prometheus text exposition format (version 0.0.4).

use super::{Metrics, RequestKey};
use leadform_store::OutboxSummary;
use std::fmt::Write;

/// The whole `/metrics` body. `now_ms` is the handler's clock, for the age of the oldest delivery.
pub fn render(metrics: &Metrics, outbox: &OutboxSummary, now_ms: i64) -> String {
    let recorded = metrics.snapshot();
    let mut out = String::new();

    family(
        &mut out,
        "leadform_lead_submissions_total",
        "counter",
        "Lead submissions by channel (api, fallback) and outcome (accepted, spam, or the refusal's code).",
    );
    for ((channel, outcome), count) in &recorded.submissions {
        sample(
            &mut out,
            "leadform_lead_submissions_total",
            &[("channel", channel.as_str()), ("outcome", outcome)],
            &count.to_string(),
        );
    }

    family(
        &mut out,
        "leadform_http_request_duration_seconds",
        "histogram",
        "Time from request to response, by route pattern, method and status class.",
    );
    for (key, histogram) in &recorded.requests {
        let RequestKey {
            route,
            method,
            status_class,
        } = key;
        let labels = [
            ("route", route.as_str()),
            ("method", method.as_str()),
            ("status", *status_class),
        ];
        for (bound, count) in histogram.cumulative() {
            let mut with_le = labels.to_vec();
            with_le.push(("le", bound.as_str()));
            sample(
                &mut out,
                "leadform_http_request_duration_seconds_bucket",
                &with_le,
                &count.to_string(),
            );
        }
        sample(
            &mut out,
            "leadform_http_request_duration_seconds_sum",
            &labels,
            &histogram.sum_seconds().to_string(),
        );
        sample(
            &mut out,
            "leadform_http_request_duration_seconds_count",
            &labels,
            &histogram.count().to_string(),
        );
    }

    family(
        &mut out,
        "leadform_outbox_deliveries",
        "gauge",
        "Deliveries in the shared outbox by state and destination.",
    );
    for count in &outbox.counts {
        sample(
            &mut out,
            "leadform_outbox_deliveries",
            &[
                ("state", count.status.as_str()),
                ("destination", count.destination_key.as_str()),
            ],
            &count.deliveries.to_string(),
        );
    }

    family(
        &mut out,
        "leadform_outbox_oldest_pending_age_seconds",
        "gauge",
        "How long the oldest delivery still pending or in flight has waited; 0 when none waits.",
    );
    let age_ms = outbox
        .oldest_unfinished_created_at_ms
        .map_or(0, |created| now_ms.saturating_sub(created).max(0));
    sample(
        &mut out,
        "leadform_outbox_oldest_pending_age_seconds",
        &[],
        &format!("{:.3}", age_ms as f64 / 1000.0),
    );
    out
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: &str) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (label, label_value)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{label}=\"{}\"", escape_label_value(label_value));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// Backslash, double quote and line feed are the three characters the format escapes.
fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{SubmissionChannel, SubmissionOutcome};
    use leadform_store::OutboxCount;

    #[test]
    fn every_family_is_named_typed_and_labelled() {
        let metrics = Metrics::default();
        metrics.count_submission(SubmissionChannel::Api, SubmissionOutcome("accepted"));
        metrics.count_submission(SubmissionChannel::Api, SubmissionOutcome("accepted"));
        metrics.count_submission(
            SubmissionChannel::Fallback,
            SubmissionOutcome("invalid_fields"),
        );
        metrics.observe_request(
            RequestKey {
                route: "/v1/leads".into(),
                method: "POST".into(),
                status_class: "2xx",
            },
            0.02,
        );
        let outbox = OutboxSummary {
            counts: vec![OutboxCount {
                status: leadform_store::DeliveryStatus::Pending,
                destination_key: "hubspot:\"1\"".into(),
                deliveries: 3,
            }],
            oldest_unfinished_created_at_ms: Some(1_000),
        };
        let text = render(&metrics, &outbox, 61_500);
        for line in [
            "# TYPE leadform_lead_submissions_total counter",
            "leadform_lead_submissions_total{channel=\"api\",outcome=\"accepted\"} 2",
            "leadform_lead_submissions_total{channel=\"fallback\",outcome=\"invalid_fields\"} 1",
            "leadform_http_request_duration_seconds_bucket{route=\"/v1/leads\",method=\"POST\",status=\"2xx\",le=\"0.025\"} 1",
            "leadform_http_request_duration_seconds_bucket{route=\"/v1/leads\",method=\"POST\",status=\"2xx\",le=\"+Inf\"} 1",
            "leadform_http_request_duration_seconds_count{route=\"/v1/leads\",method=\"POST\",status=\"2xx\"} 1",
            "leadform_outbox_deliveries{state=\"pending\",destination=\"hubspot:\\\"1\\\"\"} 3",
            "leadform_outbox_oldest_pending_age_seconds 60.500",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.starts_with("leadform_"), "{line}");
        }
    }
}
