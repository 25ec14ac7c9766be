//! A retry after a lost answer. The widget rebuilds the body on every send (new `submitted_at`,
//! new fill time, same submission id and answers); the handler must recognise it as the same
//! submission and answer as the first time, never with a conflict.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::contact_lead;
use support::{backends, TestHandler, TestOptions};

#[tokio::test]
async fn a_rebuilt_retry_gets_the_first_answer_and_stores_once() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let first_body = contact_lead("ada@example.com");
        let first = handler.post_lead(&first_body).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let first_answer: Value = first.json().await.unwrap();

        // The visitor never saw that answer and presses the button again 20 seconds later.
        let mut retry = first_body.clone();
        retry["submitted_at"] = json!("2026-11-23T07:00:20.000Z");
        retry["bot_check"]["fill_ms"] =
            json!(first_body["bot_check"]["fill_ms"].as_u64().unwrap_or(0) + 20_000);
        retry["page_title"] = json!("Contact us (retry)");
        let again = handler.post_lead(&retry).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.json::<Value>().await.unwrap(), first_answer);
        assert_eq!(handler.stored_leads().await.len(), 1);
        handler.stop().await;
    }
}
