//! Medians, bytes and the printed comparison of the side-by-side benchmark.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use super::probe::{LoadFigures, LoadPlan, Resource};
use crate::compress::brotli;

/// The targets (printed next to the figures, never asserted).
const READY_VS_REACT_TARGET: f64 = 0.7;
const READY_VS_PREACT_TARGET: f64 = 1.2;
const BEFORE_USABLE_TARGET_BYTES: usize = 12 * 1024;
const ALL_BYTES_TARGET_BYTES: usize = 85 * 1024;

pub struct Contender {
    pub name: &'static str,
    pub url: String,
    pub plan: LoadPlan,
    pub loads: Vec<LoadFigures>,
    /// Leadform only: one more load with every `.wasm` request refused.
    pub wasm_held_back: Option<LoadFigures>,
    /// Leadform only: one load of the page without the form's height reserved.
    pub unreserved: Option<LoadFigures>,
}

impl Contender {
    pub fn new(name: &'static str, url: String, plan: LoadPlan) -> Self {
        Contender {
            name,
            url,
            plan,
            loads: Vec::new(),
            wasm_held_back: None,
            unreserved: None,
        }
    }

    /// The first word of the name, for the progress line.
    pub fn short_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(self.name)
    }

    fn median(&self, pick: fn(&LoadFigures) -> Option<f64>) -> Median {
        let mut values: Vec<f64> = self.loads.iter().filter_map(pick).collect();
        values.sort_by(f64::total_cmp);
        Median {
            value: (!values.is_empty()).then(|| values[values.len() / 2]),
            reached: values.len(),
            of: self.loads.len(),
        }
    }
}

/// The median of the loads that reached a moment, and how many did.
struct Median {
    value: Option<f64>,
    reached: usize,
    of: usize,
}

impl std::fmt::Display for Median {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = ms(self.value);
        if self.reached < self.of {
            write!(f, "{text} ({}/{} loads)", self.reached, self.of)
        } else {
            f.write_str(&text)
        }
    }
}

fn is_wasm(url: &str) -> bool {
    url.split(['?', '#'])
        .next()
        .is_some_and(|path| path.ends_with(".wasm"))
}

pub fn ms(value: Option<f64>) -> String {
    match value {
        Some(ms) => format!("{ms:.0} ms"),
        None => "never".to_string(),
    }
}

/// Each file's brotli size (quality 11, as precompressed), by URL.
pub struct Sizes {
    brotli_by_url: BTreeMap<String, usize>,
}

impl Sizes {
    /// Every file the load fetched after its HTML, and their brotli total.
    fn all(&self, load: &LoadFigures) -> (usize, usize) {
        self.total(load, |_| true)
    }

    /// The files that had arrived by the time the form was ready. A refused request still has a
    /// timing entry; with the wasm held back, its URL is left out.
    fn before_ready(&self, load: &LoadFigures, wasm_refused: bool) -> Option<usize> {
        let ready = load.ready_ms?;
        let total = self.total(load, |resource| {
            resource.response_end_ms <= ready && !(wasm_refused && is_wasm(&resource.url))
        });
        Some(total.1)
    }

    fn total(&self, load: &LoadFigures, keep: impl Fn(&Resource) -> bool) -> (usize, usize) {
        let mut seen = std::collections::BTreeSet::new();
        let mut bytes = 0;
        for resource in &load.resources {
            if keep(resource) && seen.insert(resource.url.as_str()) {
                bytes += self.brotli_by_url.get(&resource.url).copied().unwrap_or(0);
            }
        }
        (seen.len(), bytes)
    }
}

/// Fetches every file any load fetched (GET, as the page did) and compresses it.
pub async fn sizes(contenders: &[Contender]) -> Result<Sizes> {
    let mut brotli_by_url = BTreeMap::new();
    let client = reqwest::Client::new();
    let loads = contenders
        .iter()
        .flat_map(|c| c.loads.iter().chain(c.wasm_held_back.iter()));
    for resource in loads.flat_map(|load| &load.resources) {
        if brotli_by_url.contains_key(&resource.url) {
            continue;
        }
        // Whatever came back is what the browser downloaded, an error page included.
        let body = client
            .get(&resource.url)
            .send()
            .await
            .with_context(|| format!("fetching {}", resource.url))?
            .bytes()
            .await?;
        brotli_by_url.insert(resource.url.clone(), brotli(&body)?.len());
    }
    Ok(Sizes { brotli_by_url })
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

pub fn print(contenders: &[Contender], sizes: &Sizes) {
    println!(
        "\n{:<28} {:>16} {:>16} {:>16} {:>8} {:>9} {:>10} {:>6} {:>18}",
        "",
        "visible",
        "ready",
        "interactive",
        "shift",
        "takeover",
        "all bytes",
        "files",
        "before usable"
    );
    for contender in contenders {
        let first = contender.loads.first();
        let (files, bytes) = first.map(|l| sizes.all(l)).unwrap_or((0, 0));
        let shift = contender.median(|l| Some(l.layout_shift)).value;
        let takeover_shift = contender
            .median(|l| l.takeover_shift)
            .value
            .map(|shift| format!("{shift:.4}"))
            .unwrap_or_else(|| "-".to_string());
        // Leadform's is measured with the wasm held back; a peer's is what came before its ready.
        let before_usable = match &contender.wasm_held_back {
            Some(held_back) => sizes.before_ready(held_back, true),
            None => first.and_then(|l| sizes.before_ready(l, false)),
        };
        // A peer is interactive the moment it is drawn: its script drew it.
        let interactive = if contender.plan.awaits_takeover {
            contender.median(|l| l.interactive_ms)
        } else {
            contender.median(|l| l.ready_ms)
        };
        println!(
            "{:<28} {:>16} {:>16} {:>16} {:>8.4} {:>9} {:>10} {:>6} {:>18}",
            contender.name,
            contender.median(|l| l.visible_ms).to_string(),
            contender.median(|l| l.ready_ms).to_string(),
            interactive.to_string(),
            shift.unwrap_or(0.0),
            takeover_shift,
            kb(bytes),
            files,
            before_usable
                .map(kb)
                .unwrap_or_else(|| "never usable".into()),
        );
    }
    println!("(ms from navigation start, medians; shift: all layout shift of the load, takeover: the part");
    println!(" after the form was ready; bytes after the page's HTML, each file brotli 11; \"before usable\"");
    println!(" for Leadform: the files that arrived before it was ready with every .wasm request refused)");

    let ready = |index: usize| {
        contenders
            .get(index)
            .and_then(|c| c.median(|l| l.ready_ms).value)
    };
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "n/a".to_string(),
    };
    println!("\nratios and the issue's targets (printed, never asserted):");
    println!(
        "  ready, Leadform / React + Formspree: {} (target <= {READY_VS_REACT_TARGET})",
        ratio(ready(0), ready(1))
    );
    println!(
        "  ready, Leadform / Preact:            {} (target <= {READY_VS_PREACT_TARGET})",
        ratio(ready(0), ready(2))
    );
    if let Some(leadform) = contenders.first() {
        let before = leadform
            .wasm_held_back
            .as_ref()
            .and_then(|l| sizes.before_ready(l, true));
        let all = leadform.loads.first().map(|l| sizes.all(l).1).unwrap_or(0);
        println!(
            "  Leadform bytes before usable:        {} (target <= {})",
            before
                .map(kb)
                .unwrap_or_else(|| "never usable without the wasm".into()),
            kb(BEFORE_USABLE_TARGET_BYTES)
        );
        println!(
            "  Leadform bytes in all:               {} (target <= {})",
            kb(all),
            kb(ALL_BYTES_TARGET_BYTES)
        );
        println!(
            "  Leadform takeover layout shift:      {} (target 0; the whole load: {:.4})",
            leadform
                .median(|l| l.takeover_shift)
                .value
                .map(|shift| format!("{shift:.4}"))
                .unwrap_or_else(|| "never taken over".to_string()),
            leadform
                .median(|l| Some(l.layout_shift))
                .value
                .unwrap_or(0.0)
        );
        if let Some(unreserved) = &leadform.unreserved {
            println!(
                "  Leadform whole-load shift with no height reserved (one load): {:.4}",
                unreserved.layout_shift
            );
        }
        if let Some(first) = leadform.loads.first() {
            println!("  Leadform's files:");
            let mut seen = std::collections::BTreeSet::new();
            for resource in &first.resources {
                if seen.insert(resource.url.as_str()) {
                    let bytes = sizes.brotli_by_url.get(&resource.url).copied().unwrap_or(0);
                    println!(
                        "    {:>9}  at {:>6.0} ms  {}",
                        kb(bytes),
                        resource.response_end_ms,
                        resource.url
                    );
                }
            }
        }
    }
}
