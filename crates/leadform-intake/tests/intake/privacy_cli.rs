//! `forget --email` and `export --email`, run as the real binary on a database the real server
//! filled, on SQLite and PostgreSQL.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use support::fixtures::{contact_lead, ebook_lead};
use support::process::{run_cli, CliOutput};
use support::{backends, TestHandler, TestOptions};

#[tokio::test]
async fn export_email_gives_everything_about_one_person_and_forget_erases_it() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        for body in [
            ebook_lead("ada@example.com"),
            contact_lead("bob@example.com"),
            contact_lead("ADA@Example.com"),
        ] {
            assert_eq!(handler.post_lead(&body).await.status(), StatusCode::CREATED);
        }

        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&["export", "--db", &handler.db, "--email", " Ada@example.COM"]).await;
        assert!(ok, "{backend:?}: {stderr}");
        let record: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(record["email"], "ada@example.com");
        assert_eq!(record["person"]["email"], "ada@example.com");
        let leads = record["leads"].as_array().unwrap();
        assert_eq!(leads.len(), 2, "{backend:?}: {stdout}");
        assert_eq!(leads[0]["form_id"], "ebook");
        assert_eq!(leads[0]["lead"]["fields"]["company"], "Analytical Engines");
        assert_eq!(
            leads[0]["lead"]["hidden"]["campaign_id"],
            "701Hs00000EbookQ4A"
        );
        assert_eq!(
            leads[0]["lead"]["page_url"],
            "http://www.example.test:8000/contact.html"
        );
        assert!(leads[0]["client_ip"].is_string(), "{stdout}");
        assert_eq!(leads[1]["form_id"], "contact-us");
        // Each submission came from a new browser, so each left a prefill profile.
        assert_eq!(record["profiles"].as_array().unwrap().len(), 2, "{stdout}");
        assert_eq!(
            record["profiles"][0]["profile"]["values"]["first_name"],
            "Ada"
        );
        let deliveries = record["deliveries"].as_array().unwrap();
        assert_eq!(deliveries.len(), 1, "the contact form's webhook: {stdout}");
        assert_eq!(deliveries[0]["lead_id"], leads[1]["id"]);
        assert!(!stdout.contains("bob@example.com"), "{stdout}");

        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&[
            "export",
            "--db",
            &handler.db,
            "--email",
            "ada@example.com",
            "--format",
            "csv",
        ])
        .await;
        assert!(ok, "{stderr}");
        assert_eq!(
            stdout.lines().count(),
            3,
            "a header and Ada's two leads: {stdout}"
        );

        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&["forget", "--db", &handler.db, "--email", "ADA@EXAMPLE.COM"]).await;
        assert!(ok, "{backend:?}: {stderr}");
        assert_eq!(
            stdout,
            "erased 2 lead(s) of ada@example.com: 1 person record(s), 2 visitor profile(s) \
             deleted, 1 undelivered delivery(ies) cancelled\n"
        );

        // The export shows the tombstones: when, and no values.
        let CliOutput {
            success: ok,
            stdout,
            ..
        } = run_cli(&["export", "--db", &handler.db, "--format", "json"]).await;
        assert!(ok);
        let all: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        assert_eq!(all.len(), 3, "tombstones stay: {stdout}");
        for erased in [&all[0], &all[2]] {
            assert!(erased["erased_at"].is_string(), "{backend:?}: {erased}");
            assert_eq!(erased["email"], Value::Null);
            assert_eq!(erased["fields"], serde_json::json!({}));
            assert_eq!(erased["attribution"], Value::Null);
            assert_eq!(erased["page_url"], "");
            assert_eq!(erased["person_id"], all[0]["person_id"]);
        }
        assert_eq!(all[1]["email"], "bob@example.com");
        assert_eq!(all[1]["erased_at"], Value::Null);
        assert!(
            !stdout.to_lowercase().contains("ada@example.com"),
            "{stdout}"
        );
        let CliOutput { stdout: csv, .. } = run_cli(&["export", "--db", &handler.db]).await;
        assert!(!csv.to_lowercase().contains("ada@example.com"), "{csv}");
        assert!(
            csv.lines().next().unwrap().contains("\"erased_at\""),
            "{csv}"
        );

        let CliOutput { stdout: outbox, .. } =
            run_cli(&["outbox", "list", "--db", &handler.db]).await;
        assert!(
            outbox.contains("cancelled: the lead was erased at"),
            "{outbox}"
        );
        // An operator replaying dead deliveries cannot send an erased lead again.
        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&["outbox", "retry", "--db", &handler.db, "--dead"]).await;
        assert!(ok, "{stderr}");
        assert_eq!(stdout, "0 dead deliveries are pending again\n");
        let cancelled = handler
            .store
            .list_deliveries(leadform_store::DeliveryFilter::Status(
                leadform_store::DeliveryStatus::Dead,
            ))
            .await
            .unwrap();
        assert_eq!(cancelled.len(), 1, "{cancelled:?}");
        let id = cancelled[0].id.to_string();
        let CliOutput {
            success: ok,
            stderr,
            ..
        } = run_cli(&["outbox", "retry", "--db", &handler.db, &id]).await;
        assert!(!ok);
        assert!(
            stderr.contains("cancelled because its lead was erased"),
            "{stderr}"
        );

        // Nothing is left under that address, and the commands say so with a failing status.
        for args in [
            vec!["forget", "--db", &handler.db, "--email", "ada@example.com"],
            vec!["export", "--db", &handler.db, "--email", "ada@example.com"],
            vec![
                "forget",
                "--db",
                &handler.db,
                "--email",
                "nobody@example.com",
            ],
        ] {
            let CliOutput {
                success: ok,
                stdout,
                stderr,
            } = run_cli(&args).await;
            assert!(!ok, "{args:?}: {stdout}");
            assert!(
                stderr.contains("nothing is stored for"),
                "{args:?}: {stderr}"
            );
        }
        handler.stop().await;
    }
}

#[tokio::test]
async fn an_access_request_can_name_the_consent_wording_of_each_lead() {
    let handler = TestHandler::start().await;
    let mut newsletter = support::fixtures::lead(
        "newsletter",
        serde_json::json!({ "email": "ada@example.com" }),
    );
    newsletter["consent"] = serde_json::json!(true);
    assert_eq!(
        handler.post_lead(&newsletter).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        handler
            .post_lead(&contact_lead("ada@example.com"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let forms = handler.dir.path().join("forms").display().to_string();
    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&[
        "export",
        "--db",
        &handler.db,
        "--email",
        "ada@example.com",
        "--forms",
        &forms,
    ])
    .await;
    assert!(ok, "{stderr}");
    let record: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(record["leads"][0]["lead"]["consent"], true);
    assert_eq!(
        record["leads"][0]["consent_text"],
        "Remember me on this device."
    );
    assert_eq!(
        record["leads"][1]["consent_text"],
        Value::Null,
        "no consent box"
    );

    // Without the folder the record is the store's alone.
    let CliOutput {
        success: ok,
        stdout,
        ..
    } = run_cli(&["export", "--db", &handler.db, "--email", "ada@example.com"]).await;
    assert!(ok);
    assert!(!stdout.contains("consent_text"), "{stdout}");
    let CliOutput {
        success: ok,
        stderr,
        ..
    } = run_cli(&["export", "--db", &handler.db, "--forms", &forms]).await;
    assert!(!ok, "--forms without --email means nothing");
    assert!(stderr.contains("--email"), "{stderr}");
    handler.stop().await;
}
