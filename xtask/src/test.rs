//! `cargo xtask test`: every check CI runs, cheapest first, stopping at the first failure.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::dist::{self, Profile};
use crate::intake;
use crate::paths;
use crate::run::{self, cargo};
use crate::tools;

/// The PostgreSQL store's tests in leadform-intake run when this names a database.
const POSTGRES_URL_VAR: &str = "LEADFORM_TEST_POSTGRES_URL";

pub fn test() -> Result<()> {
    step("a", "formatting and module cycles", || {
        tools::ensure_rust_components()?;
        run::run(cargo().args(["fmt", "--all", "--", "--check"]))
            .context("the formatting differs; `cargo fmt --all` fixes it")?;
        // A fraction of a second: no module may import a module that imports it (issue 8).
        let script = paths::root().join("xtask/scripts/module_cycles.py");
        run::run(run::cmd("python3").arg(script).arg(paths::root()))
            .context("a module imports a module that imports it; the lines above name them")
    })?;
    step("b", "lints", || {
        run::run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("c", "native tests", || {
        tools::ensure_faketime()?;
        match postgres_url() {
            Some(url) => println!(
                "{POSTGRES_URL_VAR}={}: the PostgreSQL store is tested too",
                run::redact_password(&url)
            ),
            None => {
                println!("{POSTGRES_URL_VAR} is not set: the PostgreSQL store's tests will skip")
            }
        }
        run::run(cargo().args(["test", "--workspace", "--exclude", "leadform-e2e"]))
    })?;
    step("d", "the widget's browser tests", browser_tests)?;
    step("e", "end-to-end tests", e2e_tests)?;
    step("f", "PostgreSQL", || {
        match postgres_url() {
            Some(url) => println!(
                "PostgreSQL tests ran in step (c) against {}",
                run::redact_password(&url)
            ),
            None => println!("PostgreSQL tests skipped: {POSTGRES_URL_VAR} is not set"),
        }
        Ok(())
    })?;
    println!("\nall checks passed");
    Ok(())
}

/// Runs one step under a header and names it in the error if it fails. The time taken
/// is printed to keep an eye on CI's 90-minute budget; it is never judged.
fn step(id: &str, title: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
    run::header(&format!("({id}) {title}"));
    let started = Instant::now();
    body().with_context(|| format!("step ({id}) {title} failed"))?;
    println!("({id}) {title}: done in {:.0?}", started.elapsed());
    Ok(())
}

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|v| !v.is_empty())
}

fn browser_tests() -> Result<()> {
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    let chromium = tools::ensure_chromium()?;
    // wasm-bindgen-test-runner reads the Chromium flags from here; without
    // --disable-background-networking Chromium hangs on a closed network.
    let webdriver_json = paths::root().join("webdriver.json");
    tools::require_file(
        &webdriver_json,
        "it holds the Chromium flags for the widget's browser tests",
    )?;
    let mut test = cargo();
    test.args(["test", "--target", tools::WASM_TARGET, "-p", "leadform"])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", &chromium.driver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json);
    // The runner's defaults (20 s per test, a few seconds for chromedriver to start) are
    // tight on a shared 2-core machine; these are ceilings, not expectations.
    for (var, seconds) in [
        ("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        ("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60"),
    ] {
        if std::env::var_os(var).is_none() {
            test.env(var, seconds);
        }
    }
    run::run(&mut test)
}

fn e2e_tests() -> Result<()> {
    let chromium = tools::ensure_chromium()?;
    let axe = tools::ensure_axe_core()?;
    dist::dist(Profile::Release)?;
    run::header("(e) the browser files built into the handler, served like --public");
    run::run(
        cargo()
            .args([
                "test",
                "-p",
                "leadform-intake",
                "--features",
                "embedded-site",
            ])
            .args(["--test", "embedded_site"])
            .env(crate::release::EMBED_DIST_VAR, paths::dist_dir()),
    )?;
    run::header("(e) building the handler");
    // The dev profile: step (c) already compiled its dependencies that way.
    let bin = intake::build(false)?;
    let forms = paths::forms_dir();
    require_dir(&forms)?;
    run::header("(e) running the end-to-end tests");
    run::run(
        cargo()
            .args(["test", "-p", "leadform-e2e", "--", "--test-threads=1"])
            .env("LEADFORM_INTAKE_BIN", &bin)
            .env("LEADFORM_DIST", paths::dist_dir())
            .env("LEADFORM_FORMS", &forms)
            .env("LEADFORM_ASSETS", paths::assets_dir())
            .env("CHROMEDRIVER", &chromium.driver)
            .env("CHROMIUM", &chromium.browser)
            .env("LEADFORM_AXE", &axe),
    )
}

fn require_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is missing: the demo's form definitions live there",
            paths::display(dir)
        );
    }
    Ok(())
}
