//! The paths the tests need, from the environment `cargo xtask test` sets.

use std::io::Write;
use std::path::PathBuf;

const VARS: [&str; 5] = [
    "LEADFORM_INTAKE_BIN",
    "LEADFORM_DIST",
    "LEADFORM_FORMS",
    "CHROMEDRIVER",
    "CHROMIUM",
];

#[derive(Debug, Clone)]
pub struct E2eEnv {
    pub intake_bin: PathBuf,
    pub dist: PathBuf,
    pub forms: PathBuf,
    /// The private gated files (`serve --assets`): `LEADFORM_ASSETS`, else `assets/` beside the
    /// forms folder, as in the repository.
    pub assets: PathBuf,
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

impl E2eEnv {
    /// The environment, or `None` after telling the reader that `test` is skipped and why.
    ///
    /// A plain `cargo test --workspace` has none of these set; it should pass, not fail,
    /// since the real run is `cargo xtask test`.
    pub fn from_env(test: &str) -> Option<Self> {
        let values: Vec<Option<PathBuf>> = VARS
            .iter()
            .map(|var| {
                std::env::var_os(var)
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .collect();
        let missing: Vec<&str> = VARS
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_none())
            .map(|(var, _)| *var)
            .collect();
        if !missing.is_empty() {
            // In CI a skip would pass silently with nothing tested; there it is a failure.
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: {} not set in CI; the end-to-end tests run through `cargo xtask test`",
                missing.join(", ")
            );
            // Straight to stderr: the test harness captures `eprintln!` of passing tests,
            // and a skip should be visible.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: {} not set (run the end-to-end tests with `cargo xtask test`)",
                missing.join(", ")
            );
            return None;
        }
        let mut values = values.into_iter().map(Option::unwrap);
        let mut next = || values.next().expect("one value per variable");
        let (intake_bin, dist, forms) = (next(), next(), next());
        let assets = std::env::var_os("LEADFORM_ASSETS")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| forms.parent().unwrap_or(&forms).join("assets"));
        Some(E2eEnv {
            intake_bin,
            dist,
            forms,
            assets,
            chromedriver: next(),
            chromium: next(),
        })
    }
}
