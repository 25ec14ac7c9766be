//! Reading and driving the widget inside its open shadow root, the way a visitor would:
//! typing, tabbing away, choosing, clicking.

use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::key::Key;
use fantoccini::Locator;

use crate::poll;

pub struct Widget {
    root: ShadowRoot,
    shown_at: tokio::time::Instant,
}

impl Widget {
    pub(crate) fn new(root: ShadowRoot) -> Self {
        Widget {
            root,
            shown_at: tokio::time::Instant::now(),
        }
    }

    /// Waits until the form has been on screen a little longer than `min_fill`.
    ///
    /// The handler flags submissions made faster than the form's `min_fill_seconds` as bots
    /// (stored, never delivered); a test that types instantly would look like one.
    pub async fn wait_past_min_fill(&self, min_fill: Duration) {
        let margin = Duration::from_millis(500);
        tokio::time::sleep_until(self.shown_at + min_fill + margin).await;
    }

    /// The container's shadow root the widget lives in.
    pub(crate) fn root(&self) -> &ShadowRoot {
        &self.root
    }

    pub async fn has_form(&self) -> bool {
        self.root.find(Locator::Css("form")).await.is_ok()
    }

    /// The input, select or textarea named `name`.
    pub async fn field(&self, name: &str) -> Result<Element> {
        self.root
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .with_context(|| format!("no field named `{name}` in the widget"))
    }

    /// Types `text` at the end of the field's value.
    pub async fn type_into(&self, name: &str, text: &str) -> Result<()> {
        self.field(name).await?.send_keys(text).await?;
        Ok(())
    }

    /// Tabs out of the field, which blurs it as a visitor would.
    pub async fn blur(&self, name: &str) -> Result<()> {
        let tab = char::from(Key::Tab).to_string();
        self.field(name).await?.send_keys(&tab).await?;
        Ok(())
    }

    /// Chooses `value` in a select, or types it into any other field.
    pub async fn fill(&self, name: &str, value: &str) -> Result<()> {
        let field = self.field(name).await?;
        if field.tag_name().await?.eq_ignore_ascii_case("select") {
            field.select_by_value(value).await?;
        } else {
            field.send_keys(value).await?;
        }
        Ok(())
    }

    pub async fn fill_all(&self, values: &[(&str, &str)]) -> Result<()> {
        for (name, value) in values {
            self.fill(name, value)
                .await
                .with_context(|| format!("filling `{name}`"))?;
        }
        Ok(())
    }

    /// Whether the field carries `aria-invalid="true"`.
    pub async fn is_invalid(&self, name: &str) -> Result<bool> {
        let invalid = self.field(name).await?.attr("aria-invalid").await?;
        Ok(invalid.as_deref() == Some("true"))
    }

    /// The text of the elements the field's `aria-describedby` points at (help and error).
    pub async fn description(&self, name: &str) -> Result<String> {
        let ids = self
            .field(name)
            .await?
            .attr("aria-describedby")
            .await?
            .unwrap_or_default();
        let mut texts = Vec::new();
        for id in ids.split_whitespace() {
            let described = self
                .root
                .find(Locator::Css(&format!("[id=\"{id}\"]")))
                .await;
            if let Ok(element) = described {
                texts.push(element.text().await?);
            }
        }
        Ok(texts.join("\n"))
    }

    /// Waits until the field is flagged invalid and described by a message containing `text`.
    pub async fn wait_for_error(&self, name: &str, text: &str) -> Result<String> {
        poll::until(&format!("the error \"{text}\" on `{name}`"), || async {
            let description = self.description(name).await?;
            let shown = self.is_invalid(name).await? && description.contains(text);
            Ok(shown.then_some(description))
        })
        .await
    }

    /// Waits until the field is no longer flagged invalid.
    pub async fn wait_until_valid(&self, name: &str) -> Result<()> {
        poll::until(&format!("`{name}` to be valid"), || async {
            Ok((!self.is_invalid(name).await?).then_some(()))
        })
        .await
    }

    async fn submit_button(&self) -> Result<Element> {
        self.root
            .find(Locator::Css("button[type=\"submit\"]"))
            .await
            .context("no submit button in the widget")
    }

    pub async fn submit(&self) -> Result<()> {
        self.submit_button().await?.click().await?;
        Ok(())
    }

    /// The success message's text, if it is shown.
    pub async fn success(&self) -> Result<Option<String>> {
        match self.root.find(Locator::Css(".leadform-success")).await {
            Ok(element) => Ok(Some(element.text().await?).filter(|t| !t.trim().is_empty())),
            Err(_) => Ok(None),
        }
    }

    /// Waits for the success message and returns its text.
    pub async fn wait_for_success(&self) -> Result<String> {
        poll::until("the success message", || self.success()).await
    }

    /// What the widget announces: the text of its `[aria-live]` and `[role=alert]` regions.
    pub async fn announcements(&self) -> Result<String> {
        let regions = self
            .root
            .find_all(Locator::Css("[aria-live], [role=\"alert\"]"))
            .await?;
        let mut texts = Vec::new();
        for region in regions {
            let text = region.text().await?;
            if !text.trim().is_empty() {
                texts.push(text);
            }
        }
        Ok(texts.join("\n"))
    }
}
