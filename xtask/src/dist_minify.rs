//! What `dist` does for bytes on the wire: the loader, the wasm-bindgen glue and the stylesheet
//! minified by esbuild (pinned in `xtask/tools/`). The sources stay readable in `www/`; only
//! `dist/` holds the minified copies. The loader's and the glue's JS come before the form is
//! usable, so every byte cut here is a byte the first paint no longer waits for (measured on
//! 2026-11-29, brotli 11: loader 3,007 → 1,561, glue 7,440 → 5,529).

use std::path::Path;

use anyhow::Result;

use crate::run::{self, cmd};

/// The files minified in place, and how esbuild reads each: the loader is a classic script,
/// the glue an ES module (its exports are the names the loader calls); the stylesheet goes by
/// its extension, with no target, so no rule is rewritten for older browsers.
const MINIFIED: [(&str, &[&str]); 3] = [
    // es2017: the loader must still parse on the older browsers it sends to the fallback.
    ("leadform.js", &["--target=es2017"]),
    ("leadform_widget.js", &["--format=esm", "--target=es2020"]),
    ("leadform.css", &[]),
];

/// Minifies the widget's text files in `dist` in place (before they are hashed and compressed).
pub fn minify(dist: &Path, esbuild: &Path) -> Result<()> {
    for (name, flags) in MINIFIED {
        let file = dist.join(name);
        run::run(
            cmd(esbuild)
                .arg(&file)
                .arg("--minify")
                // Keep the licence and `@preserve` comments of what we ship; drop the rest.
                .arg("--legal-comments=inline")
                .args(flags)
                .arg("--allow-overwrite")
                .arg(format!("--outfile={}", file.display())),
        )?;
    }
    Ok(())
}
