//! How the built site is cached and encoded: content-hashed files immutable, the loader
//! revalidated with an ETag, and the `.br`/`.gz` copies `cargo xtask dist` writes sent on request.

use crate::support;

use reqwest::StatusCode;
use support::{TestHandler, TestOptions};

const HASHED_GLUE: &str = "leadform_widget.0123456789abcdef.js";

async fn site() -> (tempfile::TempDir, TestHandler) {
    let public = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(public.path().join(name), bytes).unwrap();
    write("leadform.js", b"/* the loader */");
    write(HASHED_GLUE, b"export default 1;");
    write(&format!("{HASHED_GLUE}.br"), b"brotli bytes");
    write(&format!("{HASHED_GLUE}.gz"), b"gzip bytes");
    let handler = TestHandler::start_with(TestOptions {
        public_dir: Some(public.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    (public, handler)
}

#[tokio::test]
async fn content_hashed_files_are_immutable_and_sent_precompressed_when_asked() {
    let (_public, handler) = site().await;
    let url = handler.url(&format!("/{HASHED_GLUE}"));
    let brotli = handler
        .client
        .get(&url)
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(
        brotli.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(brotli.headers()["vary"], "accept-encoding");
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gzip = handler
        .client
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let plain = handler.client.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"export default 1;");
    handler.stop().await;
}

#[tokio::test]
async fn the_loader_is_revalidated_with_an_etag() {
    let (_public, handler) = site().await;
    let url = handler.url("/leadform.js");
    let first = handler.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");

    let again = handler
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    let stale = handler
        .client
        .get(&url)
        .header("If-None-Match", "W/\"another-version\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.unwrap().as_ref(), b"/* the loader */");
    handler.stop().await;
}
