//! Chrome DevTools commands sent through chromedriver's passthrough
//! (`POST /session/{id}/goog/cdp/execute`), for browser settings WebDriver has no command for.

use anyhow::{Context, Result};
use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use reqwest::Url;
use serde_json::{json, Value};

use crate::Browser;

/// One DevTools protocol call, e.g. `Emulation.setScriptExecutionDisabled`.
#[derive(Debug)]
struct DevtoolsCommand {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevtoolsCommand {
    fn endpoint(
        &self,
        base_url: &Url,
        session_id: Option<&str>,
    ) -> Result<Url, url_error::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

/// `reqwest` re-exports `url::Url` but not its error type; `Url::parse` names it for us.
mod url_error {
    pub type ParseError = <reqwest::Url as std::str::FromStr>::Err;
}

/// Turns JavaScript off in the browser's tab, for this page and the ones it goes to next: the
/// same switch as DevTools' "Disable JavaScript", as for a visitor whose browser blocks scripts.
pub async fn disable_javascript(browser: &Browser) -> Result<()> {
    browser
        .client
        .issue_cmd(DevtoolsCommand {
            method: "Emulation.setScriptExecutionDisabled",
            params: json!({ "value": true }),
        })
        .await
        .context("Emulation.setScriptExecutionDisabled through chromedriver")?;
    Ok(())
}
