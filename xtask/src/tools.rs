//! The external tools the build needs. Each `ensure_*` checks first, installs what is
//! missing when it can (rustup, cargo install, npm, apt-get as root) and otherwise fails
//! with the exact command to run.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{bail, Context, Result};

use crate::paths;
use crate::run::{self, cargo, cmd};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// wasm-bindgen-cli must be exactly the version of the `wasm-bindgen` crate in Cargo.lock,
/// or the generated glue does not match the wasm. Used only when the lock has no entry yet.
const WASM_BINDGEN_FALLBACK_VERSION: &str = "0.2.130";

pub fn ensure_rust_components() -> Result<()> {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if !run::succeeds(run::cargo_program(), &[probe, "--version"]) {
            run::run(cmd("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

pub fn ensure_wasm_target() -> Result<()> {
    let installed = run::output(cmd("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm target")?;
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        run::run(cmd("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

/// Installs `wasm-bindgen` (and with it `wasm-bindgen-test-runner`) at the locked version.
pub fn ensure_wasm_bindgen() -> Result<()> {
    let lock = std::fs::read_to_string(paths::root().join("Cargo.lock")).unwrap_or_default();
    let wanted = locked_version(&lock, "wasm-bindgen")
        .unwrap_or_else(|| WASM_BINDGEN_FALLBACK_VERSION.to_string());
    let have = run::output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    let have_runner = run::succeeds("wasm-bindgen-test-runner", &["--version"]);
    if have.split_whitespace().nth(1) == Some(wanted.as_str()) && have_runner {
        return Ok(());
    }
    println!(
        "wasm-bindgen-cli {wanted} is needed (found: {}); installing, this takes a few minutes",
        have.trim()
    );
    run::run(cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))
}

/// The version of `package` recorded in a Cargo.lock, if it appears there exactly once.
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut versions = lock
        .split("[[package]]")
        .filter(|block| block.lines().any(|l| l.trim() == name_line))
        .filter_map(|block| {
            block.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("version = \"")
                    .and_then(|v| v.strip_suffix('"'))
                    .map(String::from)
            })
        });
    let first = versions.next()?;
    versions.next().is_none().then_some(first)
}

/// Path to `wasm-opt` from npm's `binaryen` (Debian's is too old for what rustc emits).
///
/// The version and its checksum are pinned by `xtask/tools/package.json` and its lock;
/// `npm ci` installs exactly that into the git-ignored `.tools/`.
pub fn ensure_wasm_opt() -> Result<PathBuf> {
    let pinned_dir = paths::root().join("xtask/tools");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pinned_dir.join("package.json"))?)
            .context("parsing xtask/tools/package.json")?;
    let wanted = manifest["dependencies"]["binaryen"]
        .as_str()
        .context("xtask/tools/package.json pins no binaryen version")?;

    let tools = paths::tools_dir();
    let wasm_opt = tools.join("node_modules/.bin/wasm-opt");
    if installed_npm_version(&tools, "binaryen").as_deref() == Some(wanted)
        && run::succeeds(&wasm_opt, &["--version"])
    {
        return Ok(wasm_opt);
    }
    npm_ci(&pinned_dir, &tools)?;
    run::output(cmd(&wasm_opt).arg("--version"))
        .with_context(|| format!("{} does not run after npm ci", wasm_opt.display()))?;
    Ok(wasm_opt)
}

/// Path to axe-core's `axe.min.js` (npm `axe-core`, pinned in `xtask/tools/`), which the
/// console's browser tests inject into each page to check its accessibility.
pub fn ensure_axe_core() -> Result<PathBuf> {
    let pinned_dir = paths::root().join("xtask/tools");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pinned_dir.join("package.json"))?)
            .context("parsing xtask/tools/package.json")?;
    let wanted = manifest["dependencies"]["axe-core"]
        .as_str()
        .context("xtask/tools/package.json pins no axe-core version")?;
    let tools = paths::tools_dir();
    let script = tools.join("node_modules/axe-core/axe.min.js");
    if installed_npm_version(&tools, "axe-core").as_deref() == Some(wanted) && script.is_file() {
        return Ok(script);
    }
    npm_ci(&pinned_dir, &tools)?;
    require_file(&script, "npm's axe-core (xtask/tools/package.json)")?;
    Ok(script)
}

/// Installs the npm packages pinned by `xtask/tools/{set}/package.json` and its lock into the
/// git-ignored `.tools/{set}/` (once: skipped while every pinned version is there) and returns
/// that folder. Used for the benchmark's peer forms, which `dist` and `test` never need.
pub fn ensure_npm_packages(set: &str) -> Result<PathBuf> {
    let pinned_dir = paths::root().join("xtask/tools").join(set);
    let manifest_path = pinned_dir.join("package.json");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", paths::display(&manifest_path)))?,
    )
    .with_context(|| format!("parsing {}", paths::display(&manifest_path)))?;
    let pinned = manifest["dependencies"]
        .as_object()
        .with_context(|| format!("{} has no dependencies", paths::display(&manifest_path)))?;

    let prefix = paths::tools_dir().join(set);
    let installed = pinned.iter().all(|(package, version)| {
        installed_npm_version(&prefix, package).as_deref() == version.as_str()
    });
    if installed {
        return Ok(prefix);
    }
    npm_ci(&pinned_dir, &prefix)?;
    Ok(prefix)
}

/// Installs exactly what `pinned_dir`'s package.json and lock pin into `prefix` with `npm ci`
/// (installing Debian's npm first when there is none). Every npm tool xtask uses comes this way.
fn npm_ci(pinned_dir: &Path, prefix: &Path) -> Result<()> {
    if !run::succeeds("npm", &["--version"]) {
        apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(prefix)?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(pinned_dir.join(file), prefix.join(file)).with_context(|| {
            format!(
                "copying {} to {}",
                paths::display(&pinned_dir.join(file)),
                paths::display(prefix)
            )
        })?;
    }
    run::run(
        cmd("npm")
            .current_dir(prefix)
            .args(["ci", "--no-audit", "--no-fund"]),
    )
}

/// The version of an npm package installed under `prefix`, from its package.json.
fn installed_npm_version(prefix: &Path, package: &str) -> Option<String> {
    let path = prefix
        .join("node_modules")
        .join(package)
        .join("package.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    manifest["version"].as_str().map(String::from)
}

/// Chromium and the matching chromedriver, as Debian packages them.
pub struct Chromium {
    pub browser: PathBuf,
    pub driver: PathBuf,
}

/// `CHROMIUM` / `CHROMEDRIVER` override the Debian paths, for machines that have them elsewhere.
pub fn ensure_chromium() -> Result<Chromium> {
    let browser = env_path("CHROMIUM", "/usr/bin/chromium");
    let driver = env_path("CHROMEDRIVER", "/usr/bin/chromedriver");
    if !browser.exists() || !driver.exists() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    for path in [&browser, &driver] {
        if !path.exists() {
            bail!(
                "{} is still missing after installing chromium",
                path.display()
            );
        }
    }
    Ok(Chromium { browser, driver })
}

/// libfaketime, preloaded into the handler by the scoring test that walks ten faked weeks.
pub const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

pub fn ensure_faketime() -> Result<()> {
    if !Path::new(LIBFAKETIME).exists() {
        apt_install(&["faketime"])?;
    }
    if !Path::new(LIBFAKETIME).exists() {
        bail!("{LIBFAKETIME} is still missing after installing faketime");
    }
    Ok(())
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Installs Debian packages when running as root; otherwise says exactly what to run.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let list = packages.join(" ");
    if !is_root() {
        bail!("missing system packages; install them with:\n  sudo apt-get update && sudo apt-get install -y {list}");
    }
    // The package lists of a fresh machine are empty: update once per xtask run.
    static UPDATE: Once = Once::new();
    let mut update_result = Ok(());
    UPDATE.call_once(|| update_result = run::run(apt().arg("update")));
    update_result?;
    run::run(
        apt()
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages),
    )
}

fn apt() -> std::process::Command {
    let mut apt = cmd("apt-get");
    // CI has no stdin: never let a package ask a question.
    apt.env("DEBIAN_FRONTEND", "noninteractive");
    apt
}

pub fn is_root() -> bool {
    run::output(std::process::Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// Fails with a clear message when a file the build depends on is missing.
pub fn require_file(path: &Path, who_provides: &str) -> Result<()> {
    if !path.is_file() {
        bail!("{} is missing ({who_provides})", paths::display(path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.130"

[[package]]
name = "syn"
version = "1.0.109"

[[package]]
name = "syn"
version = "2.0.100"
"#;

    #[test]
    fn finds_the_exact_package_only() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(LOCK, "wasm-bindgen-cli"), None);
    }

    #[test]
    fn refuses_to_guess_between_two_versions() {
        assert_eq!(locked_version(LOCK, "syn"), None);
    }
}
