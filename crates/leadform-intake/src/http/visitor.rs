//! The visitor behind a request, as an extractor: the id from a cookie the handler signed, or
//! nobody. Routes never read the cookie themselves, so none can forget to check the signature.

use super::cookies::visitor_id;
use super::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// `Some(id)` only for a cookie this server (or another instance sharing its secret) signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedVisitor(pub Option<String>);

impl FromRequestParts<AppState> for SignedVisitor {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(SignedVisitor(visitor_id(
            &parts.headers,
            &state.own_origin,
            &state.signing_key,
        )))
    }
}
