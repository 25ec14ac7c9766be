//! A handler with no browser files would hand visitors forms that never load: built without the
//! `embedded-site` feature, `serve` without `--public` refuses to start and says what to do.
#![cfg(not(feature = "embedded-site"))]

use crate::support;

#[tokio::test]
async fn serve_without_public_or_embedded_files_refuses_to_start_and_says_how() {
    let dir = tempfile::tempdir().unwrap();
    let forms = support::process::write_forms(dir.path(), &support::fixtures::all_forms());
    let db = dir.path().join("leads.db");
    let refused = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(&db)
        .args(["--addr", "127.0.0.1:0"])
        .arg("--assets")
        .arg(support::process::write_assets(dir.path()))
        .env(
            support::fixtures::HOOK_SECRET_VARIABLE,
            "site-required-secret",
        )
        .kill_on_drop(true)
        .output();
    // A serve that starts instead of refusing never exits; the limit turns that into a failure.
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), refused)
        .await
        .expect("serve refuses at once instead of starting")
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no browser files to serve")
            && stderr.contains("--public DIR")
            && stderr.contains("cargo xtask release"),
        "{stderr}"
    );
    assert!(!db.exists(), "refused before creating the database");

    // With --public it starts (an empty folder serves the API only).
    let public = support::process::empty_public_dir(dir.path());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(&db)
        .args(["--addr", "127.0.0.1:0", "--public"])
        .arg(&public)
        .arg("--assets")
        .arg(support::process::write_assets(dir.path()))
        .env(
            support::fixtures::HOOK_SECRET_VARIABLE,
            "site-required-secret",
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let first = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        tokio::io::BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next_line(),
    )
    .await
    .expect("a start-up line")
    .unwrap()
    .expect("serve started");
    assert!(
        first.starts_with("Leadform intake listening on "),
        "{first}"
    );
    child.kill().await.unwrap();
}
