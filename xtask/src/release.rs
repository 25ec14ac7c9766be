//! `cargo xtask release`: the one binary to deploy (issue 13 §6). Builds `dist/`, then the handler
//! with the `embedded-site` feature, which builds dist's widget files into it, so
//! `leadform-intake serve --forms … --db …` serves the widget with no `--public`.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::dist::{self, Profile};
use crate::paths;
use crate::run::{self, cargo};

/// The variable `crates/leadform-intake/build.rs` reads the folder to embed from.
pub const EMBED_DIST_VAR: &str = "LEADFORM_EMBED_DIST";

pub fn release() -> Result<PathBuf> {
    dist::dist(Profile::Release)?;
    run::header("release: the handler with the browser files built in");
    run::run(
        cargo()
            .args([
                "build",
                "--release",
                "-p",
                "leadform-intake",
                "--features",
                "embedded-site",
            ])
            .env(EMBED_DIST_VAR, paths::dist_dir()),
    )?;
    let bin = paths::target_dir()
        .join("release")
        .join(format!("leadform-intake{}", std::env::consts::EXE_SUFFIX));
    let bytes = fs::metadata(&bin)
        .with_context(|| format!("reading {}", bin.display()))?
        .len();
    println!(
        "\nthe one binary: {} ({:.1} MB); copy it alone to the server:\n  {} serve --forms DIR --db FILE_OR_URL",
        paths::display(&bin),
        bytes as f64 / 1_000_000.0,
        paths::display(&bin),
    );
    Ok(bin)
}
