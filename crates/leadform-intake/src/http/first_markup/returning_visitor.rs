//! What the first markup knows about a returning visitor: the profile `GET /v1/profile` would
//! give the widget, read here so the loader shows the questions the widget will ask, and the
//! widget takes over without fetching it.
//!
//! The rules are `GET /v1/profile`'s own ([`remembered`]): the form's allowed origins (checked by
//! the route's extractor), only that form's fields, its storage policy and consent. A request
//! that `GET /v1/profile` would refuse for lacking an origin (curl, a server) gets the markup of a
//! fresh visitor instead: the markup itself is public.

use crate::http::cookies::set_visitor_cookie;
use crate::http::cors::OriginVerdict;
use crate::http::profile::{is_same_origin_fetch, remembered, Remembered};
use crate::http::AppState;
use axum::http::{HeaderMap, HeaderValue};
use leadform_core::{FormDefinition, KnownProfile};
use std::sync::Arc;

pub struct ReturningVisitor {
    /// `None` when nothing is known or the visitor may not be recognised here.
    pub profile: Option<KnownProfile>,
    /// A new visitor cookie, where the form may start remembering the visitor now (as
    /// `GET /v1/profile` sets it, which the widget no longer calls at takeover).
    pub set_cookie: Option<HeaderValue>,
}

pub async fn returning_visitor(
    state: &AppState,
    form: &Arc<FormDefinition>,
    verdict: &OriginVerdict,
    cookie: Option<String>,
    headers: &HeaderMap,
) -> ReturningVisitor {
    let nobody = ReturningVisitor {
        profile: None,
        set_cookie: None,
    };
    if *verdict == OriginVerdict::Absent && !is_same_origin_fetch(headers) {
        return nobody;
    }
    let Remembered {
        profile,
        new_visitor,
    } = match remembered(state, form, cookie).await {
        Ok(remembered) => remembered,
        // The form still shows (as for a fresh visitor); the error is already logged.
        Err(_) => return nobody,
    };
    ReturningVisitor {
        profile: (!profile.is_empty()).then_some(profile),
        set_cookie: new_visitor.map(|visitor| {
            set_visitor_cookie(headers, &state.own_origin, &state.signing_key, &visitor)
        }),
    }
}
