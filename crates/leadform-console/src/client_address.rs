//! The client's address for login throttling, read by the handler's own rule (see
//! [`crate::state::ClientIpResolver`]): never an `X-Forwarded-For` entry from an untrusted peer.

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
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| (state.client_ip)(info.0, &parts.headers).to_string());
        Ok(ClientAddress(
            address.unwrap_or_else(|| "unknown".to_owned()),
        ))
    }
}
