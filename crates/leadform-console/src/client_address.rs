//! The client's address for login throttling: the socket peer, or behind our own proxy the
//! rightmost `X-Forwarded-For` entry (the one that proxy appended; the others are the client's say).

use crate::state::ConsoleState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The client's IP address as text; `unknown` when the server was not given connection info.
pub struct ClientAddress(pub String);

impl FromRequestParts<ConsoleState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Self, Self::Rejection> {
        if state.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty());
            if let Some(address) = forwarded {
                return Ok(ClientAddress(address.to_owned()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(ClientAddress(peer.unwrap_or_else(|| "unknown".to_owned())))
    }
}
