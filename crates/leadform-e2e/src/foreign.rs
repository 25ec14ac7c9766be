//! A second loopback site, as a customer's web server: one page that embeds a form with
//! only the two-line snippet, from an origin other than the handler's.

use anyhow::Result;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tokio::task::JoinHandle;

pub struct ForeignSite {
    port: u16,
    server: JoinHandle<()>,
}

impl ForeignSite {
    /// Serves, at `/`, a page embedding `form_id` from the handler at `handler_base`.
    pub async fn start(handler_base: &str, form_id: &str) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let page = embed_page(handler_base, form_id);
        let app = Router::new().route("/", get(move || std::future::ready(Html(page.clone()))));
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("foreign site on port {port} stopped: {err}");
            }
        });
        Ok(ForeignSite { port, server })
    }

    /// `http://127.0.0.1:PORT`: what the browser sends as `Origin`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("{}/", self.origin())
    }
}

impl Drop for ForeignSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The snippet exactly as the README tells customers to paste it.
fn embed_page(handler_base: &str, form_id: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A customer's page</title></head>
<body>
<h1>Partner page</h1>
<div data-leadform="{form_id}"></div>
<script src="{handler_base}/leadform.js" defer></script>
</body>
</html>
"#
    )
}
