//! Where things are. Every path is absolute so commands work from any working directory.

use std::path::{Path, PathBuf};

/// The workspace root: xtask lives one level below it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent directory")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (cargo honours it, so must we),
/// else the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir()
                    .expect("current directory is readable")
                    .join(dir)
            }
        }
        _ => root().join("target"),
    }
}

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

pub fn www_dir() -> PathBuf {
    root().join("www")
}

pub fn forms_dir() -> PathBuf {
    root().join("forms")
}

/// The demo's private gated files (`serve --assets`), outside the public `dist/`.
pub fn assets_dir() -> PathBuf {
    root().join("assets")
}

/// Repo-local, git-ignored installs (the npm `binaryen` package).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// `path` relative to the workspace root when it is inside it, for shorter messages.
pub fn display(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
