//! Sends an [`OutgoingRequest`] over HTTP(S) and reads the answer. Redirects are not followed: for
//! Web-to-Lead and Pardot the redirect itself is the answer.

use crate::marketo_tokens::MarketoTokens;
use crate::outcome::VendorAnswer;
use crate::request::{HttpMethod, OutgoingRequest};
use std::sync::Arc;
use std::time::Duration;

/// How much of an answer's body is kept for error reasons.
const MAX_ANSWER_BODY_BYTES: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    #[error("timed out after {0:?} waiting for the vendor")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("HTTP request failed: {0}")]
    Request(String),
}

/// A shared HTTP client for every delivery: rustls, no proxies, no redirects, bounded time. It
/// also keeps Marketo's access tokens, which belong to the client that sends with them: clones
/// share them, so one token serves every delivery until it expires.
#[derive(Debug, Clone)]
pub struct HttpSender {
    client: reqwest::Client,
    timeout: Duration,
    marketo_tokens: Arc<MarketoTokens>,
}

impl HttpSender {
    pub fn new(timeout: Duration) -> Result<Self, SendError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("leadform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| SendError::Client(error.to_string()))?;
        Ok(Self {
            client,
            timeout,
            marketo_tokens: Arc::default(),
        })
    }

    /// The bound on one request, connect included.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Marketo's access tokens, cached per instance and client id.
    pub fn marketo_tokens(&self) -> &MarketoTokens {
        &self.marketo_tokens
    }

    pub async fn send(&self, request: &OutgoingRequest) -> Result<VendorAnswer, SendError> {
        let method = match request.method {
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Get => reqwest::Method::GET,
        };
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let mut response = builder
            .body(request.body.clone())
            .send()
            .await
            .map_err(|error| self.describe(error))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        // Read only the start of the body: it is kept as an error reason, never parsed in full.
        while body.len() < MAX_ANSWER_BODY_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                // The status is what matters; a body cut short still leaves a usable answer.
                Err(_) => break,
            }
        }
        body.truncate(MAX_ANSWER_BODY_BYTES);
        Ok(VendorAnswer {
            status,
            retry_after,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    fn describe(&self, error: reqwest::Error) -> SendError {
        // reqwest's Display includes the URL, which for a webhook may carry a token: strip it.
        let (is_timeout, is_connect) = (error.is_timeout(), error.is_connect());
        let error = error.without_url();
        // The causes say what went wrong ("Connection refused"); the top level only says "error
        // sending request".
        let mut text = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(inner) = cause {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            cause = inner.source();
        }
        if is_timeout {
            SendError::Timeout(self.timeout)
        } else if is_connect {
            SendError::Connect(text)
        } else {
            SendError::Request(text)
        }
    }
}
