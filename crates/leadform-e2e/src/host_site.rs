//! A customer's web site on its own loopback origin, serving pages the test writes: several
//! embeds on one page, a page that links to the handler's demo pages (a referrer), a page that
//! proves whether scripts run. [`crate::ForeignSite`] serves exactly one embed; this serves any.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tokio::task::JoinHandle;

pub struct HostSite {
    port: u16,
    server: JoinHandle<()>,
}

impl HostSite {
    /// Serves each `(path, html)` page at its path (any query string is ignored); other paths 404.
    pub async fn start(pages: Vec<(String, String)>) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let pages: Arc<HashMap<String, String>> = Arc::new(pages.into_iter().collect());
        let app = Router::new().fallback(move |uri: Uri| {
            let page = pages.get(uri.path()).cloned();
            std::future::ready(serve(page))
        });
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("host site on port {port} stopped: {err}");
            }
        });
        Ok(HostSite { port, server })
    }

    /// `http://127.0.0.1:PORT`: what the browser sends as `Origin`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URL of `path_and_query` (which starts with `/`) on this site.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.origin())
    }
}

fn serve(page: Option<String>) -> Response {
    match page {
        Some(html) => Html(html).into_response(),
        None => (StatusCode::NOT_FOUND, "no such page on the host site").into_response(),
    }
}

impl Drop for HostSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The two-line snippet for `form_id` from the handler at `handler_base`, with extra data
/// attributes (`data-campaign-id="…"`), and the plain form's link as fallback content.
pub fn embed(handler_base: &str, form_id: &str, attributes: &[(&str, &str)]) -> String {
    let attributes: String = attributes
        .iter()
        .map(|(name, value)| format!(" {name}=\"{value}\""))
        .collect();
    format!(
        r#"<div data-leadform="{form_id}"{attributes}><p><a href="{handler_base}/v1/forms/{form_id}/fallback">Open the plain form</a></p></div>"#
    )
}

/// A whole page around `body`, loading the widget from `handler_base` once.
pub fn page(title: &str, handler_base: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
{body}
<script src="{handler_base}/leadform.js" defer></script>
</body>
</html>
"#
    )
}
