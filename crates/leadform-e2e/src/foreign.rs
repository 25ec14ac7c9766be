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

/// A customer's page: the two-line snippet as the README gives it, a link to the plain
/// form as the fallback content, and a recorder for the widget's DOM events, as a
/// customer's analytics would listen to them (read back by [`crate::Browser::events`]).
fn embed_page(handler_base: &str, form_id: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A customer's page</title>
<script>
  window.leadformEvents = [];
  for (const type of ["leadform:ready", "leadform:submit", "leadform:success", "leadform:error"]) {{
    document.addEventListener(type, (event) => window.leadformEvents.push({{ type, detail: event.detail }}));
  }}
</script>
</head>
<body>
<h1>Partner page</h1>
<div data-leadform="{form_id}"><p><a href="{handler_base}/v1/forms/{form_id}/fallback">Open the plain form</a></p></div>
<script src="{handler_base}/leadform.js" defer></script>
</body>
</html>
"#
    )
}
