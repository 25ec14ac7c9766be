//! Loading form definitions (errors name the file and the field) and serving the built site.

use crate::support;

use leadform_intake::forms::FormRegistry;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use support::fixtures;
use support::{TestHandler, TestOptions};

fn write_form(dir: &Path, file: &str, form: &Value) {
    std::fs::write(dir.join(file), serde_json::to_string_pretty(form).unwrap()).unwrap();
}

fn load_error(files: &[(&str, Value)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (file, form) in files {
        write_form(dir.path(), file, form);
    }
    let error = FormRegistry::load_dir(dir.path()).expect_err("the folder holds a broken form");
    let message = error.to_string();
    // Paths are printed relative to the folder given, so strip the temp dir for comparison.
    message.replace(&format!("{}/", dir.path().display()), "forms/")
}

#[test]
fn a_select_without_options_names_the_file_and_the_field() {
    let mut form = fixtures::ebook_form();
    form["fields"][4]["options"] = json!([]);
    assert_eq!(
        load_error(&[
            ("contact-us.json", fixtures::contact_form()),
            ("ebook.json", form)
        ]),
        "forms/ebook.json: fields[4].options: a select needs at least one option"
    );
}

#[test]
fn an_unknown_key_names_the_file_and_where_it_is() {
    let mut form = fixtures::contact_form();
    form["fields"][1]["requried"] = json!(true);
    let message = load_error(&[("contact-us.json", form)]);
    assert!(
        message.starts_with("forms/contact-us.json: fields[1].requried: unknown field `requried`"),
        "{message}"
    );
}

#[test]
fn a_wrong_type_and_broken_json_name_the_file() {
    let mut form = fixtures::contact_form();
    form["min_fill_seconds"] = json!("three");
    let message = load_error(&[("contact-us.json", form)]);
    assert!(
        message.starts_with("forms/contact-us.json: min_fill_seconds: invalid type"),
        "{message}"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.json"), "{ \"id\": ").unwrap();
    let message = FormRegistry::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        message.contains("broken.json: ") && message.contains("EOF while parsing"),
        "{message}"
    );
}

#[test]
fn the_file_name_must_be_the_form_id() {
    let message = load_error(&[("contact.json", fixtures::contact_form())]);
    assert_eq!(
        message,
        "forms/contact.json: id: the form id is `contact-us`, so the file must be named `contact-us.json`"
    );
}

#[test]
fn an_empty_folder_is_refused_and_the_repo_demo_forms_load() {
    let dir = tempfile::tempdir().unwrap();
    let message = FormRegistry::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        message.ends_with("no form definitions (*.json) in this folder"),
        "{message}"
    );

    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
    let registry = FormRegistry::load_dir(&demo).expect("the demo's forms are valid");
    assert!(registry.get("contact-us").is_some());
}

#[test]
fn check_command_reports_the_broken_file_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut form = fixtures::contact_form();
    form["allowed_origins"] = json!(["https://www.example.com/path"]);
    write_form(dir.path(), "contact-us.json", &form);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["check", "--forms"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("contact-us.json: allowed_origins:"),
        "{stderr}"
    );

    write_form(dir.path(), "contact-us.json", &fixtures::contact_form());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["check", "--forms"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1 form(s) OK: contact-us\nscoring OK: the default scoring rules (no scoring.json)\n"
    );
}

#[test]
fn check_refuses_a_destination_that_would_send_no_email() {
    let dir = tempfile::tempdir().unwrap();
    let mut form = fixtures::contact_form();
    form["destinations"] = json!([
        {"kind": "hubspot", "portal_id": "123456", "form_guid": "g", "field_map": {"email": null}}
    ]);
    write_form(dir.path(), "contact-us.json", &form);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(["check", "--forms"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "contact-us.json: destinations[0].field_map: this hubspot destination would send no email"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn static_files_are_served_with_the_right_content_types() {
    let public = tempfile::tempdir().unwrap();
    std::fs::write(
        public.path().join("leadform_widget_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(public.path().join("leadform.js"), "export {};").unwrap();
    std::fs::write(public.path().join("leadform.css"), ":host{}").unwrap();
    std::fs::write(
        public.path().join("index.html"),
        "<!doctype html><title>Demo</title>",
    )
    .unwrap();
    let handler = TestHandler::start_with(TestOptions {
        public_dir: Some(public.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    let other_site = "https://www.other-site.test";
    for (path, content_type, allowed) in [
        ("/leadform_widget_bg.wasm", "application/wasm", Some("*")),
        ("/leadform.js", "text/javascript; charset=utf-8", Some("*")),
        // Fetched with credentials by the loader: it names the origin.
        ("/leadform.css", "text/css; charset=utf-8", Some(other_site)),
        ("/", "text/html; charset=utf-8", None),
    ] {
        let response = handler
            .client
            .get(handler.url(path))
            .header("Origin", other_site)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        // A page on another origin imports the glue and fetches the wasm in CORS mode.
        let allow_origin = response.headers().get("access-control-allow-origin");
        assert_eq!(allow_origin.map(|v| v.to_str().unwrap()), allowed, "{path}");
        let credentials = response
            .headers()
            .get("access-control-allow-credentials")
            .map(|v| v.to_str().unwrap());
        let named = allowed.is_some_and(|allowed| allowed != "*");
        assert_eq!(credentials, named.then_some("true"), "{path}");
        if named {
            let vary = response.headers()["vary"].to_str().unwrap();
            assert!(vary.contains("origin"), "{path}: vary {vary}");
        }
    }
    // Without an Origin (a `<link>`, a crawler) a stylesheet is for everyone, and still varies by
    // Origin, so a shared cache never hands that copy to the loader's credentialed fetch.
    let plain = handler
        .client
        .get(handler.url("/leadform.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()["access-control-allow-origin"], "*");
    assert!(plain
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    assert_eq!(plain.headers()["vary"], "accept-encoding, origin");
    // A revalidation answers 304 with the same CORS headers as the copy it keeps fresh.
    let tag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let revalidated = handler
        .client
        .get(handler.url("/leadform.css"))
        .header("Origin", other_site)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        revalidated.headers()["access-control-allow-origin"],
        other_site
    );
    assert_eq!(
        revalidated.headers()["access-control-allow-credentials"],
        "true"
    );
    assert_eq!(revalidated.headers()["vary"], "accept-encoding, origin");
    let wasm = handler
        .client
        .get(handler.url("/leadform_widget_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");
    let missing = handler
        .client
        .get(handler.url("/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The API still wins over the static folder.
    let form = handler
        .client
        .get(handler.url("/v1/forms/contact-us"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
}

/// `/healthz` answers while the process runs; `/readyz` only while the database answers and holds
/// every migration this binary carries, so a load balancer skips an instance that cannot store.
#[tokio::test]
async fn healthz_and_readyz_tell_a_load_balancer_whether_leads_can_be_stored() {
    for backend in support::backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
            let response = handler.client.get(handler.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()["cache-control"], "no-store");
            assert_eq!(response.text().await.unwrap(), body);
        }

        // A schema older than the binary: one migration is missing.
        let latest: i64 = match backend {
            support::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", handler.db))
                    .await
                    .unwrap();
                let latest = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
                    .bind(latest)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                latest
            }
            support::Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&handler.db).await.unwrap();
                let latest = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
                    .bind(latest)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                latest
            }
        };
        assert!(latest > 1);
        let response = handler
            .client
            .get(handler.url("/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = response.text().await.unwrap();
        assert!(body.starts_with("not ready: "), "{body}");
        assert!(body.contains("schema migrations are applied"), "{body}");

        // The database is gone: still alive, not ready.
        handler.store.close().await;
        let response = handler
            .client
            .get(handler.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let response = handler
            .client
            .get(handler.url("/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response
            .text()
            .await
            .unwrap()
            .starts_with("not ready: the database does not answer"));
        handler.stop().await;
    }
}

/// `GET /metrics` speaks the Prometheus text format: submissions by outcome, request latency by
/// route pattern (never the concrete path), and the outbox read from the database.
#[tokio::test]
async fn metrics_count_submissions_by_outcome_and_report_the_outbox() {
    let handler = TestHandler::start().await;
    let accepted = fixtures::contact_lead("ada@example.com");
    assert_eq!(
        handler.post_lead(&accepted).await.status(),
        StatusCode::CREATED
    );
    let mut invalid = fixtures::contact_lead("not-an-email");
    invalid["submission_id"] = json!(fixtures::new_submission_id());
    assert_eq!(
        handler.post_lead(&invalid).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = handler
        .client
        .get(handler.url("/v1/forms/no-such-form"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = handler
        .client
        .get(handler.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    for line in [
        "leadform_lead_submissions_total{channel=\"api\",outcome=\"accepted\"} 1",
        "leadform_lead_submissions_total{channel=\"api\",outcome=\"invalid_fields\"} 1",
        "leadform_http_request_duration_seconds_count{route=\"/v1/leads\",method=\"POST\",status=\"2xx\"} 1",
        "leadform_http_request_duration_seconds_count{route=\"/v1/forms/{id}\",method=\"GET\",status=\"4xx\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    // The contact form's destinations queued one delivery each; none has gone out yet or it has.
    assert!(
        text.contains("leadform_outbox_deliveries{state=\""),
        "{text}"
    );
    assert!(text.contains("# TYPE leadform_outbox_oldest_pending_age_seconds gauge"));
    assert!(
        !text.contains("no-such-form"),
        "a concrete path leaked into a label"
    );
    assert!(!text.contains("ada@example.com"));
    assert!(
        !text.contains("/unreachable"),
        "a webhook's URL path (often its secret) leaked into a label:\n{text}"
    );
    handler.stop().await;
}
