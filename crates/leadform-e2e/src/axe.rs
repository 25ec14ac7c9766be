//! axe-core (`LEADFORM_AXE`: its `axe.min.js`, installed by `cargo xtask test`) on the open page,
//! the widgets' open shadow roots included.

use anyhow::{ensure, Context, Result};

use crate::Browser;

/// The axe-core script, or `None` outside `cargo xtask test` (the test then reports itself
/// skipped, naming `test`). In CI a missing `LEADFORM_AXE` fails instead of skipping.
pub fn axe_script(test: &str) -> Result<Option<String>> {
    let Some(path) = std::env::var_os("LEADFORM_AXE").filter(|v| !v.is_empty()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "LEADFORM_AXE not set in CI; run the end-to-end tests with `cargo xtask test`"
        );
        eprintln!("SKIPPED {test}: LEADFORM_AXE not set (run `cargo xtask test`)");
        return Ok(None);
    };
    let script = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.to_string_lossy()))?;
    Ok(Some(script))
}

/// Runs `axe` (the script [`axe_script`] read) on the open page; fails with every violation
/// named, with where it is, under `state` (which page or state of it).
pub async fn assert_accessible(browser: &Browser, axe: &str, state: &str) -> Result<()> {
    // WebDriver scripts run outside the page's CSP, so axe can be injected into a page that
    // allows no scripts of its own.
    browser.client.execute(axe, Vec::new()).await?;
    let violations = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help
                    + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            Vec::new(),
        )
        .await?;
    let violations: Vec<String> = serde_json::from_value(violations)?;
    ensure!(
        violations.is_empty(),
        "axe-core, {state}:\n{}",
        violations.join("\n")
    );
    Ok(())
}
