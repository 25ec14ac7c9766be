//! The real `leadform-intake serve` process: start-up line, a lead over HTTP, graceful SIGTERM.

use crate::support;

use reqwest::StatusCode;
use std::process::Stdio;
use std::time::Duration;
use support::fixtures;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A "give up" limit only; start-up normally takes well under a second.
const DEADLINE: Duration = Duration::from_secs(60);

fn write_forms(dir: &std::path::Path) {
    for form in fixtures::all_forms() {
        let id = form["id"].as_str().unwrap();
        std::fs::write(dir.join(format!("{id}.json")), form.to_string()).unwrap();
    }
}

#[tokio::test]
async fn serve_prints_its_address_takes_leads_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir(&forms).unwrap();
    write_forms(&forms);
    let db = dir.path().join("leads.db");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(&forms)
        .arg("--db")
        .arg(&db)
        .args(["--addr", "127.0.0.1:0"])
        .arg("--public")
        .arg(support::process::empty_public_dir(dir.path()))
        // The fixture eBook's gated file lives in the private assets folder.
        .arg("--assets")
        .arg(support::process::write_assets(dir.path()))
        .env(
            leadform_intake::server_secret::SECRET_VARIABLE,
            support::process::SERVE_SECRET,
        )
        // The fixture contact form has a webhook; serve refuses to start without its secret.
        .env(fixtures::HOOK_SECRET_VARIABLE, "serve-binary-test-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(DEADLINE, lines.next_line())
        .await
        .expect("a start-up line")
        .unwrap()
        .expect("stdout open");
    let base_url = first
        .strip_prefix("Leadform intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base_url}/v1/leads"))
        .json(&{
            let mut body = fixtures::contact_lead("ada@example.com");
            body["form_token"] =
                support::process::form_token_from_five_seconds_ago("contact-us").into();
            body
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    let pid = child.id().expect("running").to_string();
    let kill = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("serve stops after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");

    let export = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("export")
        .arg("--db")
        .arg(&db)
        .args(["--format", "json"])
        .output()
        .await
        .unwrap();
    let leads: Vec<serde_json::Value> = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["fields"]["email"], "ada@example.com");
    assert_eq!(
        leads[0]["is_spam"], false,
        "a token from LEADFORM_SECRET verifies"
    );
}

#[tokio::test]
async fn serve_refuses_to_start_with_a_broken_form_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let mut form = fixtures::contact_form();
    form["fields"][2]["kind"] = serde_json::json!("telephone");
    std::fs::write(dir.path().join("contact-us.json"), form.to_string()).unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(dir.path())
        .arg("--db")
        .arg(dir.path().join("leads.db"))
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("contact-us.json: fields[2].kind: unknown variant `telephone`"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("leads.db").exists(),
        "nothing is created before the forms are valid"
    );
}

#[tokio::test]
async fn serve_refuses_a_public_url_that_is_not_an_http_origin_and_documents_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    write_forms(dir.path());
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .arg("serve")
        .arg("--forms")
        .arg(dir.path())
        .arg("--db")
        .arg(dir.path().join("leads.db"))
        .args(["--addr", "127.0.0.1:0"])
        .args(["--public-url", "https://forms.example.com/leads"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--public-url") && stderr.contains("without a path"),
        "{stderr}"
    );
    assert!(!dir.path().join("leads.db").exists());

    let help = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["serve", "--help"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--public-url <URL>"), "{help}");
    assert!(help.contains("Secure"), "{help}");
}

#[tokio::test]
async fn serve_refuses_to_start_without_a_webhook_secret_and_names_file_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    write_forms(dir.path());
    for (value, problem) in [(None, "is not set"), (Some(""), "is empty")] {
        let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"));
        serve
            .arg("serve")
            .arg("--forms")
            .arg(dir.path())
            .arg("--db")
            .arg(dir.path().join("leads.db"))
            .args(["--addr", "127.0.0.1:0"]);
        match value {
            Some(value) => serve.env(fixtures::HOOK_SECRET_VARIABLE, value),
            None => serve.env_remove(fixtures::HOOK_SECRET_VARIABLE),
        };
        let output = serve.output().await.unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = format!(
            "{}: destinations[0].secret_env: environment variable {} {problem}",
            dir.path().join("contact-us.json").display(),
            fixtures::HOOK_SECRET_VARIABLE
        );
        assert!(stderr.contains(&expected), "{stderr}");
        assert!(
            !dir.path().join("leads.db").exists(),
            "nothing is opened before the secrets are there"
        );
    }
}
