//! The peer forms: the same Contact Us form built with React + `@formspree/react` and with
//! Preact, bundled by esbuild from npm packages pinned in `xtask/tools/peers/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::paths;
use crate::run::{self, cmd};
use crate::tools;

/// One peer: its source in `xtask/peers/`, and the esbuild flags its README gives.
pub struct Peer {
    pub label: &'static str,
    pub source: &'static str,
    pub bundle: &'static str,
    /// Where the benchmark's host site serves the bundle.
    pub path: &'static str,
    flags: &'static [&'static str],
}

pub const REACT: Peer = Peer {
    label: "React + @formspree/react",
    source: "react-formspree.jsx",
    bundle: "react-formspree.js",
    path: "/react-formspree.js",
    flags: &[
        "--define:process.env.NODE_ENV=\"production\"",
        "--jsx=automatic",
    ],
};

pub const PREACT: Peer = Peer {
    label: "Preact",
    source: "preact-plain.jsx",
    bundle: "preact-plain.js",
    path: "/preact-plain.js",
    flags: &["--jsx-factory=h"],
};

/// Installs the pinned packages and bundles both peers; returns the folder holding the bundles.
pub fn build() -> Result<PathBuf> {
    run::header("bench: bundling the peer forms with esbuild");
    let prefix = tools::ensure_npm_packages("peers")?;
    // esbuild resolves imports from the source's folder upwards: the sources go next to
    // node_modules rather than teaching it another search path.
    let sources = prefix.join("src");
    let out = prefix.join("out");
    fs::create_dir_all(&sources)?;
    fs::create_dir_all(&out)?;
    let esbuild = prefix.join("node_modules/.bin/esbuild");
    for peer in [REACT, PREACT] {
        let source = sources.join(peer.source);
        fs::copy(peers_dir().join(peer.source), &source)
            .with_context(|| format!("copying xtask/peers/{}", peer.source))?;
        run::run(
            cmd(&esbuild)
                .arg(&source)
                .args(["--bundle", "--minify", "--format=iife", "--target=es2020"])
                .args(peer.flags)
                .arg(outfile(&out, peer.bundle)),
        )?;
    }
    Ok(out)
}

fn outfile(out: &Path, bundle: &str) -> String {
    format!("--outfile={}", out.join(bundle).display())
}

fn peers_dir() -> PathBuf {
    paths::root().join("xtask/peers")
}
