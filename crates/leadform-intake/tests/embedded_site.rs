//! The one binary (issue 13 §6): built with `--features embedded-site` (`cargo xtask release`),
//! `serve` without `--public` serves dist's widget files from inside the binary, with exactly the
//! headers `--public dist` gives them. Runs only with the feature: `cargo xtask test` runs it after
//! `cargo xtask dist`, with `LEADFORM_EMBED_DIST` naming that folder.
#![cfg(feature = "embedded-site")]

// Its own binary (the feature rebuilds the crate); it shares the intake binary's support module.
#[path = "intake/support/mod.rs"]
#[allow(dead_code)]
mod support;

use leadform_intake::http::embedded_site::FILES;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use support::{TestHandler, TestOptions};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The folder `build.rs` embedded, served by the other handler as `--public`.
fn embedded_from() -> PathBuf {
    PathBuf::from(env!("LEADFORM_EMBEDDED_FROM"))
}

/// What a browser and a CDN act on; both handlers must send the same.
const COMPARED: [&str; 7] = [
    "content-type",
    "cache-control",
    "content-encoding",
    "content-length",
    "vary",
    "access-control-allow-origin",
    "x-content-type-options",
];

const ACCEPT_ENCODINGS: [Option<&str>; 6] = [
    None,
    Some("gzip, deflate, br, zstd"),
    Some("gzip"),
    Some("br;q=0.5, gzip"),
    Some("br;q=0, gzip;q=0"),
    Some("identity"),
];

fn compared(headers: &HeaderMap) -> Vec<(&'static str, Option<String>)> {
    COMPARED
        .iter()
        .map(|name| {
            let value = headers
                .get(*name)
                .map(|value| value.to_str().unwrap().to_owned());
            (*name, value)
        })
        .collect()
}

#[tokio::test]
async fn embedded_files_are_served_as_public_dist_serves_them() {
    assert!(
        FILES.iter().any(|file| file.path == "/leadform.js")
            && FILES.iter().any(|file| file.path.ends_with(".wasm"))
            && FILES.iter().any(|file| file.path.ends_with(".css")),
        "the loader, the wasm and the stylesheet are embedded"
    );
    let embedded = TestHandler::start().await;
    let public = TestHandler::start_with(TestOptions {
        public_dir: Some(embedded_from()),
        ..Default::default()
    })
    .await;
    let mut hashed = 0;
    for file in FILES {
        if leadform_intake::http::static_files::is_content_hashed(file.path) {
            hashed += 1;
        }
        for accept in ACCEPT_ENCODINGS {
            let get = |handler: &TestHandler| {
                let mut request = handler.client.get(handler.url(file.path));
                if let Some(accept) = accept {
                    request = request.header("Accept-Encoding", accept);
                }
                request.send()
            };
            let (ours, theirs) = (get(&embedded).await.unwrap(), get(&public).await.unwrap());
            let context = format!("{} with Accept-Encoding {accept:?}", file.path);
            assert_eq!(ours.status(), StatusCode::OK, "{context}");
            assert_eq!(theirs.status(), StatusCode::OK, "{context}");
            assert_eq!(
                compared(ours.headers()),
                compared(theirs.headers()),
                "{context}"
            );
            let etag = ours.headers()["etag"].to_str().unwrap().to_owned();
            assert!(theirs.headers().contains_key("etag"), "{context}");
            assert_eq!(
                ours.bytes().await.unwrap(),
                theirs.bytes().await.unwrap(),
                "{context}: the same bytes"
            );
            // Revalidation: the tag it gave comes back as a 304 with the same caching.
            let mut again = embedded
                .client
                .get(embedded.url(file.path))
                .header("If-None-Match", &etag);
            if let Some(accept) = accept {
                again = again.header("Accept-Encoding", accept);
            }
            let again = again.send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{context}");
            assert_eq!(again.headers()["etag"], etag.as_str(), "{context}");
        }
    }
    assert!(hashed >= 3, "the glue, wasm and stylesheet's hashed copies");

    // Each encoding has its own tag, so a cache never hands gzip bytes to a brotli request.
    let tag = |accept: &'static str| {
        let request = embedded
            .client
            .get(embedded.url("/leadform.js"))
            .header("Accept-Encoding", accept);
        async move { request.send().await.unwrap().headers()["etag"].clone() }
    };
    assert_ne!(tag("br").await, tag("gzip").await);

    // The demo pages are not part of the binary; the API still is.
    for path in ["/", "/index.html", "/contact.html"] {
        let answer = embedded
            .client
            .get(embedded.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let form = embedded
        .client
        .get(embedded.url("/v1/forms/contact-us"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    embedded.stop().await;
    public.stop().await;
}

#[tokio::test]
async fn serve_without_public_serves_the_widget_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let forms = support::process::write_forms(dir.path(), &support::fixtures::all_forms());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(dir.path().join("leads.db"))
        .args(["--addr", "127.0.0.1:0"])
        .arg("--assets")
        .arg(support::process::write_assets(dir.path()))
        .env(support::fixtures::HOOK_SECRET_VARIABLE, "one-binary-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let first = tokio::time::timeout(
        Duration::from_secs(60),
        BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next_line(),
    )
    .await
    .expect("a start-up line")
    .unwrap()
    .expect("serve started");
    let base_url = first
        .strip_prefix("Leadform intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let client = reqwest::Client::new();
    let loader = client
        .get(format!("{base_url}/leadform.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(loader.status(), StatusCode::OK);
    assert_eq!(loader.headers()["cache-control"], "no-cache");
    let loader = loader.text().await.unwrap();
    let expected = std::fs::read_to_string(embedded_from().join("leadform.js")).unwrap();
    assert_eq!(loader, expected);
    let wasm = FILES
        .iter()
        .find(|file| {
            file.path.ends_with(".wasm")
                && leadform_intake::http::static_files::is_content_hashed(file.path)
        })
        .expect("a hashed wasm");
    let answer = client
        .get(format!("{base_url}{}", wasm.path))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/wasm");
    assert_eq!(
        answer.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        loader.contains(wasm.path.trim_start_matches('/')),
        "the loader points at the embedded hashed wasm"
    );
    child.kill().await.unwrap();
}
