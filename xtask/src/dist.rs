//! `cargo xtask dist`: everything the browser downloads, in `dist/` (see docs/architecture.md).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::paths;
use crate::run::{self, cargo, cmd};
use crate::tools;

/// The wasm features wasm-opt may use: exactly rustc's defaults for wasm32-unknown-unknown,
/// which current browsers run. Not `--all-features`: with it, binaryen 132 rewrites the
/// imports into the unshipped "compact imports" encoding and Chromium refuses the module
/// ("Invalid import kind 127").
const WASM_FEATURES: [&str; 9] = [
    "--mvp-features",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-multivalue",
    "--enable-reference-types",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The `widget` profile (size-optimised, LTO) followed by `wasm-opt -Oz`.
    Release,
    /// The dev profile with debug info kept, and no wasm-opt: quick to build, readable traces.
    Debug,
}

impl Profile {
    pub fn from_debug_flag(debug: bool) -> Self {
        if debug {
            Profile::Debug
        } else {
            Profile::Release
        }
    }

    /// The folder under `target/wasm32-unknown-unknown/` that cargo writes to.
    fn target_subdir(self) -> &'static str {
        match self {
            Profile::Release => "widget",
            Profile::Debug => "debug",
        }
    }

    fn cargo_profile(self) -> &'static str {
        match self {
            Profile::Release => "widget",
            Profile::Debug => "dev",
        }
    }
}

/// Builds the site into `dist/` and returns the files written.
pub fn dist(profile: Profile) -> Result<Vec<PathBuf>> {
    run::header("dist: building the widget");
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    let wasm_opt = match profile {
        Profile::Release => Some(tools::ensure_wasm_opt()?),
        Profile::Debug => None,
    };

    let www = paths::www_dir();
    for file in ["leadform.js", "leadform.css"] {
        tools::require_file(&www.join(file), "the widget's part of the repo provides it")?;
    }

    run::run(cargo().args([
        "build",
        "-p",
        "leadform",
        "--lib",
        "--target",
        tools::WASM_TARGET,
        "--profile",
        profile.cargo_profile(),
    ]))?;
    let wasm = paths::target_dir()
        .join(tools::WASM_TARGET)
        .join(profile.target_subdir())
        .join("leadform.wasm");

    // Start from an empty dist/ so files deleted from www/ do not linger in the site.
    let dist = paths::dist_dir();
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("removing {}", dist.display()))?;
    }
    fs::create_dir_all(&dist)?;

    let mut bindgen = cmd("wasm-bindgen");
    bindgen
        .args(["--target", "web", "--no-typescript"])
        .args(["--out-name", "leadform_widget", "--out-dir"])
        .arg(&dist);
    if profile == Profile::Debug {
        bindgen.arg("--keep-debug");
    }
    run::run(bindgen.arg(&wasm))?;

    let bg_wasm = dist.join("leadform_widget_bg.wasm");
    if let Some(wasm_opt) = wasm_opt {
        run::run(
            cmd(wasm_opt)
                .arg("-Oz")
                .args(WASM_FEATURES)
                .arg(&bg_wasm)
                .arg("-o")
                .arg(&bg_wasm),
        )?;
    }

    for file in ["leadform.js", "leadform.css"] {
        fs::copy(www.join(file), dist.join(file)).with_context(|| format!("copying www/{file}"))?;
    }
    // The demo site: the landing page lives at the repo root, the other pages under www/demo/.
    copy_tree(&www.join("demo"), &dist)?;
    fs::copy(paths::root().join("index.html"), dist.join("index.html"))
        .context("copying index.html")?;

    crate::dist_cache::hash_widget_files(&dist)?;
    crate::dist_cache::precompress(&list_files(&dist)?)?;

    let files = list_files(&dist)?;
    println!("\nwrote {} files:", files.len());
    for file in &files {
        let bytes = fs::metadata(file)?.len();
        println!("  {:>9} bytes  {}", bytes, paths::display(file));
    }
    Ok(files)
}

/// Copies the contents of `from` into `to`, keeping subfolders.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&target)?;
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// All files under `dir`, sorted, for a stable listing.
fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_tree_keeps_subfolders() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        fs::create_dir_all(from.path().join("blog/2026")).unwrap();
        fs::write(from.path().join("contact.html"), "c").unwrap();
        fs::write(from.path().join("blog/2026/post.html"), "p").unwrap();

        copy_tree(from.path(), to.path()).unwrap();

        let files = list_files(to.path()).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.strip_prefix(to.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["blog/2026/post.html", "contact.html"]);
        assert_eq!(
            fs::read_to_string(to.path().join("blog/2026/post.html")).unwrap(),
            "p"
        );
    }
}
