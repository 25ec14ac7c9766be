//! With the `embedded-site` feature, builds the widget's browser files from `dist/` into the binary
//! (issue 13 §6: one binary to deploy). Without it, embeds nothing, so a plain `cargo build` on a
//! fresh clone needs no wasm toolchain and no `dist/`.
//!
//! Writes `$OUT_DIR/embedded_site.rs`: one `EmbeddedFile` per widget file (the loader, the glue,
//! the wasm, the stylesheet and their content-hashed copies), each with its `.br` and `.gz`
//! copies. The demo pages are left out: a production handler serves the widget, not Brightchart.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// Where `cargo xtask dist` writes; `LEADFORM_EMBED_DIST` points elsewhere.
const DIST_VARIABLE: &str = "LEADFORM_EMBED_DIST";
/// The files the loader needs; without any of them the embedded site could not start a form.
const REQUIRED: [&str; 4] = [
    "leadform.js",
    "leadform_widget.js",
    "leadform_widget_bg.wasm",
    "leadform.css",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={DIST_VARIABLE}");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let generated = if env::var_os("CARGO_FEATURE_EMBEDDED_SITE").is_some() {
        let dist = dist_dir();
        println!("cargo:rerun-if-changed={}", dist.display());
        // The tests compare the embedded copy with the same folder served by `--public`.
        println!("cargo:rustc-env=LEADFORM_EMBEDDED_FROM={}", dist.display());
        embed(&dist)
    } else {
        "pub static FILES: &[EmbeddedFile] = &[];\n".to_owned()
    };
    fs::write(out.join("embedded_site.rs"), generated).expect("write embedded_site.rs");
}

fn dist_dir() -> PathBuf {
    match env::var_os(DIST_VARIABLE) {
        Some(dir) => PathBuf::from(dir),
        None => {
            Path::new(&env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../../dist")
        }
    }
}

fn embed(dist: &Path) -> String {
    for name in REQUIRED {
        if !dist.join(name).is_file() {
            panic!(
                "the `embedded-site` feature builds the browser files into the binary, but {} has no \
                 {name}: run `cargo xtask dist` first (or `cargo xtask release`, which does both), or \
                 set {DIST_VARIABLE} to a folder `cargo xtask dist` wrote",
                dist.display()
            );
        }
    }
    let dist = fs::canonicalize(dist).expect("canonicalize the dist folder");
    let mut names: Vec<String> = fs::read_dir(&dist)
        .expect("read the dist folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| is_widget_file(name))
        .collect();
    names.sort();
    let mut generated = String::from("pub static FILES: &[EmbeddedFile] = &[\n");
    for name in names {
        let path = dist.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = fs::read(&path).expect("read a dist file");
        let copy = |suffix: &str| {
            let compressed = dist.join(format!("{name}{suffix}"));
            println!("cargo:rerun-if-changed={}", compressed.display());
            if compressed.is_file() {
                format!(
                    "Some(include_bytes!({:?}))",
                    compressed.display().to_string()
                )
            } else {
                "None".to_owned()
            }
        };
        let _ = writeln!(
            generated,
            "    EmbeddedFile {{ path: {:?}, tag: \"{:016x}\", identity: include_bytes!({:?}), \
             brotli: {}, gzip: {} }},",
            format!("/{name}"),
            fnv1a64(&bytes),
            path.display().to_string(),
            copy(".br"),
            copy(".gz"),
        );
    }
    generated.push_str("];\n");
    generated
}

/// `leadform.js`, `leadform.css`, `leadform_widget.js`, `leadform_widget_bg.wasm` and their
/// `name.HASH.ext` copies; not the precompressed copies (they ride along) or the demo pages.
fn is_widget_file(name: &str) -> bool {
    name.starts_with("leadform")
        && [".js", ".wasm", ".css"]
            .iter()
            .any(|extension| name.ends_with(extension))
}

/// FNV-1a, as `cargo xtask dist` names files: a cache validator, not a security boundary.
/// A copy of `xtask/src/dist_cache.rs`'s on purpose: nothing needs the two to agree (this is an
/// ETag), and seven lines are cheaper than a build-dependency crate every handler build compiles.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
