//! Loading form definitions (errors name the file and the field) and serving the built site.

mod support;

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
        "1 form(s) OK: contact-us\n"
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
    for (path, content_type, cross_origin) in [
        ("/leadform_widget_bg.wasm", "application/wasm", true),
        ("/leadform.js", "text/javascript; charset=utf-8", true),
        ("/leadform.css", "text/css; charset=utf-8", true),
        ("/", "text/html; charset=utf-8", false),
    ] {
        let response = handler
            .client
            .get(handler.url(path))
            .header("Origin", "https://www.other-site.test")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        // A page on another origin imports the glue and fetches the wasm in CORS mode.
        let allow_origin = response.headers().get("access-control-allow-origin");
        assert_eq!(
            allow_origin.map(|v| v.to_str().unwrap()),
            cross_origin.then_some("*"),
            "{path}"
        );
    }
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
