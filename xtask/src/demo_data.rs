//! The `leadform-demo` binary: the demo's seed data and the overview benchmark's leads.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::paths;
use crate::run::{self, cargo, cmd};

/// `cargo build --release -p leadform-demo`, returning the binary's path.
pub fn build() -> Result<PathBuf> {
    run::run(cargo().args(["build", "--release", "-p", "leadform-demo"]))?;
    Ok(paths::target_dir()
        .join("release")
        .join(format!("leadform-demo{}", std::env::consts::EXE_SUFFIX)))
}

/// Fills `db` with the demo's leads if it holds none yet (it never touches a database with leads).
pub fn seed(bin: &Path, db: &str) -> Result<()> {
    let forms = paths::forms_dir();
    run::run(cmd(bin).args(["seed", "--db", db, "--forms"]).arg(&forms))
}
