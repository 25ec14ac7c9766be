//! Headless Chromium through chromedriver, one fresh profile per test.

use std::fs::File;
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

/// The same flags as the widget's webdriver.json. The network is closed: without the
/// background-networking flags Chromium waits on requests that never return.
const CHROMIUM_ARGS: [&str; 8] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    pub async fn start(env: &E2eEnv) -> Result<Self> {
        let port = free_port()?;
        let profile = tempfile::Builder::new()
            .prefix("leadform-chromium-")
            .tempdir()?;
        let log = File::create(profile.path().join("chromedriver.log"))?;
        let mut driver = Command::new(&env.chromedriver);
        driver
            .arg(format!("--port={port}"))
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

        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
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
            _profile: profile,
        })
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// The open shadow root of `div[data-leadform=FORM_ID]`, once the widget attached it.
    async fn shadow_root(&self, form_id: &str) -> Result<ShadowRoot> {
        let host = format!("[data-leadform=\"{form_id}\"]");
        poll::until(&format!("the shadow root of {host}"), || async {
            let container = self.client.find(Locator::Css(&host)).await?;
            Ok(Some(container.shadow_root().await?))
        })
        .await
    }

    /// The widget for `form_id`, once its `<form>` is rendered.
    pub async fn widget(&self, form_id: &str) -> Result<Widget> {
        let widget = self.widget_root(form_id).await?;
        poll::until(&format!("the rendered {form_id} form"), || async {
            Ok(widget.has_form().await.then_some(()))
        })
        .await?;
        Ok(widget)
    }

    /// The widget for `form_id` as soon as its shadow root exists, form or not.
    pub async fn widget_root(&self, form_id: &str) -> Result<Widget> {
        Ok(Widget::new(self.shadow_root(form_id).await?))
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
    }
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
