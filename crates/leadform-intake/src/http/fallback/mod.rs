//! `/v1/forms/{id}/fallback`: the form as a plain HTML `<form method="post">` that works with
//! JavaScript disabled, validated and stored exactly like a widget submission.
//!
//! A valid post answers 303 (to the form's redirect URL, the gated asset, or the thank-you page), so
//! reloading the result page cannot post twice; the hidden submission id makes a double click
//! store once as well. An invalid post answers 422 with the form again, values kept, errors inline.

mod render;

use super::admission::{admit, incoming_lead, Refusal, SenderPage};
use super::cookies::set_visitor_cookie;
use super::security_headers::FramedBy;
use super::AppState;
use crate::clock::{now_ms, rfc3339_from_ms};
use crate::intake::{accept_lead, AcceptError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use leadform_core::{
    ConsentDefinition, FieldErrors, FieldKind, FormDefinition, FormKind, LeadSubmission,
    SubmissionError,
};
use render::{FormState, HONEYPOT_INPUT, STARTED_AT_INPUT, SUBMISSION_ID_INPUT};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub async fn show_form(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(form) = state.forms.get(&id) else {
        return unknown_form();
    };
    let page = render::form_page(
        form,
        &FormState {
            values: &BTreeMap::new(),
            errors: &FieldErrors::new(),
            submission_id: &uuid::Uuid::new_v4().to_string(),
            started_at_ms: now_ms(),
        },
    );
    let mut response = Html(page.into_string()).into_response();
    // Each view carries a fresh submission id; a cached copy would reuse one.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    framed_by_allowed_sites(response, form)
}

/// The form's pages are meant to be framed by the sites that embed it, and by no one else.
fn framed_by_allowed_sites(mut response: Response, form: &FormDefinition) -> Response {
    response
        .extensions_mut()
        .insert(FramedBy(form.allowed_origins.clone()));
    response
}

pub async fn submit_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(form) = state.forms.get(&id).cloned() else {
        return unknown_form();
    };
    let outcome = submit(&state, peer, &form, &headers, body).await;
    let status = outcome.status();
    tracing::info!(
        form_id = %form.id,
        outcome = outcome_name(&outcome),
        status = status.as_u16(),
        "fallback form post"
    );
    framed_by_allowed_sites(outcome, &form)
}

fn outcome_name(response: &Response) -> &'static str {
    match response.status() {
        StatusCode::SEE_OTHER => "stored",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_fields",
        StatusCode::FORBIDDEN => "origin_not_allowed",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::CONFLICT => "submission_id_reused",
        _ => "refused",
    }
}

async fn submit(
    state: &AppState,
    peer: SocketAddr,
    form: &FormDefinition,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much text",
                "The form was larger than 64 KB. Go back, shorten your answers and send it again.",
            )
        }
        Err(_) => return bad_post(),
    };
    // CSRF hygiene: a post must come from our own page or a site that may embed the form.
    let admitted = match admit(state, peer, headers, form, SenderPage::OriginOrReferer) {
        Ok(admitted) => admitted,
        Err(Refusal::Origin(_)) => {
            return problem(
                StatusCode::FORBIDDEN,
                "This form cannot be sent from here",
                "The page that sent this form is not allowed to use it.",
            )
        }
        Err(Refusal::RateLimited { retry_after_secs }) => {
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many submissions",
                &format!(
                    "Please wait {retry_after_secs} seconds, then go back and send the form again."
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
    };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return bad_post();
    };
    let posted = PostedForm::from_pairs(pairs);
    let submission = posted.to_submission(form, headers);
    let incoming = incoming_lead(form, submission, &body, &admitted, headers);
    match accept_lead(
        &state.store,
        &state.deliveries_due,
        &state.scoring,
        incoming,
    )
    .await
    {
        Ok(accepted) => {
            let location = next_page(form);
            let mut response =
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            if let Some(visitor) = &accepted.new_visitor_id {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    set_visitor_cookie(headers, &state.own_origin, visitor),
                );
            }
            response
        }
        Err(AcceptError::Invalid(SubmissionError::Fields(errors))) => {
            let page = render::form_page(
                form,
                &FormState {
                    values: &posted.values,
                    errors: &errors,
                    submission_id: &posted.submission_id,
                    started_at_ms: posted.started_at_ms.unwrap_or_else(now_ms),
                },
            );
            (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response()
        }
        Err(AcceptError::Invalid(_)) => bad_post(),
        Err(AcceptError::SubmissionIdReused) => problem(
            StatusCode::CONFLICT,
            "This form was already sent",
            "Reload the form page to send a new message.",
        ),
        Err(AcceptError::Storage(error)) => {
            tracing::error!(error = %error, "storing a fallback lead failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your message could not be saved",
                "Nothing was saved. Go back and send the form again in a moment.",
            )
        }
    }
}

/// Where a stored submission sends the visitor: the configured redirect, the gated asset, or the
/// thank-you page.
fn next_page(form: &FormDefinition) -> String {
    if let Some(redirect) = &form.success.redirect_url {
        return redirect.clone();
    }
    match (form.kind, &form.asset) {
        (FormKind::ContentDownload, Some(asset)) => asset.url.clone(),
        _ => format!("/v1/forms/{}/thanks", form.id),
    }
}

/// The urlencoded post, split into field values and the form's own bookkeeping inputs.
struct PostedForm {
    values: BTreeMap<String, String>,
    honeypot: String,
    started_at_ms: Option<i64>,
    submission_id: String,
}

impl PostedForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut posted = PostedForm {
            values: BTreeMap::new(),
            honeypot: String::new(),
            started_at_ms: None,
            submission_id: String::new(),
        };
        for (name, value) in pairs {
            match name.as_str() {
                HONEYPOT_INPUT => posted.honeypot = value,
                STARTED_AT_INPUT => posted.started_at_ms = value.trim().parse().ok(),
                SUBMISSION_ID_INPUT => posted.submission_id = value,
                _ => {
                    posted.values.insert(name, value);
                }
            }
        }
        posted
    }

    fn to_submission(&self, form: &FormDefinition, headers: &HeaderMap) -> LeadSubmission {
        let now = now_ms();
        // Only the form's visible fields are read; the definition supplies hidden values itself.
        let fields = form
            .fields
            .iter()
            .filter(|field| field.is_visible())
            .filter_map(|field| {
                let value = self.values.get(&field.name)?;
                let value = match field.kind {
                    FieldKind::Checkbox if value == "true" => "true".to_owned(),
                    FieldKind::Checkbox => return None,
                    _ => value.clone(),
                };
                Some((field.name.clone(), value))
            })
            .collect();
        let page_url = headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        LeadSubmission {
            form_id: form.id.clone(),
            submission_id: self.submission_id.clone(),
            fields,
            hidden: Default::default(),
            page_url,
            page_title: form.title.clone(),
            referrer: String::new(),
            submitted_at: rfc3339_from_ms(now),
            locale: String::new(),
            attribution: None,
            consent: self
                .values
                .get(ConsentDefinition::FIELD_NAME)
                .is_some_and(|v| v == "true"),
            visitor_id: None,
            // The fallback shows every field: no progressive profiling without the widget.
            shown_fields: None,
            bot_check: leadform_core::BotCheck {
                honeypot: self.honeypot.clone(),
                // No start time means the page was not loaded first: that counts as instant.
                fill_ms: self
                    .started_at_ms
                    .map(|started| u64::try_from(now.saturating_sub(started)).unwrap_or(0))
                    .unwrap_or(0),
            },
        }
    }
}

pub async fn thanks(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.forms.get(&id) {
        Some(form) => framed_by_allowed_sites(
            Html(render::thanks_page(form).into_string()).into_response(),
            form,
        ),
        None => unknown_form(),
    }
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        render::STYLESHEET,
    )
        .into_response()
}

fn unknown_form() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Form not found",
        "There is no form at this address.",
    )
}

fn bad_post() -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "This form was not sent correctly",
        "Reload the form page and send it again.",
    )
}

fn problem(status: StatusCode, heading: &str, message: &str) -> Response {
    (
        status,
        Html(render::problem_page(heading, message).into_string()),
    )
        .into_response()
}
