//! One measured page load: a fresh Chromium (cold profile and cache), the CPU slowed 4x, the
//! probe script installed before the page's own, and the figures read back once the page settled.

use std::time::Duration;

use anyhow::{Context, Result};
use leadform_e2e::{devtools, Browser, E2eEnv};
use serde_json::{json, Value};

/// Records the timings in the page (see the script's comment).
const PROBE: &str = include_str!("probe.js");
/// A mid-range phone, as Lighthouse's mobile preset slows a desktop CPU.
const CPU_SLOWDOWN: u32 = 4;
/// How long layout shifts are still collected after the last awaited moment.
const SETTLE_MS: f64 = 1000.0;
/// A load that reached nothing by then is reported as such rather than waited for.
const LOAD_DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

#[derive(Clone, Copy)]
pub struct LoadPlan {
    /// Wait for Leadform's `leadform:ready` too (the widget taking over).
    pub awaits_takeover: bool,
    /// Refuse every `.wasm` request: what the form needs before the WebAssembly arrives.
    pub hold_back_wasm: bool,
}

/// What one load measured, in ms from navigation start.
#[derive(Debug, Clone)]
pub struct LoadFigures {
    pub visible_ms: Option<f64>,
    pub ready_ms: Option<f64>,
    pub interactive_ms: Option<f64>,
    pub layout_shift: f64,
    /// The shift from the widget taking the container over (`leadform:ready`) on: Leadform only.
    pub takeover_shift: Option<f64>,
    /// Leadform only: the height of the form in its container, in px (what a page reserves).
    pub form_height_px: Option<f64>,
    pub resources: Vec<Resource>,
}

/// A file the page fetched after its HTML.
#[derive(Debug, Clone)]
pub struct Resource {
    pub url: String,
    pub response_end_ms: f64,
}

pub async fn load(env: &E2eEnv, url: &str, plan: LoadPlan) -> Result<LoadFigures> {
    let browser = Browser::start(env).await?.quiet();
    let figures = measure(&browser, url, plan).await;
    // Close even after a failed measurement; the measurement's error is the one worth showing.
    let closed = browser.close().await;
    let figures = figures?;
    closed?;
    Ok(figures)
}

async fn measure(browser: &Browser, url: &str, plan: LoadPlan) -> Result<LoadFigures> {
    devtools::call(
        browser,
        "Emulation.setCPUThrottlingRate",
        json!({ "rate": CPU_SLOWDOWN }),
    )
    .await?;
    devtools::call(
        browser,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE }),
    )
    .await?;
    if plan.hold_back_wasm {
        devtools::call(browser, "Network.enable", json!({})).await?;
        devtools::call(
            browser,
            "Network.setBlockedURLs",
            json!({ "urls": ["*.wasm"] }),
        )
        .await?;
    }
    browser.goto(url).await?;

    let started = tokio::time::Instant::now();
    loop {
        let figures = read_figures(browser).await?;
        let awaited = if plan.awaits_takeover && !plan.hold_back_wasm {
            figures["interactive"].as_f64()
        } else {
            figures["ready"].as_f64()
        };
        let now = figures["now"].as_f64().unwrap_or(0.0);
        let settled = awaited.is_some_and(|at| now >= at + SETTLE_MS);
        if settled || started.elapsed() > LOAD_DEADLINE {
            return parse(&figures);
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn read_figures(browser: &Browser) -> Result<Value> {
    let script = r#"
const figures = window.__leadformBench || {};
const host = document.querySelector("[data-leadform]");
const shown = host && host.shadowRoot && host.shadowRoot.querySelector(".leadform-root");
const resources = performance.getEntriesByType("resource")
  .map((entry) => ({ url: entry.name, responseEnd: entry.responseEnd }));
return { visible: figures.visible, ready: figures.ready, interactive: figures.interactive,
         layoutShift: figures.layoutShift || 0, shifts: figures.shifts || [],
         formHeight: shown ? shown.getBoundingClientRect().height : null,
         now: performance.now(), resources };
"#;
    browser
        .client
        .execute(script, Vec::new())
        .await
        .context("reading the probe's figures from the page")
}

fn parse(figures: &Value) -> Result<LoadFigures> {
    let resources = figures["resources"]
        .as_array()
        .context("the page listed no resources")?
        .iter()
        .filter_map(|entry| {
            Some(Resource {
                url: entry["url"].as_str()?.to_string(),
                response_end_ms: entry["responseEnd"].as_f64()?,
            })
        })
        .collect();
    // The widget announces itself in the effect right after it swapped its form in; the frame
    // that shows the swap, and any shift it causes, comes after that moment.
    let takeover_shift = figures["interactive"].as_f64().map(|takeover| {
        figures["shifts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|shift| shift[0].as_f64().is_some_and(|at| at >= takeover))
            .filter_map(|shift| shift[1].as_f64())
            // An empty f64 sum is -0.0; printed, that reads like a negative shift.
            .fold(0.0, |total, value| total + value)
    });
    Ok(LoadFigures {
        takeover_shift,
        visible_ms: figures["visible"].as_f64(),
        ready_ms: figures["ready"].as_f64(),
        interactive_ms: figures["interactive"].as_f64(),
        layout_shift: figures["layoutShift"].as_f64().unwrap_or(0.0),
        form_height_px: figures["formHeight"].as_f64(),
        resources,
    })
}
