//! `POST {endpoint}/v1/leads`: sends one submission and says how it went.

use super::http::{request, to_json, HttpError};
use crate::state::{NETWORK_ERROR, RATE_LIMITED};
use leadform_core::{FieldErrors, LeadAccepted, LeadSubmission};
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

pub async fn send_lead(endpoint: &str, submission: &LeadSubmission) -> SendOutcome {
    let body = match to_json(submission) {
        Ok(body) => body,
        Err(error) => return SendOutcome::Failed(error.to_string()),
    };
    let url = [endpoint, "/v1/leads"].concat();
    // Credentials: the handler's visitor cookie must travel, and the form usually sits on
    // another origin than the handler.
    match request("POST", &url, Some(&body), true).await {
        Ok(answer) => outcome_of(answer.status, answer.parse::<LeadAccepted>(), || {
            answer.parse::<RejectedBody>().map(|b| b.errors)
        }),
        Err(HttpError::Network) => SendOutcome::Failed(NETWORK_ERROR.to_owned()),
        Err(error) => SendOutcome::Failed(failure_message(&error)),
    }
}

fn outcome_of(
    status: u16,
    accepted: Result<LeadAccepted, HttpError>,
    rejected: impl FnOnce() -> Result<FieldErrors, HttpError>,
) -> SendOutcome {
    match status {
        200..=299 => match accepted {
            Ok(answer) => SendOutcome::Accepted(answer),
            Err(error) => SendOutcome::Failed(failure_message(&error)),
        },
        422 => match rejected() {
            Ok(errors) if !errors.is_empty() => SendOutcome::Rejected(errors),
            _ => SendOutcome::Failed(status_message(422)),
        },
        status => SendOutcome::Failed(status_message(status)),
    }
}

fn failure_message(error: &HttpError) -> String {
    match error {
        HttpError::Network => NETWORK_ERROR.to_owned(),
        HttpError::Status { status, .. } => status_message(*status),
        other => {
            let mut text = "Something went wrong sending the form (".to_owned();
            text.push_str(&other.to_string());
            text.push_str("). Your answers are still here — try again.");
            text
        }
    }
}

/// The sentence shown for an HTTP status that is not a success.
pub fn status_message(status: u16) -> String {
    match status {
        429 => RATE_LIMITED.to_owned(),
        413 => {
            "The form is too large to send. Shorten the longest answer and try again.".to_owned()
        }
        404 => "This form no longer exists. Please contact the site owner.".to_owned(),
        403 => {
            "This site is not allowed to send this form. Please contact the site owner.".to_owned()
        }
        400..=499 => {
            "The server could not accept the form. Please check your answers and try again."
                .to_owned()
        }
        _ => "The server had a problem. Your answers are still here — try again in a moment."
            .to_owned(),
    }
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
        let SendOutcome::Accepted(answer) = outcome_of(201, accepted(), no_errors) else {
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
        let SendOutcome::Rejected(errors) = outcome_of(422, accepted(), errors) else {
            panic!("422 with errors must be a rejection");
        };
        assert_eq!(errors["email"].message, "Bad email");
        assert!(matches!(
            outcome_of(422, accepted(), no_errors),
            SendOutcome::Failed(_)
        ));
    }

    #[test]
    fn other_statuses_get_a_plain_message() {
        let SendOutcome::Failed(message) = outcome_of(429, accepted(), no_errors) else {
            panic!("429 is a failure");
        };
        assert_eq!(message, RATE_LIMITED);
        let SendOutcome::Failed(message) = outcome_of(503, accepted(), no_errors) else {
            panic!("503 is a failure");
        };
        assert!(message.contains("try again"), "{message}");
        let SendOutcome::Failed(message) =
            outcome_of(201, Err(HttpError::BadAnswer("x".into())), no_errors)
        else {
            panic!("an unreadable 201 is a failure");
        };
        assert!(message.contains("still here"), "{message}");
    }
}
