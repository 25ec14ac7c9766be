//! What `dist` does for caching: content-hashed copies of the widget's files (served immutable),
//! the loader pointed at them, and brotli and gzip copies of every text file and the wasm, made
//! once here so the handler never compresses per request.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::compress;

/// The files the loader names, each given a content-hashed copy: `name.HASH.ext`.
const HASHED: [&str; 3] = [
    "leadform_widget.js",
    "leadform_widget_bg.wasm",
    "leadform.css",
];
/// The loader: its URL is in customers' pages, so it keeps its name and is revalidated.
const LOADER: &str = "leadform.js";
/// What gets `.br` and `.gz` copies.
const COMPRESSIBLE: [&str; 6] = ["js", "wasm", "css", "html", "svg", "json"];

/// Writes the hashed copies and points the loader at them; returns the hashed names.
pub fn hash_widget_files(dist: &Path) -> Result<Vec<String>> {
    let loader_path = dist.join(LOADER);
    let mut loader = fs::read_to_string(&loader_path).context("reading dist/leadform.js")?;
    let mut names = Vec::new();
    for name in HASHED {
        let bytes = fs::read(dist.join(name)).with_context(|| format!("reading dist/{name}"))?;
        let hashed = hashed_name(name, &bytes);
        fs::write(dist.join(&hashed), &bytes)?;
        let literal = format!("\"{name}\"");
        if !loader.contains(&literal) {
            bail!("www/leadform.js no longer names {literal}; dist cannot point it at {hashed}");
        }
        loader = loader.replace(&literal, &format!("\"{hashed}\""));
        names.push(hashed);
    }
    fs::write(&loader_path, loader)?;
    Ok(names)
}

/// `leadform_widget.js` → `leadform_widget.0123456789abcdef.js`.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = format!("{:016x}", fnv1a64(bytes));
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{hash}.{extension}"),
        None => format!("{name}.{hash}"),
    }
}

/// FNV-1a: a cache key, not a security boundary; 64 bits make an accidental clash negligible.
/// `crates/leadform-intake/build.rs` keeps its own copy for its ETags (see the reason there).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Writes `file.br` and `file.gz` next to every compressible file in `files`.
pub fn precompress(files: &[PathBuf]) -> Result<()> {
    for file in files {
        let compressible = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let bytes = fs::read(file)?;
        let with_suffix = |suffix: &str| {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        fs::write(with_suffix(".br"), compress::brotli(&bytes)?)?;
        fs::write(with_suffix(".gz"), compress::gzip(&bytes)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_follow_the_content() {
        let a = hashed_name("leadform_widget.js", b"one");
        let b = hashed_name("leadform_widget.js", b"two");
        assert_ne!(a, b);
        assert_eq!(a, hashed_name("leadform_widget.js", b"one"));
        assert!(a.starts_with("leadform_widget.") && a.ends_with(".js"));
        assert_eq!(a.len(), "leadform_widget..js".len() + 16);
    }

    #[test]
    fn the_loader_is_pointed_at_the_hashed_files_and_a_drift_is_an_error() {
        let dist = tempfile::tempdir().unwrap();
        for name in HASHED {
            fs::write(dist.path().join(name), name).unwrap();
        }
        fs::write(
            dist.path().join(LOADER),
            r#"var GLUE = "leadform_widget.js"; var WASM = "leadform_widget_bg.wasm"; var CSS = "leadform.css";"#,
        )
        .unwrap();
        let names = hash_widget_files(dist.path()).unwrap();
        let loader = fs::read_to_string(dist.path().join(LOADER)).unwrap();
        for name in &names {
            assert!(loader.contains(name.as_str()), "{loader}");
            assert!(dist.path().join(name).is_file());
        }

        fs::write(dist.path().join(LOADER), "var GLUE = 'renamed.js';").unwrap();
        let error = hash_widget_files(dist.path()).unwrap_err().to_string();
        assert!(error.contains("no longer names"), "{error}");
    }

    #[test]
    fn precompressed_copies_sit_next_to_text_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let js = dir.path().join("a.js");
        let pdf = dir.path().join("b.pdf");
        fs::write(&js, "let a = 1;".repeat(100)).unwrap();
        fs::write(&pdf, "%PDF").unwrap();
        precompress(&[js.clone(), pdf.clone()]).unwrap();
        assert!(dir.path().join("a.js.br").is_file());
        assert!(dir.path().join("a.js.gz").is_file());
        assert!(!dir.path().join("b.pdf.br").exists());
    }
}
