//! The steps both submission routes take before a lead is accepted: the origin check, the rate
//! limit, and turning the request into an [`IncomingLead`]. `POST /v1/leads` answers refusals as
//! JSON and the fallback form as HTML pages, so this returns what went wrong and each route words it.

use super::checked_origin::WithCors;
use super::cookies::cookie_value;
use super::cors::{judge_origin, judge_origin_value, OriginVerdict};
use super::errors::ApiError;
use super::own_origin::OwnOrigin;
use super::visitor::SignedVisitor;
use super::AppState;
use crate::intake::IncomingLead;
use axum::http::{header, HeaderMap, HeaderValue};
use leadform_core::{FormDefinition, LeadSubmission};
use std::net::{IpAddr, SocketAddr};

/// The longest `hubspotutk` cookie passed on to HubSpot (it is a 32-character hex id).
pub const MAX_HUBSPOTUTK_CHARS: usize = 64;

/// The longest `User-Agent` kept for Marketo's `visitorData` (real ones stay well under it).
pub const MAX_USER_AGENT_CHARS: usize = 512;

/// Where the page that sent a submission is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderPage {
    /// The `Origin` header only: the widget's `fetch` always sends one cross-origin.
    OriginHeader,
    /// `Origin`, or failing that the origin of the `Referer`: a plain HTML form post may carry
    /// either. Browsers that send neither (privacy settings) are let through; the bot checks
    /// still apply.
    OriginOrReferer,
}

/// Why a submission was turned away before its fields were read.
#[derive(Debug)]
pub enum NotAdmitted {
    /// The sending page is neither the handler's own nor listed by the form.
    Origin(ApiError),
    /// The origin passed (`verdict`), so the page may read this refusal.
    RateLimited {
        retry_after_secs: u64,
        verdict: OriginVerdict,
    },
}

/// The JSON API's answer: a refused origin may not read it; a rate-limited page may.
impl From<NotAdmitted> for WithCors<ApiError> {
    fn from(refusal: NotAdmitted) -> Self {
        match refusal {
            NotAdmitted::Origin(error) => WithCors::refused(error),
            NotAdmitted::RateLimited {
                retry_after_secs,
                verdict,
            } => WithCors::allowed(verdict, ApiError::RateLimited { retry_after_secs }),
        }
    }
}

/// A submission that passed the origin check and the rate limit.
#[derive(Debug)]
pub struct Admitted {
    pub verdict: OriginVerdict,
    /// The address it was counted against (the peer, or the proxy's `X-Forwarded-For` entry).
    pub client_ip: IpAddr,
}

/// Checks the sending page against `form`, then takes one rate-limit token for the client.
pub fn admit(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: &FormDefinition,
    sender_page: SenderPage,
) -> Result<Admitted, NotAdmitted> {
    let verdict =
        judge_sender(headers, &state.own_origin, form, sender_page).map_err(NotAdmitted::Origin)?;
    let client_ip = state.trusted_proxies.client_ip(peer, headers);
    state
        .rate_limiter
        .check(client_ip)
        .map_err(|retry_after_secs| NotAdmitted::RateLimited {
            retry_after_secs,
            verdict: verdict.clone(),
        })?;
    Ok(Admitted { verdict, client_ip })
}

fn judge_sender(
    headers: &HeaderMap,
    own_origin: &OwnOrigin,
    form: &FormDefinition,
    sender_page: SenderPage,
) -> Result<OriginVerdict, ApiError> {
    let is_listed = |origin: &str| form.allows_origin(origin);
    if sender_page == SenderPage::OriginOrReferer && !headers.contains_key(header::ORIGIN) {
        let referer_origin = headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(origin_of_url)
            .and_then(|origin| HeaderValue::from_str(&origin).ok());
        let Some(referer_origin) = referer_origin else {
            return Ok(OriginVerdict::Absent);
        };
        return judge_origin_value(Some(&referer_origin), headers, own_origin, is_listed);
    }
    judge_origin(headers, own_origin, is_listed)
}

/// `https://www.example.com/a/b?c` → `https://www.example.com`.
fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The lead as `accept_lead` takes it, with what the request says about its sender.
pub fn incoming_lead<'a>(
    form: &'a FormDefinition,
    submission: LeadSubmission,
    body: &[u8],
    admitted: &Admitted,
    headers: &HeaderMap,
    visitor: SignedVisitor,
) -> IncomingLead<'a> {
    IncomingLead {
        form,
        submission,
        // JSON bodies are UTF-8 already; a urlencoded post is ASCII.
        raw_payload: String::from_utf8_lossy(body).into_owned(),
        client_ip: Some(admitted.client_ip.to_string()),
        hubspotutk: cookie_value(headers, "hubspotutk")
            .filter(|v| !v.is_empty() && v.len() <= MAX_HUBSPOTUTK_CHARS)
            .map(str::to_owned),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|agent| leadform_core::sanitize::clean_text(agent, MAX_USER_AGENT_CHARS))
            .filter(|agent| !agent.is_empty()),
        visitor_cookie: visitor.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form() -> FormDefinition {
        serde_json::from_value(serde_json::json!({
            "id": "contact-us",
            "title": "Talk to us",
            "kind": "contact",
            "submit_label": "Send",
            "success": { "message": "Thanks" },
            "fields": [{ "name": "email", "label": "Email", "kind": "email", "required": true }],
            "allowed_origins": ["https://www.example.com"]
        }))
        .unwrap()
    }

    fn submission() -> LeadSubmission {
        serde_json::from_value(serde_json::json!({
            "form_id": "contact-us",
            "submission_id": "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
            "fields": { "email": "ada@example.com" },
            "submitted_at": "2026-11-23T07:00:00.000Z"
        }))
        .unwrap()
    }

    fn admitted() -> Admitted {
        Admitted {
            verdict: OriginVerdict::Absent,
            client_ip: [192, 0, 2, 1].into(),
        }
    }

    fn hubspotutk_kept(value: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        let cookie = format!("hubspotutk={value}");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        let form = form();
        incoming_lead(
            &form,
            submission(),
            b"{}",
            &admitted(),
            &headers,
            SignedVisitor(None),
        )
        .hubspotutk
    }

    #[test]
    fn hubspotutk_is_passed_on_up_to_the_limit_only() {
        let longest = "a".repeat(MAX_HUBSPOTUTK_CHARS);
        assert_eq!(hubspotutk_kept(&longest), Some(longest.clone()));
        assert_eq!(hubspotutk_kept(&format!("{longest}a")), None);
        assert_eq!(hubspotutk_kept(""), None);
    }

    #[test]
    fn the_incoming_lead_carries_the_counted_address_and_the_body_as_sent() {
        let form = form();
        let lead = incoming_lead(
            &form,
            submission(),
            b"email=a%40b",
            &admitted(),
            &HeaderMap::new(),
            SignedVisitor(None),
        );
        assert_eq!(lead.client_ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(lead.raw_payload, "email=a%40b");
        assert_eq!(lead.visitor_cookie, None);
    }

    #[test]
    fn a_referer_stands_in_for_a_missing_origin_only_for_form_posts() {
        let form = form();
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("forms.example.com"));
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("https://evil.example.net/page?x"),
        );
        assert!(matches!(
            judge_sender(
                &headers,
                &OwnOrigin::RequestHost,
                &form,
                SenderPage::OriginHeader
            ),
            Ok(OriginVerdict::Absent)
        ));
        assert!(matches!(
            judge_sender(
                &headers,
                &OwnOrigin::RequestHost,
                &form,
                SenderPage::OriginOrReferer
            ),
            Err(ApiError::OriginNotAllowed(_))
        ));
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("https://www.example.com/contact"),
        );
        assert!(matches!(
            judge_sender(
                &headers,
                &OwnOrigin::RequestHost,
                &form,
                SenderPage::OriginOrReferer
            ),
            Ok(OriginVerdict::Listed(_))
        ));
        headers.remove(header::REFERER);
        assert!(matches!(
            judge_sender(
                &headers,
                &OwnOrigin::RequestHost,
                &form,
                SenderPage::OriginOrReferer
            ),
            Ok(OriginVerdict::Absent)
        ));
    }

    #[test]
    fn origin_of_url_keeps_scheme_and_host() {
        assert_eq!(
            origin_of_url("https://www.example.com/a/b?c#d").as_deref(),
            Some("https://www.example.com")
        );
        assert_eq!(origin_of_url("not a url"), None);
    }
}
