//! `serve --admin-addr` (issue 13 §6): readiness and metrics move to the admin address only, so
//! they need not be public; `/healthz` answers on both; without it, all three stay on the main
//! address. The real binary over real HTTP, with the flag and with `LEADFORM_ADMIN_ADDR`.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::fixtures;
use support::process::{empty_public_dir, write_assets, write_forms, SERVE_SECRET};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running `serve` and the addresses it printed.
struct Served {
    child: Child,
    main: String,
    admin: Option<String>,
}

/// Starts `serve` with `extra` arguments and environment; reads its start-up lines.
async fn serve(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Served {
    let forms = write_forms(dir, &fixtures::all_forms());
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(dir.join("leads.db"))
        .args(["--addr", "127.0.0.1:0"])
        .arg("--public")
        .arg(empty_public_dir(dir))
        .arg("--assets")
        .arg(write_assets(dir))
        .args(extra)
        .env(
            leadform_intake::server_secret::SECRET_VARIABLE,
            SERVE_SECRET,
        )
        .env(fixtures::HOOK_SECRET_VARIABLE, "admin-addr-test-secret")
        .env_remove("LEADFORM_ADMIN_ADDR")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = next_line(&mut lines).await.expect("serve started");
    let main = first
        .strip_prefix("Leadform intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let expects_admin =
        extra.contains(&"--admin-addr") || env.iter().any(|(k, _)| *k == "LEADFORM_ADMIN_ADDR");
    let admin = if expects_admin {
        let second = next_line(&mut lines).await.expect("the admin address line");
        let rest = second
            .strip_prefix("Readiness and metrics on ")
            .unwrap_or_else(|| panic!("unexpected second line: {second}"));
        Some(rest.split(' ').next().unwrap().to_owned())
    } else {
        None
    };
    Served { child, main, admin }
}

async fn next_line(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("a start-up line")
        .unwrap()
}

async fn status(client: &reqwest::Client, url: String) -> StatusCode {
    client.get(url).send().await.unwrap().status()
}

#[tokio::test]
async fn without_admin_addr_readiness_and_metrics_stay_on_the_main_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(dir.path(), &[], &[]).await;
    assert_eq!(served.admin, None);
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            status(&client, format!("{}{path}", served.main)).await,
            StatusCode::OK,
            "{path}"
        );
    }
    served.child.kill().await.unwrap();
}

/// Checks one handler started with an admin address, however it was given.
async fn check_admin_split(served: &Served) {
    let admin = served.admin.clone().expect("an admin address");
    assert_ne!(admin, served.main);
    let client = reqwest::Client::new();
    let main = |path: &str| format!("{}{path}", served.main);
    let on_admin = |path: &str| format!("{admin}{path}");

    assert_eq!(status(&client, main("/healthz")).await, StatusCode::OK);
    for path in ["/readyz", "/metrics"] {
        assert_eq!(
            status(&client, main(path)).await,
            StatusCode::NOT_FOUND,
            "{path} is not public once --admin-addr is given"
        );
    }
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            status(&client, on_admin(path)).await,
            StatusCode::OK,
            "{path} on the admin address"
        );
    }
    // The admin address is not a second public API.
    for path in ["/v1/forms/contact-us", "/leadform.js", "/console/"] {
        assert_eq!(
            status(&client, on_admin(path)).await,
            StatusCode::NOT_FOUND,
            "{path} on the admin address"
        );
    }
    let ready = client.get(on_admin("/readyz")).send().await.unwrap();
    assert_eq!(ready.text().await.unwrap(), "ready\n");

    // The admin address reports what the main one served: one spam lead (no form token).
    let lead = client
        .post(main("/v1/leads"))
        .json(&json!(fixtures::contact_lead("ada@example.com")))
        .send()
        .await
        .unwrap();
    assert_eq!(lead.status(), StatusCode::CREATED);
    let metrics = client
        .get(on_admin("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let submissions: Vec<&str> = metrics
        .lines()
        .filter(|line| line.starts_with("leadform_lead_submissions_total{"))
        .collect();
    assert!(
        submissions
            .iter()
            .any(|line| line.contains("channel=\"api\"") && line.ends_with(" 1")),
        "{metrics}"
    );
}

#[tokio::test]
async fn admin_addr_moves_readiness_and_metrics_off_the_main_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(dir.path(), &["--admin-addr", "127.0.0.1:0"], &[]).await;
    check_admin_split(&served).await;
    served.child.kill().await.unwrap();
}

#[tokio::test]
async fn the_admin_address_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(dir.path(), &[], &[("LEADFORM_ADMIN_ADDR", "127.0.0.1:0")]).await;
    check_admin_split(&served).await;
    served.child.kill().await.unwrap();
}

#[tokio::test]
async fn a_taken_admin_address_stops_start_up_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().map(|addr| (addr, taken)).unwrap();
    let forms = write_forms(dir.path(), &fixtures::all_forms());
    let output = Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(dir.path().join("leads.db"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--admin-addr",
            &taken.0.to_string(),
        ])
        .arg("--public")
        .arg(empty_public_dir(dir.path()))
        .arg("--assets")
        .arg(write_assets(dir.path()))
        .env(fixtures::HOOK_SECRET_VARIABLE, "admin-addr-test-secret")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {}", taken.0)),
        "{stderr}"
    );
    let help = Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["serve", "--help"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--admin-addr <ADDR>") && help.contains("LEADFORM_ADMIN_ADDR"),
        "{help}"
    );
}
