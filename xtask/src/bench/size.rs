//! Bench (1): the bytes a browser downloads to show the first form, raw and compressed.

use std::path::Path;

use anyhow::{Context, Result};

use crate::compress::{brotli, gzip};
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
    let mut tables = Vec::new();
    for code in CATALOGUE_LOCALES {
        let url = format!("{}{path}?locale={code}", handler.base_url());
        let table = catalogue_table(&runtime.block_on(fetch(&url))?)?;
        tables.push(Sizes::measure(&format!("{code} catalogue table"), &table)?);
    }
    drop(handler);

    print_table(&rows);
    print_catalogues(&rows, &tables);
    Ok(())
}

/// The languages the widget no longer compiles in (issue 12): the handler sends their table.
const CATALOGUE_LOCALES: [&str; 4] = ["de", "fr", "es", "ar"];

/// The `catalogue` field of a definition answer, as JSON bytes.
fn catalogue_table(definition: &[u8]) -> Result<Vec<u8>> {
    let definition: serde_json::Value = serde_json::from_slice(definition)?;
    let table = definition
        .get("catalogue")
        .context("a non-English definition carries no catalogue table")?;
    Ok(serde_json::to_vec(table)?)
}

/// The widget's wasm without the catalogues (what ships) and with the largest table a visitor
/// is sent (compressed on its own, so an upper bound: inside the answer it shares a stream).
fn print_catalogues(rows: &[Sizes], tables: &[Sizes]) {
    let Some(wasm) = rows
        .iter()
        .find(|row| row.name == "leadform_widget_bg.wasm")
    else {
        return;
    };
    let Some(largest) = tables.iter().max_by_key(|table| table.brotli) else {
        return;
    };
    println!();
    for table in tables {
        println!(
            "{:<22}  {:>10}  {:>10}  {:>10}",
            table.name, table.raw, table.gzip, table.brotli
        );
    }
    println!(
        "widget wasm without the catalogues (ships): {} bytes brotli; with the largest table ({}): {}",
        wasm.brotli,
        largest.name,
        wasm.brotli + largest.brotli
    );
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
