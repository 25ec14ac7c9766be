//! Who may do what, as extractors: a handler that takes [`CurrentUser`] is for logged-in users,
//! [`AdminUser`] for admins, and [`CsrfChecked`] for every POST (same origin, a live session and
//! its CSRF token, then the form itself). Nothing is checked by hand inside handlers.

pub use crate::current_user::CurrentUser;
use crate::error::ConsoleError;
use crate::same_origin::is_same_origin;
use crate::session_cookie::{is_secure, session_token, tokens_match};
use crate::state::ConsoleState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Deserialize;

impl FromRequestParts<ConsoleState> for CurrentUser {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        let not_logged_in = || ConsoleError::NotLoggedIn {
            return_to: match parts.method {
                axum::http::Method::GET => parts
                    .uri
                    .path_and_query()
                    .map_or_else(String::new, |p| p.as_str().to_owned()),
                _ => String::new(),
            },
        };
        let secure = is_secure(&parts.headers, state.public_origin.as_ref());
        let Some(token) = session_token(&parts.headers, secure) else {
            return Err(not_logged_in());
        };
        let session = state
            .store
            .console_session(token, state.now_ms(), state.sessions)
            .await?;
        match session {
            Some(session) => Ok(CurrentUser {
                user: session.user,
                csrf_token: session.csrf_token,
                session_token: token.to_owned(),
            }),
            None => Err(not_logged_in()),
        }
    }
}

/// A logged-in admin; members get 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<ConsoleState> for AdminUser {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.is_admin() {
            Ok(AdminUser(current))
        } else {
            Err(ConsoleError::AdminsOnly)
        }
    }
}

/// The request came from a console page (see [`crate::same_origin`]).
pub struct SameOrigin;

impl FromRequestParts<ConsoleState> for SameOrigin {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        if is_same_origin(&parts.headers, state.public_origin.as_ref()) {
            Ok(SameOrigin)
        } else {
            Err(ConsoleError::CrossOrigin)
        }
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// A POST from a console page by a logged-in user, with the session's CSRF token, and its form.
pub struct CsrfChecked<T>(pub CurrentUser, pub T);

impl<T: DeserializeOwned + Send> FromRequest<ConsoleState> for CsrfChecked<T> {
    type Rejection = ConsoleError;

    async fn from_request(request: Request, state: &ConsoleState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        SameOrigin::from_request_parts(&mut parts, state).await?;
        let current = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ConsoleError::BadRequest(format!("cannot read the form: {e}")))?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ConsoleError::BadRequest(format!("cannot read the form: {e}")))?;
        if !tokens_match(&field.csrf_token, &current.csrf_token) {
            return Err(ConsoleError::CsrfRejected);
        }
        let form: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ConsoleError::BadRequest(format!("cannot read the form: {e}")))?;
        Ok(CsrfChecked(current, form))
    }
}
