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

/// fantoccini's trait speaks `url` and `http` types. The crate reaches them through the re-exports
/// of reqwest (`Url`) and axum (`http`) rather than two more dependencies; `url::ParseError` is
/// not re-exported, but it is `Url`'s `FromStr` error.
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

/// Any DevTools protocol call, answered with its result: for settings the benchmark needs
/// (`Emulation.setCPUThrottlingRate`, `Network.setBlockedURLs`) that have no helper here.
pub async fn call(browser: &Browser, method: &'static str, params: Value) -> Result<Value> {
    let answer = browser
        .client
        .issue_cmd(DevtoolsCommand { method, params })
        .await
        .with_context(|| format!("{method} through chromedriver"))?;
    Ok(answer)
}

/// The global where [`record_dialogs`] lists the dialogs pages tried to open.
pub const DIALOG_LOG: &str = "__leadformTestDialogs";

/// From the next page on, every document in the tab records `alert`, `confirm` and `prompt`
/// calls in `window.__leadformTestDialogs` instead of opening them. Installed by DevTools before
/// any page script runs (CSP does not apply), so a script that got into the page is caught even
/// when a later WebDriver command would have dismissed its dialog unseen.
pub async fn record_dialogs(browser: &Browser) -> Result<()> {
    let source = format!(
        r#"(() => {{
  const opened = [];
  Object.defineProperty(window, "{DIALOG_LOG}", {{ value: opened }});
  for (const name of ["alert", "confirm", "prompt"]) {{
    window[name] = (message) => {{ opened.push(name + ": " + String(message)); return null; }};
  }}
}})();"#
    );
    browser
        .client
        .issue_cmd(DevtoolsCommand {
            method: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": source }),
        })
        .await
        .context("Page.addScriptToEvaluateOnNewDocument through chromedriver")?;
    Ok(())
}
