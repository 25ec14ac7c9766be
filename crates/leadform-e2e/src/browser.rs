//! Headless Chromium through chromedriver, one fresh profile per test.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use fantoccini::elements::ShadowRoot;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use crate::env::E2eEnv;
use crate::net::{free_port, wait_for_listener};
use crate::poll;
use crate::widget::Widget;

const DRIVER_LOG: &str = "chromedriver.log";

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Holds the fresh Chromium profile and chromedriver's log (with Chromium's stderr).
    profile: TempDir,
    /// Print the page's console when dropped (off for the benchmark's many short loads).
    dump_console: bool,
}

impl Browser {
    pub async fn start(env: &E2eEnv) -> Result<Self> {
        let port = free_port()?;
        let profile = tempfile::Builder::new()
            .prefix("leadform-chromium-")
            .tempdir()?;
        let log = File::create(profile.path().join(DRIVER_LOG))?;
        let mut driver = Command::new(&env.chromedriver);
        driver
            .arg(format!("--port={port}"))
            // Chromium's stderr, with the page's console (see --enable-logging), into our log.
            .arg("--enable-chrome-logs")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // Its own process group, so Drop can end chromedriver and the Chromium it started.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut driver, 0);
        let mut driver = driver
            .spawn()
            .with_context(|| format!("starting {}", env.chromedriver.display()))?;
        let startup =
            wait_for_listener(
                "chromedriver",
                port,
                Duration::from_secs(30),
                || match driver.try_wait()? {
                    Some(status) => bail!("chromedriver exited during startup ({status})"),
                    None => Ok(()),
                },
            )
            .await;
        if let Err(err) = startup {
            kill_group(&mut driver);
            return Err(err);
        }

        let mut args = chromium_args()?;
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push("--enable-logging=stderr".to_string());
        let capabilities = json!({
            "goog:chromeOptions": { "binary": env.chromium, "args": args }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("json! object literal")
        };
        let session = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        let client = match session {
            Ok(client) => client,
            Err(err) => {
                kill_group(&mut driver);
                return Err(err).context("opening a Chromium session through chromedriver");
            }
        };
        Ok(Browser {
            client,
            driver,
            profile,
            dump_console: true,
        })
    }

    /// Drop stops the browser without printing the page's console: for callers that start many
    /// browsers and read what they need from the page themselves.
    pub fn quiet(mut self) -> Self {
        self.dump_console = false;
        self
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// The open shadow root of `[data-leadform=FORM_ID]`, once the widget attached it.
    async fn shadow_root(&self, form_id: &str) -> Result<ShadowRoot> {
        poll::until(
            &format!("the shadow root of the {form_id} container"),
            || async { Ok(Some(self.current_shadow_root(form_id).await?)) },
        )
        .await
    }

    async fn current_shadow_root(&self, form_id: &str) -> Result<ShadowRoot> {
        let host = format!("[data-leadform=\"{form_id}\"]");
        let container = self.client.find(Locator::Css(&host)).await?;
        Ok(container.shadow_root().await?)
    }

    /// Whether the widget's `<form>` for `form_id` is on the page right now.
    pub async fn has_form(&self, form_id: &str) -> bool {
        match self.current_shadow_root(form_id).await {
            Ok(root) => Widget::new(root).has_form().await,
            Err(_) => false,
        }
    }

    /// The widget for `form_id`, once the widget itself rendered its `<form>` (not the loader's
    /// instant form, whose elements the takeover replaces).
    pub async fn widget(&self, form_id: &str) -> Result<Widget> {
        let host = format!("[data-leadform=\"{form_id}\"][data-leadform-mounted]");
        poll::until(&format!("the {form_id} widget mounted"), || async {
            Ok(self
                .client
                .find(Locator::Css(&host))
                .await
                .is_ok()
                .then_some(()))
        })
        .await?;
        let widget = self.shown_form(form_id).await?;
        poll::until(&format!("the {form_id} widget's own form"), || async {
            let pending = widget
                .root()
                .find(Locator::Css(
                    ".leadform-root-pending, .leadform-root-instant",
                ))
                .await;
            Ok(pending.is_err().then_some(()))
        })
        .await?;
        Ok(widget)
    }

    /// The form shown for `form_id`, whoever drew it: the loader's instant form before the wasm
    /// arrives, or the widget's.
    pub async fn shown_form(&self, form_id: &str) -> Result<Widget> {
        let root = self.shadow_root(form_id).await?;
        poll::until(&format!("the rendered {form_id} form"), || async {
            Ok(root.find(Locator::Css("form")).await.is_ok().then_some(()))
        })
        .await?;
        // Made now, so its clock for `wait_past_min_fill` starts when the form is shown.
        Ok(Widget::new(root))
    }

    /// The widget events recorded by a [`crate::ForeignSite`] page so far, oldest first:
    /// `{"type": "leadform:success", "detail": {"formId": …, "submissionId": …}}`.
    pub async fn events(&self) -> Result<Vec<serde_json::Value>> {
        let events = self
            .client
            .execute("return window.leadformEvents || [];", Vec::new())
            .await?;
        Ok(serde_json::from_value(events)?)
    }

    /// Waits for the first recorded event of `kind` (`"leadform:error"`) and returns it.
    pub async fn wait_for_event(&self, kind: &str) -> Result<serde_json::Value> {
        poll::until(&format!("a {kind} event"), || async {
            let events = self.events().await?;
            Ok(events.into_iter().find(|e| e["type"] == kind))
        })
        .await
    }

    /// Ends the WebDriver session cleanly; Drop then stops chromedriver.
    pub async fn close(self) -> Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
        if !self.dump_console {
            return;
        }
        // The test harness shows this only for a failing test: the widget's console output
        // (a Rust panic, a failed fetch) is usually the quickest explanation.
        let log = std::fs::read_to_string(self.profile.path().join(DRIVER_LOG)).unwrap_or_default();
        let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
        eprintln!("--- browser console ---\n{}", console.join("\n"));
    }
}

/// The Chromium flags from the workspace's webdriver.json, shared with the widget's browser
/// tests. The network is closed: without its background-networking flags Chromium waits on
/// requests that never return.
fn chromium_args() -> Result<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../webdriver.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let config: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    serde_json::from_value(config["goog:chromeOptions"]["args"].clone())
        .with_context(|| format!("{} has no goog:chromeOptions.args list", path.display()))
}

/// Kills chromedriver's process group (Chromium included), then reaps chromedriver.
fn kill_group(driver: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", driver.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = driver.kill();
    let _ = driver.wait();
}
