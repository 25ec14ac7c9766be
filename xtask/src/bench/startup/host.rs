//! The foreign site the benchmark loads: one page per contender, the same text around the same
//! form, on its own loopback origin (so Leadform is measured embedded, as customers use it).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::peers::{self, Peer};

/// The pages, by path.
pub const LEADFORM_PAGE: &str = "/leadform.html";
pub const REACT_PAGE: &str = "/react.html";
pub const PREACT_PAGE: &str = "/preact.html";

struct Asset {
    content_type: &'static str,
    body: Vec<u8>,
}

pub struct HostSite {
    pub origin: String,
    server: JoinHandle<()>,
}

impl HostSite {
    /// Binds a loopback port now; `serve` starts answering once the handler's URL is known.
    pub async fn bind() -> Result<(TcpListener, String)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        Ok((listener, origin))
    }

    pub fn serve(
        listener: TcpListener,
        origin: String,
        handler_base: &str,
        bundles: &Path,
    ) -> Result<Self> {
        let mut assets = HashMap::new();
        let html = |body: String| Asset {
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
        };
        assets.insert(LEADFORM_PAGE, html(leadform_page(handler_base, None)));
        for (path, peer) in [(REACT_PAGE, peers::REACT), (PREACT_PAGE, peers::PREACT)] {
            assets.insert(path, html(peer_page(&peer)));
            let body = std::fs::read(bundles.join(peer.bundle))
                .with_context(|| format!("reading the {} bundle", peer.label))?;
            assets.insert(
                peer.path,
                Asset {
                    content_type: "text/javascript; charset=utf-8",
                    body,
                },
            );
        }
        let assets: Arc<HashMap<&'static str, Asset>> = Arc::new(assets);
        let handler_base = handler_base.to_owned();
        let app = Router::new().fallback(move |uri: Uri| {
            let reserved = (uri.path() == LEADFORM_PAGE)
                .then(|| reserved_height(uri.query()))
                .flatten();
            let answer = match (reserved, assets.get(uri.path())) {
                (Some(height), _) => no_store(
                    "text/html; charset=utf-8",
                    leadform_page(&handler_base, Some(height)).into_bytes(),
                ),
                (None, Some(asset)) => no_store(asset.content_type, asset.body.clone()),
                (None, None) => (StatusCode::NOT_FOUND, "no such page").into_response(),
            };
            std::future::ready::<Response>(answer)
        });
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("bench host site stopped: {err}");
            }
        });
        Ok(HostSite { origin, server })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Leadform's page with the form's height reserved as the README asks (and the loader's
    /// console hint words it): the page does not move when the form appears.
    pub fn reserved_leadform_url(&self, height_px: u32) -> String {
        self.url(&format!("{LEADFORM_PAGE}?reserve={height_px}"))
    }
}

fn no_store(content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `reserve=948` in the query: the height in px to reserve for the form.
fn reserved_height(query: Option<&str>) -> Option<u32> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("reserve="))?
        .parse()
        .ok()
}

impl Drop for HostSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The same page around each contender: text above and below the form, so a form that grows or
/// jumps when its script takes over moves the text under it and shows up as layout shift.
fn page(title: &str, style: &str, form: &str, script: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>{style}
</head>
<body>
<h1>Contact us</h1>
<p>Questions about pricing, a demo for your team, or help with your account: a solutions engineer
answers within one business day.</p>
{form}
<p>Prefer the phone? Call us on weekdays between nine and five.</p>
<footer><p>A customer's page for the side-by-side benchmark.</p></footer>
{script}
</body>
</html>
"#
    )
}

/// Leadform's Contact Us embed exactly as the README gives it, with the plain form's link inside,
/// and, given a height, the rule the README gives for reserving it.
fn leadform_page(handler_base: &str, reserved_height_px: Option<u32>) -> String {
    let style = reserved_height_px
        .map(|px| {
            format!(
                "\n<style>[data-leadform=\"contact-us\"] {{ display: flow-root; min-height: {px}px; }}</style>"
            )
        })
        .unwrap_or_default();
    page(
        "Leadform",
        &style,
        &format!(
            r#"<div data-leadform="contact-us"><p><a href="{handler_base}/v1/forms/contact-us/fallback">Open the contact form</a></p></div>"#
        ),
        &format!(r#"<script src="{handler_base}/leadform.js" defer></script>"#),
    )
}

fn peer_page(peer: &Peer) -> String {
    page(
        peer.label,
        "",
        r#"<div id="app"></div>"#,
        &format!(r#"<script src="{}" defer></script>"#, peer.path),
    )
}
