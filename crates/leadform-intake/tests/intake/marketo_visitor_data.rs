//! Marketo's visitor data (issue 13 §4): a lead posted to the real handler with a `User-Agent` and
//! the page's Munchkin cookie reaches the Marketo stand-in with `visitorData.userAgentString` and
//! the input's `cookie`, as Adobe documents them; a form with `storage: never` stores and sends
//! neither. SQLite, and PostgreSQL when configured; deadlines are only "give up" limits.

use crate::support;
use leadform_standins as standins;

use reqwest::StatusCode;
use serde_json::{json, Value};
use standins::{Received, StandIn, Vendor};
use std::time::{Duration, Instant};
use support::{backends, Backend, TestHandler, TestOptions};

const SECRET_VARIABLE: &str = "LEADFORM_TEST_MARKETO_VISITOR_SECRET";
const SECRET: &str = "visitor-data-s3cret";
const MUNCHKIN: &str = "id:123-ABC-456&token:_mch-www.example.com-1764400000000-12345";
const AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

/// Not the demo's contact form: one per storage policy, each with its own id, and leads with a
/// first name and an email only.
fn form(id: &str, storage: &str, standin: &StandIn) -> Value {
    json!({
        "id": id, "title": "Talk to us", "kind": "contact", "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true}
        ],
        "storage": storage,
        "destinations": [{
            "kind": "marketo", "munchkin_id": "123-ABC-456", "client_id": "visitor-client",
            "client_secret_env": SECRET_VARIABLE, "form_id": 1029, "endpoint": standin.base_url()
        }]
    })
}

fn lead(form_id: &str, email: &str, munchkin_cookie: &str) -> Value {
    json!({
        "form_id": form_id,
        "submission_id": uuid::Uuid::new_v4().to_string(),
        "fields": {"first_name": "Ada", "email": email},
        "page_url": "https://www.example.com/contact?utm_source=ads",
        "submitted_at": "2026-11-29T07:00:00.000Z",
        "munchkin_cookie": munchkin_cookie
    })
}

/// The `submitForm` bodies the stand-in has received for `email`, waiting for `count` of them.
async fn submissions_for(standin: &StandIn, email: &str) -> Vec<(Value, Received)> {
    let started = Instant::now();
    loop {
        let found: Vec<(Value, Received)> = standin
            .received()
            .into_iter()
            .filter(|r| r.path_and_query == "/rest/v1/leads/submitForm.json")
            .filter_map(|r| Some((serde_json::from_slice::<Value>(&r.body).ok()?, r)))
            .filter(|(body, _)| body["input"][0]["leadFormFields"]["email"] == email)
            .collect();
        if !found.is_empty() {
            return found;
        }
        assert!(
            started.elapsed() < GIVE_UP_AFTER,
            "no submitForm for {email}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn visitor_data_reaches_marketo_on(backend: Backend) {
    std::env::set_var(SECRET_VARIABLE, SECRET);
    let standin = StandIn::start(Vendor::Marketo {
        client_id: "visitor-client".into(),
        client_secret: SECRET.into(),
        form_id: 1029,
        token_life: Duration::from_secs(3599),
        custom_fields: Vec::new(),
    })
    .await;
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![
            form("contact-us", "always", &standin),
            form("no-memory", "never", &standin),
        ],
        backend,
        ..Default::default()
    })
    .await;
    let user_agent = [("User-Agent", AGENT)];

    let remembered = handler
        .post_lead_with(
            &lead("contact-us", "ada@example.com", MUNCHKIN),
            &user_agent,
        )
        .await;
    assert_eq!(remembered.status(), StatusCode::CREATED);
    let forgotten = handler
        .post_lead_with(
            &lead("no-memory", "grace@example.com", MUNCHKIN),
            &user_agent,
        )
        .await;
    assert_eq!(forgotten.status(), StatusCode::CREATED);

    let [(body, received)] = &submissions_for(&standin, "ada@example.com").await[..] else {
        panic!("one submitForm for ada");
    };
    assert!(received.problems.is_empty(), "{:?}", received.problems);
    assert_eq!(body["input"][0]["visitorData"]["userAgentString"], AGENT);
    assert_eq!(body["input"][0]["cookie"], MUNCHKIN);
    assert_eq!(
        body["input"][0]["visitorData"]["pageURL"],
        "https://www.example.com/contact"
    );

    let [(body, received)] = &submissions_for(&standin, "grace@example.com").await[..] else {
        panic!("one submitForm for grace");
    };
    assert!(received.problems.is_empty(), "{:?}", received.problems);
    let input = &body["input"][0];
    assert!(input.get("cookie").is_none(), "{body}");
    assert!(
        input["visitorData"].get("userAgentString").is_none(),
        "{body}"
    );
    assert!(
        input["visitorData"].get("leadClientIpAddress").is_none(),
        "{body}"
    );

    // What is stored: both for the form that may remember, neither (not even in the raw body)
    // for the one that may not.
    let ada = handler
        .store
        .person_access_record("ada@example.com")
        .await
        .unwrap()
        .expect("ada is stored");
    assert_eq!(ada.leads[0].user_agent.as_deref(), Some(AGENT));
    assert_eq!(
        ada.leads[0].stored.lead.munchkin_cookie.as_deref(),
        Some(MUNCHKIN)
    );
    let grace = handler
        .store
        .person_access_record("grace@example.com")
        .await
        .unwrap()
        .expect("grace is stored");
    assert_eq!(grace.leads[0].user_agent, None);
    assert_eq!(grace.leads[0].stored.lead.munchkin_cookie, None);
    assert!(
        !grace.leads[0].stored.raw_payload.contains("_mch-"),
        "{}",
        grace.leads[0].stored.raw_payload
    );
    assert!(grace.leads[0]
        .stored
        .raw_payload
        .contains("grace@example.com"));

    // Forgetting a person erases the user agent with the lead's other values.
    handler
        .store
        .forget_person("ada@example.com", leadform_intake::clock::now_ms())
        .await
        .unwrap()
        .expect("ada is erased");
    let query = "SELECT COUNT(*) FROM leads WHERE user_agent IS NOT NULL";
    let kept: i64 = match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", handler.db))
                .await
                .unwrap();
            let kept = sqlx::query_scalar(query).fetch_one(&pool).await.unwrap();
            pool.close().await;
            kept
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&handler.db).await.unwrap();
            let kept = sqlx::query_scalar(query).fetch_one(&pool).await.unwrap();
            pool.close().await;
            kept
        }
    };
    assert_eq!(kept, 0, "no user agent is left after forget");
    handler.stop().await;
}

#[tokio::test]
async fn visitor_data_reaches_marketo_unless_the_form_may_not_remember_the_visitor() {
    for backend in backends() {
        visitor_data_reaches_marketo_on(backend).await;
    }
}

#[tokio::test]
async fn a_munchkin_cookie_of_the_wrong_shape_is_refused_and_nothing_is_stored() {
    std::env::set_var(SECRET_VARIABLE, SECRET);
    let standin = StandIn::start(Vendor::Marketo {
        client_id: "visitor-client".into(),
        client_secret: SECRET.into(),
        form_id: 1029,
        token_life: Duration::from_secs(3599),
        custom_fields: Vec::new(),
    })
    .await;
    let handler = TestHandler::start_with(TestOptions {
        forms: vec![form("contact-us", "always", &standin)],
        ..Default::default()
    })
    .await;
    for cookie in [
        "id:123-ABC-456&token:_mch-x.com-1-2\r\nX-Injected: 1".to_owned(),
        format!("id:123-ABC-456&token:_mch-{}-1-2", "a".repeat(300)),
        "not a munchkin cookie".to_owned(),
    ] {
        let answer = handler
            .post_lead(&lead("contact-us", "eve@example.com", &cookie))
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{cookie:?}");
        let body: Value = answer.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("munchkin_cookie"), "{body}");
    }
    assert!(handler.stored_leads().await.is_empty());
    handler.stop().await;
}
