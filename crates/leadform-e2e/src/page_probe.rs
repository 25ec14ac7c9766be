//! What a page holds right now, read the way a test needs it and a visitor cannot see it: the
//! markup including the widgets' shadow roots, the widget's browser storage, cookies, and which
//! questions a mounted form asks with which values.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context, Result};
use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::json;

use crate::devtools::DIALOG_LOG;
use crate::{poll, Browser};

/// The prefix of every localStorage key the widget writes (`src/services/storage.rs`).
pub const STORAGE_PREFIX: &str = "leadform:";

/// The document's HTML followed by the HTML of every widget's shadow root.
pub async fn page_markup(browser: &Browser) -> Result<String> {
    let markup = browser
        .client
        .execute(
            r#"const parts = [document.documentElement.outerHTML];
               for (const host of document.querySelectorAll("[data-leadform]")) {
                 if (host.shadowRoot) parts.push(host.shadowRoot.innerHTML);
               }
               return parts.join("\n");"#,
            Vec::new(),
        )
        .await?;
    markup
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("page markup was not a string: {markup}"))
}

/// Every localStorage key of the current origin.
pub async fn local_storage_keys(browser: &Browser) -> Result<Vec<String>> {
    let keys = browser
        .client
        .execute("return Object.keys(window.localStorage);", Vec::new())
        .await?;
    Ok(serde_json::from_value(keys)?)
}

/// The value of cookie `name` as the browser holds it for the current page's host (cookies
/// ignore ports, so on 127.0.0.1 that includes cookies the handler set on its own port).
pub async fn cookie(browser: &Browser, name: &str) -> Result<Option<String>> {
    let cookies = browser.client.get_all_cookies().await?;
    Ok(cookies
        .iter()
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned()))
}

/// The questions the mounted `form_id` asks, in order, with the value each holds: every
/// visible input, select and textarea of its form (not the honeypot, not hidden inputs).
/// `None` while the widget has not rendered it (the loader's instant form, shown before the wasm
/// arrives, is a fresh visitor's form: the widget may ask a returning visitor other questions).
pub async fn asked_fields(
    browser: &Browser,
    form_id: &str,
) -> Result<Option<Vec<(String, String)>>> {
    let fields = browser
        .client
        .execute(
            r#"const host = document.querySelector(`[data-leadform="${arguments[0]}"]`);
               if (!host || !host.hasAttribute("data-leadform-mounted")) return null;
               const root = host.shadowRoot;
               if (!root || root.querySelector(".leadform-root-pending, .leadform-root-instant")) return null;
               const form = root.querySelector("form");
               if (!form) return null;
               return Array.from(form.querySelectorAll("input, select, textarea"))
                 .filter((e) => e.type !== "hidden" && e.name !== "leadform_website")
                 .map((e) => [e.name, e.type === "checkbox" ? String(e.checked) : e.value]);"#,
            vec![json!(form_id)],
        )
        .await?;
    Ok(serde_json::from_value(fields)?)
}

/// [`asked_fields`] once the form is rendered, as a name → value map plus the names in order.
pub async fn wait_for_asked_fields(
    browser: &Browser,
    form_id: &str,
) -> Result<(Vec<String>, BTreeMap<String, String>)> {
    let fields = poll::until(&format!("the rendered {form_id} form"), || async {
        asked_fields(browser, form_id).await
    })
    .await?;
    let names = fields.iter().map(|(name, _)| name.clone()).collect();
    Ok((names, fields.into_iter().collect()))
}

/// The first element matching `css` inside `form_id`'s shadow root, once there is one.
pub async fn wait_in_widget(browser: &Browser, form_id: &str, css: &str) -> Result<Element> {
    let host = format!("[data-leadform=\"{form_id}\"]");
    poll::until(&format!("`{css}` in the {form_id} widget"), || async {
        let root = browser
            .client
            .find(Locator::Css(&host))
            .await?
            .shadow_root()
            .await?;
        Ok(Some(root.find(Locator::Css(css)).await?))
    })
    .await
}

/// How many `<script>` elements the page holds: in the document without a `src`, and anywhere in
/// the widgets' shadow roots. The demo and test pages ship none of either.
pub async fn injected_scripts(browser: &Browser) -> Result<u64> {
    let count = browser
        .client
        .execute(
            r#"let count = document.querySelectorAll("script:not([src])").length;
               for (const host of document.querySelectorAll("[data-leadform]")) {
                 if (host.shadowRoot) count += host.shadowRoot.querySelectorAll("script").length;
               }
               return count;"#,
            Vec::new(),
        )
        .await?;
    count
        .as_u64()
        .with_context(|| format!("script count was not a number: {count}"))
}

/// Fails if a script on the page tried to open a dialog (`alert`, `confirm`, `prompt`), as
/// recorded since [`crate::devtools::record_dialogs`], or if one is open now.
pub async fn assert_no_dialog(browser: &Browser) -> Result<()> {
    match browser.client.get_alert_text().await {
        Ok(text) => return Err(anyhow!("a script opened a dialog saying {text:?}")),
        Err(err) if err.is_no_such_alert() => {}
        Err(err) => return Err(err).context("asking the browser whether a dialog is open"),
    }
    let script = format!("return window.{DIALOG_LOG} || null;");
    let recorded = browser.client.execute(&script, Vec::new()).await?;
    let recorded: Option<Vec<String>> = serde_json::from_value(recorded)?;
    match recorded {
        None => Err(anyhow!(
            "no dialog recorder on this page: call devtools::record_dialogs before opening it"
        )),
        Some(opened) if !opened.is_empty() => {
            Err(anyhow!("scripts on the page opened dialogs: {opened:?}"))
        }
        Some(_) => Ok(()),
    }
}

/// Waits until the tab shows a URL for which `wanted` holds, and returns it.
pub async fn wait_for_url(
    browser: &Browser,
    what: &str,
    wanted: impl Fn(&str) -> bool,
) -> Result<String> {
    poll::until(what, || async {
        let url = browser.client.current_url().await?;
        Ok(wanted(url.as_str()).then(|| url.to_string()))
    })
    .await
}
