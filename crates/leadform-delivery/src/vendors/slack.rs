//! The speed-to-lead nudge: a Slack incoming webhook gets one short message per new contact
//! request, with the person's name and company, the form, its response target and a link to the
//! lead's console page.
//!
//! Slack documents the webhook as `POST` `application/json` with `{"text": …}`, answered `200 ok`;
//! its errors come as a status and a short code in the body (`400 invalid_payload`,
//! `403 action_prohibited`, `404 no_service`, `410 channel_is_archived`, …), which are permanent,
//! while `429` (with `Retry-After`) and `5xx` are worth another try.

use crate::outbox::PendingDelivery;
use crate::outcome::{body_suffix, retry_for, DeliveryOutcome, VendorAnswer};
use crate::request::{OutgoingRequest, JSON};
use leadform_core::definition::SlackDestination;
use leadform_core::FormDefinition;
use std::time::SystemTime;

/// At most this many characters of one visitor value go into a message: it is a nudge, not the
/// lead (the console has the rest).
const MAX_VALUE_CHARS: usize = 80;

/// The body Slack takes.
#[derive(Debug, serde::Serialize)]
struct SlackMessage {
    text: String,
}

/// The lead's console page: `{public_url}/console/leads/{lead_id}`.
pub fn console_lead_url(public_url: &str, lead_id: i64) -> String {
    format!(
        "{}/console/leads/{lead_id}",
        public_url.trim_end_matches('/')
    )
}

/// The message for one contact request. `public_url` is the handler's own origin (`--public-url`),
/// so the link works from anyone's Slack.
pub fn message_text(delivery: &PendingDelivery, form: &FormDefinition, public_url: &str) -> String {
    let fields = &delivery.lead.fields;
    let value = |name: &str| {
        fields
            .get(name)
            .map(|v| one_line(v))
            .filter(|v| !v.is_empty())
    };
    let name = match (value("first_name"), value("last_name")) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (first, last) => first.or(last).or_else(|| value("name")),
    };
    let who = match (name, value("company")) {
        (Some(name), Some(company)) => format!("{} ({})", escape(&name), escape(&company)),
        (Some(name), None) => escape(&name),
        (None, Some(company)) => format!("someone at {}", escape(&company)),
        (None, None) => "a visitor who left no name".to_owned(),
    };
    let hours = form.response_target_hours;
    let unit = if hours == 1 { "hour" } else { "hours" };
    format!(
        "*New contact request* from {who} on “{form_title}”. Answer within {hours} {unit}: \
         <{link}|open lead {lead_id} in the console>",
        form_title = escape(&one_line(&form.title)),
        link = console_lead_url(public_url, delivery.lead_id),
        lead_id = delivery.lead_id,
    )
}

/// Builds the `POST` to the webhook URL.
pub fn build_request(
    destination: &SlackDestination,
    delivery: &PendingDelivery,
    form: &FormDefinition,
    public_url: &str,
) -> OutgoingRequest {
    let message = SlackMessage {
        text: message_text(delivery, form, public_url),
    };
    // Serialising one string cannot fail; an empty body would be refused visibly (400).
    let body = serde_json::to_vec(&message).unwrap_or_default();
    OutgoingRequest::post(destination.url.clone(), JSON, body)
}

/// Slack's verdict. Its error codes are in the body and kept as the reason.
pub fn classify(answer: &VendorAnswer, now: SystemTime) -> DeliveryOutcome {
    match answer.status {
        200..=299 => DeliveryOutcome::Delivered(format!("HTTP {}", answer.status)),
        408 | 429 | 500..=599 => retry_for(answer, now, "Slack"),
        status => DeliveryOutcome::Dead(format!(
            "Slack refused the message with HTTP {status}{}",
            body_suffix(&answer.body)
        )),
    }
}

/// `&`, `<` and `>` are Slack's mrkdwn control characters (links, mentions such as
/// `<!channel>`): a visitor's value shows as typed and can neither link nor ping anyone.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// One line, whitespace runs collapsed, at most [`MAX_VALUE_CHARS`] characters: a value cannot
/// fake a second line of the message.
fn one_line(value: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= MAX_VALUE_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_VALUE_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::fixtures::{answer, contact_form, delivery};

    fn destination() -> SlackDestination {
        SlackDestination {
            id: None,
            url: "https://hooks.slack.com/services/T000/B000/XXXX".into(),
        }
    }

    #[test]
    fn the_message_names_the_person_company_form_target_and_links_the_lead() {
        let request = build_request(
            &destination(),
            &delivery(),
            &contact_form(),
            "https://forms.example.com/",
        );
        assert_eq!(
            request.url,
            "https://hooks.slack.com/services/T000/B000/XXXX"
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("json");
        assert_eq!(
            body,
            serde_json::json!({"text": "*New contact request* from Adà Lovelace (Analytical \
                Engines GmbH) on “Talk to us”. Answer within 24 hours: \
                <https://forms.example.com/console/leads/42|open lead 42 in the console>"})
        );
    }

    #[test]
    fn visitor_values_cannot_link_mention_or_break_the_line() {
        let mut lead = delivery();
        lead.lead
            .fields
            .insert("first_name".into(), "<!channel> Eve".into());
        lead.lead
            .fields
            .insert("last_name".into(), "<https://evil.example|click>".into());
        lead.lead
            .fields
            .insert("company".into(), "A&B\nFake line".into());
        let text = message_text(&lead, &contact_form(), "https://forms.example.com");
        assert!(
            text.starts_with(
                "*New contact request* from &lt;!channel&gt; Eve &lt;https://evil.example|click&gt; \
                 (A&amp;B Fake line) on"
            ),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn missing_names_and_long_values_still_make_a_short_message() {
        let mut lead = delivery();
        lead.lead.fields.remove("first_name");
        lead.lead.fields.remove("last_name");
        lead.lead.fields.insert("company".into(), "x".repeat(500));
        let text = message_text(&lead, &contact_form(), "https://forms.example.com");
        assert!(
            text.starts_with(&format!(
                "*New contact request* from someone at {}…",
                "x".repeat(79)
            )),
            "{text}"
        );
        lead.lead.fields.remove("company");
        let mut form = contact_form();
        form.response_target_hours = 1;
        let text = message_text(&lead, &form, "https://forms.example.com");
        assert!(
            text.contains("from a visitor who left no name on “Talk to us”. Answer within 1 hour:"),
            "{text}"
        );
    }

    #[test]
    fn slacks_answers_are_classified() {
        let now = SystemTime::now();
        assert_eq!(
            classify(&answer(200, "ok"), now),
            DeliveryOutcome::Delivered("HTTP 200".into())
        );
        for (status, code) in [
            (400, "invalid_payload"),
            (403, "action_prohibited"),
            (404, "no_service"),
            (410, "channel_is_archived"),
        ] {
            assert_eq!(
                classify(&answer(status, code), now),
                DeliveryOutcome::Dead(format!(
                    "Slack refused the message with HTTP {status}: {code}"
                ))
            );
        }
        for status in [429, 500, 503] {
            assert!(
                matches!(
                    classify(&answer(status, "rollup_error"), now),
                    DeliveryOutcome::Retry { .. }
                ),
                "{status}"
            );
        }
    }
}
