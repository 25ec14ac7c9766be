//! `POST {endpoint}/v1/leads`: sends one submission and says how it went.

use super::http::{request, to_json, HttpError};
use leadform_core::catalogue::{text, Text};
use leadform_core::{FieldErrors, LeadAccepted, LeadSubmission, Locale};
use serde::Deserialize;

/// What became of a send, in the terms the form shows.
pub enum SendOutcome {
    Accepted(LeadAccepted),
    /// 422: the handler refused these values.
    Rejected(FieldErrors),
    /// Anything else: the message to show. The visitor's values stay and a retry is possible.
    Failed(String),
}

#[derive(Deserialize)]
struct RejectedBody {
    errors: FieldErrors,
}

/// Sends `submission`; failures are told in `locale`.
pub async fn send_lead(endpoint: &str, submission: &LeadSubmission, locale: Locale) -> SendOutcome {
    let body = match to_json(submission) {
        Ok(body) => body,
        Err(error) => return SendOutcome::Failed(error.to_string()),
    };
    let url = [endpoint, "/v1/leads"].concat();
    // Credentials: the handler's visitor cookie must travel, and the form usually sits on
    // another origin than the handler.
    match request("POST", &url, Some(&body), true).await {
        Ok(answer) => outcome_of(
            locale,
            answer.status,
            answer.parse::<LeadAccepted>(),
            || answer.parse::<RejectedBody>().map(|b| b.errors),
        ),
        Err(HttpError::Network) => SendOutcome::Failed(text(locale, Text::Offline).to_owned()),
        Err(error) => SendOutcome::Failed(failure_message(locale, &error)),
    }
}

fn outcome_of(
    locale: Locale,
    status: u16,
    accepted: Result<LeadAccepted, HttpError>,
    rejected: impl FnOnce() -> Result<FieldErrors, HttpError>,
) -> SendOutcome {
    match status {
        200..=299 => match accepted {
            Ok(answer) => SendOutcome::Accepted(answer),
            Err(error) => SendOutcome::Failed(failure_message(locale, &error)),
        },
        422 => match rejected() {
            Ok(errors) if !errors.is_empty() => SendOutcome::Rejected(errors),
            _ => SendOutcome::Failed(status_message(locale, 422)),
        },
        status => SendOutcome::Failed(status_message(locale, status)),
    }
}

fn failure_message(locale: Locale, error: &HttpError) -> String {
    match error {
        HttpError::Network => text(locale, Text::Offline).to_owned(),
        HttpError::Status { status, .. } => status_message(locale, *status),
        // Only English keeps the technical detail; it has no translation.
        _ if locale != Locale::En => text(locale, Text::ServerProblem).to_owned(),
        other => {
            let mut text = "Something went wrong sending the form (".to_owned();
            text.push_str(&other.to_string());
            text.push_str("). Your answers are still here — try again.");
            text
        }
    }
}

/// The sentence shown for an HTTP status that is not a success.
pub fn status_message(locale: Locale, status: u16) -> String {
    let key = match status {
        429 => Text::RateLimitedShort,
        413 => Text::TooLargeToSend,
        404 => Text::FormGone,
        403 => Text::SiteNotAllowed,
        400..=499 => Text::ServerRefused,
        _ => Text::ServerProblem,
    };
    text(locale, key).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadform_core::FieldError;

    fn accepted() -> Result<LeadAccepted, HttpError> {
        Ok(LeadAccepted {
            id: 1,
            submission_id: "id".into(),
            asset_url: Some("/assets/x.pdf".into()),
            redirect_url: None,
        })
    }

    fn no_errors() -> Result<FieldErrors, HttpError> {
        Err(HttpError::BadAnswer("not read".into()))
    }

    #[test]
    fn created_is_accepted_with_the_answer() {
        let SendOutcome::Accepted(answer) = outcome_of(Locale::En, 201, accepted(), no_errors)
        else {
            panic!("201 must be accepted");
        };
        assert_eq!(answer.asset_url.as_deref(), Some("/assets/x.pdf"));
    }

    #[test]
    fn unprocessable_carries_the_field_errors() {
        let errors = || {
            let mut errors = FieldErrors::new();
            errors.insert("email".into(), FieldError::new("email", "Bad email"));
            Ok(errors)
        };
        let SendOutcome::Rejected(errors) = outcome_of(Locale::En, 422, accepted(), errors) else {
            panic!("422 with errors must be a rejection");
        };
        assert_eq!(errors["email"].message, "Bad email");
        assert!(matches!(
            outcome_of(Locale::En, 422, accepted(), no_errors),
            SendOutcome::Failed(_)
        ));
    }

    #[test]
    fn other_statuses_get_a_plain_message() {
        let SendOutcome::Failed(message) = outcome_of(Locale::En, 429, accepted(), no_errors)
        else {
            panic!("429 is a failure");
        };
        assert_eq!(message, text(Locale::En, Text::RateLimitedShort));
        let SendOutcome::Failed(message) = outcome_of(Locale::En, 503, accepted(), no_errors)
        else {
            panic!("503 is a failure");
        };
        assert!(message.contains("try again"), "{message}");
        let SendOutcome::Failed(message) = outcome_of(
            Locale::En,
            201,
            Err(HttpError::BadAnswer("x".into())),
            no_errors,
        ) else {
            panic!("an unreadable 201 is a failure");
        };
        assert!(message.contains("still here"), "{message}");
    }

    #[test]
    fn failures_are_told_in_the_visitors_language() {
        let SendOutcome::Failed(message) =
            outcome_of(Locale::Fr, 429, accepted(), || Ok(FieldErrors::new()))
        else {
            panic!("429 is a failure");
        };
        assert_eq!(
            message,
            "Trop d’envois. Veuillez réessayer dans une minute."
        );
        assert_eq!(
            status_message(Locale::Ar, 404),
            "لم يعد هذا النموذج موجودًا. يُرجى التواصل مع صاحب الموقع."
        );
    }
}
