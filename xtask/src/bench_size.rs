//! Bench (1): the bytes a browser downloads to show the first form, raw and compressed.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::intake::{Handler, ServeOptions};
use crate::paths;
use crate::run;

/// What the browser fetches, in order, for a page with one form (docs/architecture.md).
const DIST_FILES: [&str; 4] = [
    "leadform.js",
    "leadform_widget.js",
    "leadform_widget_bg.wasm",
    "leadform.css",
];
const FORM_ID: &str = "contact-us";

pub fn run(runtime: &tokio::runtime::Runtime, bin: &Path) -> Result<()> {
    run::header("bench (1): bytes downloaded for the first form");
    let dist = paths::dist_dir();
    let mut rows = Vec::new();
    for file in DIST_FILES {
        let bytes =
            std::fs::read(dist.join(file)).with_context(|| format!("reading dist/{file}"))?;
        rows.push(Sizes::measure(file, &bytes)?);
    }

    let scratch = tempfile::tempdir()?;
    let db = scratch.path().join("size.db");
    let handler = Handler::start(ServeOptions {
        bin,
        forms: &paths::forms_dir(),
        db: &db.to_string_lossy(),
        public: Some(&dist),
        assets: &paths::assets_dir(),
        log: &scratch.path().join("handler.log"),
        env: Vec::new(),
    })?;
    let path = format!("/v1/forms/{FORM_ID}");
    let definition = runtime.block_on(fetch(&format!("{}{path}", handler.base_url())))?;
    rows.push(Sizes::measure(&format!("GET {path}"), &definition)?);
    drop(handler);

    print_table(&rows);
    Ok(())
}

async fn fetch(url: &str) -> Result<Vec<u8>> {
    let response = reqwest::get(url).await?.error_for_status()?;
    Ok(response.bytes().await?.to_vec())
}

struct Sizes {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl Sizes {
    fn measure(name: &str, bytes: &[u8]) -> Result<Self> {
        Ok(Sizes {
            name: name.to_string(),
            raw: bytes.len(),
            gzip: gzip(bytes)?.len(),
            brotli: brotli(bytes)?.len(),
        })
    }
}

fn print_table(rows: &[Sizes]) {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(5);
    println!(
        "{:<width$}  {:>10}  {:>10}  {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for row in rows {
        println!(
            "{:<width$}  {:>10}  {:>10}  {:>10}",
            row.name, row.raw, row.gzip, row.brotli
        );
    }
    let sum = |f: fn(&Sizes) -> usize| rows.iter().map(f).sum::<usize>();
    println!(
        "{:<width$}  {:>10}  {:>10}  {:>10}",
        "total",
        sum(|r| r.raw),
        sum(|r| r.gzip),
        sum(|r| r.brotli)
    );
    println!("(bytes; each file compressed on its own, as a server would send it)");
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    // Quality 11 with a 4 MiB window (lgwin 22): what static pre-compression uses.
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    encoder.write_all(bytes)?;
    Ok(encoder.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compressed_sizes_are_complete_streams() {
        let text = "leadform ".repeat(1000);
        let gz = gzip(text.as_bytes()).unwrap();
        let br = brotli(text.as_bytes()).unwrap();
        assert!(
            gz.len() < text.len() / 10,
            "gzip should shrink repetitive text"
        );
        assert!(
            br.len() < text.len() / 10,
            "brotli should shrink repetitive text"
        );

        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, text);
        let mut unbrotlied = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut unbrotlied)
            .unwrap();
        assert_eq!(unbrotlied, text);
    }
}
