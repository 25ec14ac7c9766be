//! `/console/login` and `/console/logout`. A failed login says only that the name or password is
//! wrong; failures are throttled per name and per address (in the database).

use crate::auth::{CsrfChecked, CurrentUser, SameOrigin};
use crate::client_address::ClientAddress;
use crate::error::ConsoleError;
use crate::layout::bare_page;
use crate::session_cookie::{self, is_secure, tokens_match};
use crate::state::ConsoleState;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leadform_store::AuditAction;
use maud::html;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
}

/// Only a console path may be a target after login: never another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with("/console/") && !next.contains("//") && !next.contains('\\') {
        next
    } else {
        "/console/"
    }
}

fn login_form(
    csrf_token: &str,
    name: &str,
    next: &str,
    problem: Option<&str>,
) -> axum::response::Html<String> {
    bare_page(
        "Log in",
        html! {
            h1 { "Log in to the console" }
            @if let Some(problem) = problem {
                p.error role="alert" { (problem) }
            }
            form.stack method="post" action="/console/login" {
                input type="hidden" name="csrf_token" value=(csrf_token);
                input type="hidden" name="next" value=(next);
                label for="name" { "Name" }
                input #name name="name" type="text" value=(name) autocomplete="username"
                    required autofocus;
                label for="password" { "Password" }
                input #password name="password" type="password" autocomplete="current-password"
                    required;
                button.primary type="submit" { "Log in" }
            }
        },
    )
}

/// Renders the form with a fresh login CSRF token in a cookie and the form.
fn form_response(
    status: StatusCode,
    secure: bool,
    name: &str,
    next: &str,
    problem: Option<&str>,
) -> Response {
    let Some(token) = session_cookie::random_token() else {
        return ConsoleError::BadRequest("no randomness available; try again".into())
            .into_response();
    };
    (
        status,
        [(
            header::SET_COOKIE,
            session_cookie::set_login_csrf(&token, secure),
        )],
        login_form(&token, name, next, problem),
    )
        .into_response()
}

pub async fn show(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
    current: Result<CurrentUser, ConsoleError>,
) -> Response {
    if current.is_ok() {
        return Redirect::to(safe_next(&query.next)).into_response();
    }
    let secure = is_secure(&headers, state.public_origin.as_ref());
    form_response(StatusCode::OK, secure, "", safe_next(&query.next), None)
}

pub async fn submit(
    State(state): State<ConsoleState>,
    _same_origin: SameOrigin,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    let secure = is_secure(&headers, state.public_origin.as_ref());
    let cookie_token = session_cookie::login_csrf(&headers, secure).unwrap_or_default();
    if cookie_token.is_empty() || !tokens_match(cookie_token, &form.csrf_token) {
        return Err(ConsoleError::CsrfRejected);
    }
    let now = state.now_ms();
    let name = form.name.trim();
    let next = safe_next(&form.next);
    if let Some(wait_ms) = state
        .store
        .login_wait_ms(name, &address, now, state.login_throttle)
        .await?
    {
        let minutes = (wait_ms + 59_999) / 60_000;
        return Err(ConsoleError::Throttled { minutes });
    }
    let Some(user) = state
        .store
        .verify_user_password(name, &form.password)
        .await?
    else {
        state
            .store
            .record_failed_login(name, &address, now, state.login_throttle)
            .await?;
        let detail = format!("name {name:?} from {address}");
        state
            .store
            .record_audit(now, "", AuditAction::LoginFailed, None, &detail)
            .await?;
        return Ok(form_response(
            StatusCode::UNAUTHORIZED,
            secure,
            name,
            next,
            Some("The name or password is wrong."),
        ));
    };
    state.store.clear_login_failures(name).await?;
    let session = state
        .store
        .create_console_session(user.id, now, state.sessions)
        .await?;
    let detail = format!("from {address}");
    state
        .store
        .record_audit(now, &user.name, AuditAction::Login, None, &detail)
        .await?;
    let mut response = Redirect::to(next).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        session_cookie::set_session(&session.token, secure),
    );
    headers.append(header::SET_COOKIE, session_cookie::clear_login_csrf(secure));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {}

pub async fn logout(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
    CsrfChecked(current, LogoutForm {}): CsrfChecked<LogoutForm>,
) -> Result<Response, ConsoleError> {
    let secure = is_secure(&headers, state.public_origin.as_ref());
    state
        .store
        .end_console_session(&current.session_token)
        .await?;
    state
        .store
        .record_audit(
            state.now_ms(),
            &current.user.name,
            AuditAction::Logout,
            None,
            "",
        )
        .await?;
    Ok((
        [(header::SET_COOKIE, session_cookie::clear_session(secure))],
        Redirect::to("/console/login"),
    )
        .into_response())
}
