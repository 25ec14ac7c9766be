//! `leadform-intake export` and `outbox list|retry`, run as the real binary on a database that the
//! real server filled.

use crate::support;

use leadform_store::DeliveryStatus;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::{contact_lead, ebook_lead};
use support::process::{run_cli, CliOutput};
use support::{backends, TestHandler, TestOptions};

#[tokio::test]
async fn export_links_leads_with_the_same_email_to_one_person() {
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
        } = run_cli(&["export", "--db", &handler.db, "--format", "json"]).await;
        assert!(ok, "{stderr}");
        let leads: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        assert_eq!(leads.len(), 3);
        let (ada1, bob, ada2) = (&leads[0], &leads[1], &leads[2]);
        assert_eq!(ada1["person_id"], ada2["person_id"], "{backend:?}");
        assert_ne!(ada1["person_id"], bob["person_id"]);
        assert_eq!(ada1["first_for_person"], true);
        assert_eq!(ada2["first_for_person"], false);
        assert_eq!(bob["first_for_person"], true);
        assert_eq!(ada1["intent"], "content_download");
        assert_eq!(ada2["intent"], "contact_request");
        assert_eq!(
            ada2["fields"]["email"], "ADA@Example.com",
            "values unchanged in JSON"
        );
        assert_eq!(ada1["lead_source"], "Content Download");
        assert_eq!(ada1["campaign_id"], "701Hs00000EbookQ4A");
        handler.stop().await;
    }
}

#[tokio::test]
async fn csv_export_neutralises_formulas_and_quotes_properly() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    body["fields"]["first_name"] = json!("=HYPERLINK(\"http://x\")");
    body["fields"]["phone"] = json!("+1 415 555 0100");
    body["fields"]["message"] = json!("line one\nline \"two\", with comma");
    body["attribution"] =
        json!({ "first_touch": { "utm_source": "@SUM(A1)", "utm_medium": "-cpc" } });
    assert_eq!(handler.post_lead(&body).await.status(), StatusCode::CREATED);

    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&["export", "--db", &handler.db, "--format", "csv"]).await;
    assert!(ok, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let cell = |name: &str| {
        let index = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {header:?}"));
        rows[0][index].to_owned()
    };
    assert_eq!(
        &header[..11],
        [
            "id",
            "received_at",
            "form_id",
            "submission_id",
            "intent",
            "person_id",
            "first_for_person",
            "is_spam",
            "lead_source",
            "campaign_id",
            "email"
        ]
    );
    assert_eq!(cell("first_name"), "'=HYPERLINK(\"http://x\")");
    assert_eq!(cell("phone"), "'+1 415 555 0100");
    assert_eq!(cell("message"), "line one\nline \"two\", with comma");
    assert_eq!(cell("first_touch_utm_source"), "'@SUM(A1)");
    assert_eq!(cell("first_touch_utm_medium"), "'-cpc");
    assert_eq!(
        cell("field_email"),
        "ada@example.com",
        "a field named like a lead column is prefixed"
    );
    assert_eq!(cell("email"), "ada@example.com");
    assert_eq!(cell("form_variant"), "test-v1");
    assert_eq!(header.last().map(String::as_str), Some("referrer"));

    // JSON keeps the values as typed.
    let CliOutput {
        stdout: json_out, ..
    } = run_cli(&["export", "--db", &handler.db, "--format", "json"]).await;
    let leads: Vec<Value> = serde_json::from_str(&json_out).unwrap();
    assert_eq!(leads[0]["fields"]["first_name"], "=HYPERLINK(\"http://x\")");
}

/// Issue 7, item 4: a spreadsheet that splits on `;` ran the formula after it, because the cell
/// was written unquoted.
#[tokio::test]
async fn csv_export_quotes_every_cell_so_a_semicolon_cannot_start_a_formula() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    body["page_url"] = json!("https://a.example/;=cmd|' /C calc'!A0");
    assert_eq!(handler.post_lead(&body).await.status(), StatusCode::CREATED);

    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&["export", "--db", &handler.db, "--format", "csv"]).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("\"https://a.example/;=cmd|' /C calc'!A0\""),
        "{stdout}"
    );
    // Every cell of every line, the header included, is quoted.
    for line in stdout.lines() {
        assert!(line.starts_with('"') && line.ends_with('"'), "{line}");
        assert!(!line.contains(",,"), "an unquoted empty cell: {line}");
    }
    assert!(stdout.starts_with("\"id\",\"received_at\","), "{stdout}");
    handler.stop().await;
}

#[tokio::test]
async fn outbox_list_and_retry_show_and_replay_deliveries() {
    let handler = TestHandler::start().await;
    assert_eq!(
        handler
            .post_lead(&contact_lead("ada@example.com"))
            .await
            .status(),
        StatusCode::CREATED
    );
    // The fixture's webhook points at a closed loopback port and names an unset secret, so the
    // forwarder's first attempt fails; wait (generously) until it has recorded that.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let delivery = loop {
        let deliveries = handler
            .store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .unwrap();
        assert_eq!(deliveries.len(), 1);
        if deliveries[0].last_error.is_some() {
            break deliveries[0].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no attempt recorded: {deliveries:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_ne!(delivery.status, DeliveryStatus::Delivered);

    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&["outbox", "list", "--db", &handler.db]).await;
    assert!(ok, "{stderr}");
    // The destination by its identity: host and a hash, never the URL's path (often its secret).
    assert!(stdout.contains("webhook:127.0.0.1:9:"), "{stdout}");
    assert!(!stdout.contains("/unreachable"), "{stdout}");
    assert!(stdout.contains(delivery.status.as_str()), "{stdout}");
    assert!(
        stdout.contains(" lead.created "),
        "the event is shown: {stdout}"
    );
    assert!(stdout.ends_with("1 deliveries\n"), "{stdout}");
    let CliOutput {
        success: ok,
        stdout,
        ..
    } = run_cli(&[
        "outbox",
        "list",
        "--db",
        &handler.db,
        "--status",
        "delivered",
    ])
    .await;
    assert!(ok);
    assert!(stdout.ends_with("0 deliveries\n"), "{stdout}");

    let id = delivery.id.to_string();
    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&["outbox", "retry", "--db", &handler.db, &id]).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("delivery {id} is pending again")),
        "{stdout}"
    );
    let CliOutput {
        success: ok,
        stderr,
        ..
    } = run_cli(&["outbox", "retry", "--db", &handler.db, "999"]).await;
    assert!(!ok);
    assert!(stderr.contains("no delivery 999"), "{stderr}");
    let CliOutput {
        success: ok,
        stdout,
        stderr,
    } = run_cli(&["outbox", "retry", "--db", &handler.db, "--dead"]).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("dead deliveries are pending again"),
        "{stdout}"
    );
    let CliOutput {
        success: ok,
        stderr,
        ..
    } = run_cli(&["outbox", "list", "--db", &handler.db, "--status", "bogus"]).await;
    assert!(!ok);
    assert!(stderr.contains("bogus"), "{stderr}");
    handler.stop().await;
}

#[tokio::test]
async fn a_mistyped_sqlite_path_is_refused_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("leadfrom.db");
    let typo_text = typo.display().to_string();
    for args in [
        vec!["export", "--db", &typo_text],
        vec!["export", "--db", &typo_text, "--format", "json"],
        vec!["outbox", "list", "--db", &typo_text],
        vec!["outbox", "retry", "--db", &typo_text, "--dead"],
        vec!["outbox", "retry", "--db", &typo_text, "1"],
    ] {
        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&args).await;
        assert!(!ok, "{args:?} succeeded: {stdout}");
        assert!(
            stderr.contains(&format!(
                "no Leadform database at {typo_text} (serve creates it; check the --db path)"
            )),
            "{args:?}: {stderr}"
        );
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        assert!(!typo.exists(), "{args:?} created {typo_text}");
    }
}

/// `backup` copies the database a running server writes to; the copy exports the same leads.
#[tokio::test]
async fn backup_copies_a_live_database_and_never_overwrites() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        for email in ["ada@example.com", "bob@example.com"] {
            assert_eq!(
                handler.post_lead(&contact_lead(email)).await.status(),
                StatusCode::CREATED
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.db");
        let copy = copy.to_str().unwrap();
        let CliOutput {
            success: ok,
            stdout,
            stderr,
        } = run_cli(&["backup", "--db", &handler.db, "--to", copy]).await;
        if backend == support::Backend::Postgres {
            assert!(!ok);
            assert!(stderr.contains("pg_dump"), "{stderr}");
            handler.stop().await;
            continue;
        }
        assert!(ok, "{stderr}");
        assert_eq!(stdout.trim(), format!("backed up 2 leads to {copy}"));
        let CliOutput {
            success: ok,
            stdout: exported,
            stderr,
        } = run_cli(&["export", "--db", copy, "--format", "json"]).await;
        assert!(ok, "{stderr}");
        let leads: Vec<Value> = serde_json::from_str(&exported).unwrap();
        assert_eq!(leads.len(), 2);

        let CliOutput {
            success: ok,
            stderr,
            ..
        } = run_cli(&["backup", "--db", &handler.db, "--to", copy]).await;
        assert!(!ok);
        assert!(
            stderr.contains("already exists: a backup never overwrites a file"),
            "{stderr}"
        );
        handler.stop().await;
    }
}
