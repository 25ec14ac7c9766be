//! `/v1/forms/{id}/fallback`: the form as a plain HTML `<form method="post">` that works with
//! JavaScript disabled, validated and stored exactly like a widget submission.
//!
//! A valid post answers 303 (to the form's redirect URL, the gated asset, or the thank-you page), so
//! reloading the result page cannot post twice; the hidden submission id makes a double click
//! store once as well. An invalid post answers 422 with the form again, values kept, errors inline
//! and listed in a summary at the top.
//!
//! Every page speaks the visitor's language: `?locale=`, then `Accept-Language`, then the form's
//! `default_locale`, then English. The form carries the chosen language in a hidden input, so the
//! answer to a post, the stored lead and the thank-you page stay in it.

mod render;

use super::admission::{admit, incoming_lead, NotAdmitted, SenderPage};
use super::cookies::set_visitor_cookie;
use super::requested_locale::RequestedLocale;
use super::security_headers::FramedBy;
use super::visitor::SignedVisitor;
use super::AppState;
use crate::clock::rfc3339_from_ms;
use crate::form_token::FormToken;
use crate::intake::{accept_lead, AcceptError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use leadform_core::catalogue::{fill, text, Text};
use leadform_core::{
    ConsentDefinition, FieldErrors, FieldKind, FormDefinition, FormKind, LeadAccepted,
    LeadSubmission, Locale, SubmissionError,
};
use render::{FormState, FORM_TOKEN_INPUT, HONEYPOT_INPUT, LOCALE_INPUT, SUBMISSION_ID_INPUT};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub async fn show_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    requested: RequestedLocale,
) -> Response {
    let Some(form) = state.forms.get(&id) else {
        return unknown_form(requested.negotiate(None));
    };
    let locale = requested.negotiate(form.default_locale);
    let page = render::form_page(
        &form.translated(locale),
        locale,
        &FormState {
            values: &BTreeMap::new(),
            errors: &FieldErrors::new(),
            submission_id: &uuid::Uuid::new_v4().to_string(),
            form_token: &FormToken::issue(&state.signing_key, &form.id, state.clock.now_ms()),
        },
    );
    let mut response = Html(page.into_string()).into_response();
    // Each view carries a fresh submission id and form token; a cached copy would reuse them.
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
    requested: RequestedLocale,
    visitor: SignedVisitor,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(form) = state.forms.get(&id).cloned() else {
        return unknown_form(requested.negotiate(None));
    };
    let outcome = submit(&state, peer, &form, &requested, &headers, visitor, body).await;
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
    requested: &RequestedLocale,
    headers: &HeaderMap,
    visitor: SignedVisitor,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // Refusals before the body is read speak the request's language; after, the form's own.
    let locale = requested.negotiate(form.default_locale);
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return problem(
                locale,
                StatusCode::PAYLOAD_TOO_LARGE,
                Text::PayloadTooLargeTitle,
                text(locale, Text::PayloadTooLargeBody),
            )
        }
        Err(_) => return bad_post(locale),
    };
    // CSRF hygiene: a post must come from our own page or a site that may embed the form.
    let admitted = match admit(state, peer, headers, form, SenderPage::OriginOrReferer) {
        Ok(admitted) => admitted,
        Err(NotAdmitted::Origin(_)) => {
            return problem(
                locale,
                StatusCode::FORBIDDEN,
                Text::OriginRefusedTitle,
                text(locale, Text::OriginRefusedBody),
            )
        }
        Err(NotAdmitted::RateLimited {
            retry_after_secs, ..
        }) => {
            let seconds = leadform_core::locale::format_count(
                locale,
                usize::try_from(retry_after_secs).unwrap_or(usize::MAX),
            );
            let mut response = problem(
                locale,
                StatusCode::TOO_MANY_REQUESTS,
                Text::RateLimitedTitle,
                &fill(locale, Text::RateLimitedBody, &[("seconds", &seconds)]),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
    };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return bad_post(locale);
    };
    let posted = PostedForm::from_pairs(pairs);
    // The language the form was shown in wins over the post's headers.
    let locale = posted
        .locale
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or(locale);
    // Labels in the error messages and the page again are the visitor's translation.
    let form = &form.translated(locale);
    let intake = state.intake();
    let submission = posted.to_submission(form, locale, headers, intake.now_ms);
    let incoming = incoming_lead(form, submission, &body, &admitted, headers, visitor);
    match accept_lead(&intake, incoming).await {
        Ok(accepted) => {
            let location = next_page(form, &accepted.answer, locale);
            let mut response =
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            if let Some(visitor) = &accepted.new_visitor_id {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    set_visitor_cookie(headers, &state.own_origin, &state.signing_key, visitor),
                );
            }
            response
        }
        Err(AcceptError::Invalid(SubmissionError::Fields(errors))) => {
            let page = render::form_page(
                form,
                locale,
                &FormState {
                    values: &posted.values,
                    errors: &errors,
                    submission_id: &posted.submission_id,
                    form_token: &posted.form_token_or_fresh(state, form, intake.now_ms),
                },
            );
            (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response()
        }
        Err(AcceptError::Invalid(_)) => bad_post(locale),
        Err(AcceptError::SubmissionIdReused) => problem(
            locale,
            StatusCode::CONFLICT,
            Text::AlreadySentTitle,
            text(locale, Text::AlreadySentBody),
        ),
        Err(AcceptError::Storage(error)) => {
            tracing::error!(error = %error, "storing a fallback lead failed");
            problem(
                locale,
                StatusCode::SERVICE_UNAVAILABLE,
                Text::NotSavedTitle,
                text(locale, Text::NotSavedBody),
            )
        }
    }
}

/// Where a stored submission sends the visitor: the configured redirect, the gated asset's link
/// from the answer (signed, for a private asset), or the thank-you page (in the language the form
/// was shown in).
fn next_page(form: &FormDefinition, answer: &LeadAccepted, locale: Locale) -> String {
    if let Some(redirect) = &form.success.redirect_url {
        return redirect.clone();
    }
    match (form.kind, &answer.asset_url) {
        (FormKind::ContentDownload, Some(asset_url)) => asset_url.clone(),
        _ => format!("/v1/forms/{}/thanks?locale={locale}", form.id),
    }
}

/// The urlencoded post, split into field values and the form's own bookkeeping inputs.
struct PostedForm {
    values: BTreeMap<String, String>,
    honeypot: String,
    form_token: String,
    submission_id: String,
    /// The language the form was shown in.
    locale: Option<String>,
}

impl PostedForm {
    /// The token to show the form again with: the one posted, so the visitor keeps the time
    /// already spent, or a fresh one if the post had none.
    fn form_token_or_fresh(&self, state: &AppState, form: &FormDefinition, now_ms: i64) -> String {
        if self.form_token.is_empty() {
            FormToken::issue(&state.signing_key, &form.id, now_ms)
        } else {
            self.form_token.clone()
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut posted = PostedForm {
            values: BTreeMap::new(),
            honeypot: String::new(),
            form_token: String::new(),
            submission_id: String::new(),
            locale: None,
        };
        for (name, value) in pairs {
            match name.as_str() {
                HONEYPOT_INPUT => posted.honeypot = value,
                FORM_TOKEN_INPUT => posted.form_token = value,
                SUBMISSION_ID_INPUT => posted.submission_id = value,
                LOCALE_INPUT => posted.locale = Some(value),
                _ => {
                    posted.values.insert(name, value);
                }
            }
        }
        posted
    }

    fn to_submission(
        &self,
        form: &FormDefinition,
        locale: Locale,
        headers: &HeaderMap,
        now: i64,
    ) -> LeadSubmission {
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
            locale: locale.code().to_owned(),
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
                // The handler times the visit by the form token, not by anything the client says.
                fill_ms: 0,
            },
            form_token: Some(self.form_token.clone()).filter(|token| !token.is_empty()),
            munchkin_cookie: None,
        }
    }
}

pub async fn thanks(
    State(state): State<AppState>,
    Path(id): Path<String>,
    requested: RequestedLocale,
) -> Response {
    match state.forms.get(&id) {
        Some(form) => framed_by_allowed_sites(
            {
                let locale = requested.negotiate(form.default_locale);
                Html(render::thanks_page(&form.translated(locale), locale).into_string())
                    .into_response()
            },
            form,
        ),
        None => unknown_form(requested.negotiate(None)),
    }
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        render::STYLESHEET,
    )
        .into_response()
}

fn unknown_form(locale: Locale) -> Response {
    problem(
        locale,
        StatusCode::NOT_FOUND,
        Text::FormNotFoundTitle,
        text(locale, Text::FormNotFoundBody),
    )
}

fn bad_post(locale: Locale) -> Response {
    problem(
        locale,
        StatusCode::BAD_REQUEST,
        Text::BadPostTitle,
        text(locale, Text::BadPostBody),
    )
}

fn problem(locale: Locale, status: StatusCode, heading: Text, message: &str) -> Response {
    problem_response(locale, status, text(locale, heading), message)
}

/// A refusal as a page in the visitor's language (the gated-file link's refusals use it too).
pub(crate) fn problem_response(
    locale: Locale,
    status: StatusCode,
    heading: &str,
    message: &str,
) -> Response {
    (
        status,
        Html(render::problem_page(locale, heading, message).into_string()),
    )
        .into_response()
}
