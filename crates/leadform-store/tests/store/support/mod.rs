//! Test databases: a fresh SQLite file always, and a fresh PostgreSQL database when
//! `LEADFORM_TEST_POSTGRES_URL` names a server. Every storage test runs once per database.

#![allow(dead_code)] // each test binary uses a different part of this module

use leadform_core::{Intent, LeadSubmission};
use leadform_store::{NewDelivery, NewLead, Store};
use leadform_testdb::{postgres_admin_url, ScratchDatabase, POSTGRES_URL_VARIABLE};

/// One database to run a test against.
pub struct TestDatabase {
    pub label: &'static str,
    /// What `Store::open` gets.
    pub db: String,
    /// Keeps the SQLite file's folder alive for the test.
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the database created for this test.
    postgres: Option<ScratchDatabase>,
}

impl TestDatabase {
    pub async fn open(&self) -> Store {
        Store::open(&self.db)
            .await
            .unwrap_or_else(|e| panic!("{}: open {}: {e}", self.label, self.db))
    }

    /// Drops the PostgreSQL database made for this test (the SQLite folder goes with `self`).
    pub async fn finish(self) {
        if let Some(postgres) = self.postgres {
            postgres.drop_database().await;
        }
    }
}

/// The databases every storage test runs against.
pub async fn test_databases() -> Vec<TestDatabase> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.db");
    let mut databases = vec![TestDatabase {
        label: "sqlite",
        db: path.to_string_lossy().into_owned(),
        _dir: Some(dir),
        postgres: None,
    }];
    match postgres_admin_url() {
        Some(admin_url) => {
            let postgres = ScratchDatabase::create(&admin_url).await;
            databases.push(TestDatabase {
                label: "postgres",
                db: postgres.url.clone(),
                _dir: None,
                postgres: Some(postgres),
            });
        }
        None => println!("skipped PostgreSQL: {POSTGRES_URL_VARIABLE} not set"),
    }
    databases
}

pub fn new_submission_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A cleaned contact-form submission.
pub fn submission(form_id: &str, submission_id: &str, email: &str) -> LeadSubmission {
    serde_json::from_value(serde_json::json!({
        "form_id": form_id,
        "submission_id": submission_id,
        "fields": {"email": email, "first_name": "Ada", "company": "Analytical Engines"},
        "hidden": {"lead_source": "Web - Blog", "campaign_id": "7015g000000ABCDAA4"},
        "page_url": "https://www.example.com/contact",
        "submitted_at": "2026-11-23T07:00:00Z",
        "attribution": {
            "first_touch": {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "launch"},
            "last_touch": {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "nov"}
        }
    }))
    .expect("a valid submission")
}

/// A lead for `contact-us` with two destinations (Salesforce and HubSpot).
pub fn new_lead(submission_id: &str, email: &str, received_at_ms: i64) -> NewLead {
    let lead = submission("contact-us", submission_id, email);
    NewLead {
        raw_payload: serde_json::to_string(&lead).expect("json"),
        lead,
        intent: Intent::ContactRequest,
        email: Some(email.to_string()),
        is_spam: false,
        received_at_ms,
        client_ip: Some("127.0.0.1".into()),
        hubspotutk: Some("abc123hutk".into()),
        user_agent: None,
        visitor_id: None,
        previous_visitor_id: None,
        profile_answers: None,
        deliveries: vec![
            NewDelivery {
                destination_index: 0,
                destination_kind: "salesforce_web_to_lead".into(),
                destination_id: "salesforce:00D5g000004abcd".into(),
                destination_key: "salesforce:00D5g000004abcd".into(),
            },
            NewDelivery {
                destination_index: 1,
                destination_kind: "hubspot".into(),
                destination_id: "hubspot:123456:0b9c".into(),
                destination_key: "hubspot:123456".into(),
            },
        ],
        form_token: None,
    }
}

/// `lead`, spending the form token `token` in its own transaction.
pub fn spending(token: &str, mut lead: NewLead) -> NewLead {
    lead.form_token = Some(token.to_owned());
    lead
}

/// Runs `test` against a fresh store on each test database.
pub async fn on_each_database(test: impl AsyncFn(&Store, &'static str)) {
    for database in test_databases().await {
        let store = database.open().await;
        test(&store, database.label).await;
        store.close().await;
        database.finish().await;
    }
}
