//! `POST /v1/leads` over real HTTP against the real handler and a real database.

use crate::support;

use leadform_core::Intent;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::fixtures::{self, contact_lead, ebook_lead, LISTED_ORIGIN, UNLISTED_ORIGIN};
use support::{backends, TestHandler, TestOptions};

#[tokio::test]
async fn a_valid_lead_is_readable_from_a_fresh_store_when_201_arrives() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let body = contact_lead("Ada@Example.com");
        let response = handler.post_lead(&body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{backend:?}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["submission_id"], body["submission_id"]);
        assert!(answer["id"].as_i64().is_some());
        assert!(
            answer.get("asset_url").is_none(),
            "contact forms have no asset"
        );

        // Read through a separate Store::open: the row was committed before the answer.
        let leads = handler.stored_leads().await;
        assert_eq!(leads.len(), 1);
        assert_eq!(leads[0].id, answer["id"].as_i64().unwrap());
        assert_eq!(leads[0].intent, Intent::ContactRequest);
        assert!(!leads[0].is_spam);
        assert_eq!(
            leads[0].lead.fields["form_variant"], "test-v1",
            "hidden value from the definition"
        );
        assert_eq!(leads[0].lead.hidden.lead_source.as_deref(), Some("Website"));
        handler.stop().await;
    }
}

#[tokio::test]
async fn an_invalid_email_is_422_naming_the_field_and_stores_nothing() {
    let handler = TestHandler::start().await;
    let response = handler.post_lead(&contact_lead("not-an-email")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"]["email"]["code"], "email");
    assert_eq!(
        body["errors"]["email"]["message"],
        "Enter an email address like name@company.com"
    );
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn a_missing_required_field_is_422_naming_it() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    body["fields"].as_object_mut().unwrap().remove("message");
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errors"]["message"]["code"], "required");
    assert_eq!(answer["errors"].as_object().unwrap().len(), 1);
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn a_100_kb_field_is_413_with_a_json_error_and_stores_nothing() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    body["fields"]["message"] = json!("x".repeat(100 * 1024));
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "payload_too_large");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65536 bytes"));
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn wrong_json_types_are_400_naming_the_value() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    body["fields"]["email"] = json!(42);
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "invalid_payload");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("fields.email: invalid type: integer `42`, expected a string"),
        "{message}"
    );
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn malformed_json_is_400() {
    let handler = TestHandler::start().await;
    let response = handler
        .client
        .post(handler.url("/v1/leads"))
        .header("content-type", "application/json")
        .body(r#"{"form_id": "contact-us", "fields": {"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "malformed_json");
    assert!(handler.stored_leads().await.is_empty());
}

#[tokio::test]
async fn an_unknown_form_is_404() {
    let handler = TestHandler::start().await;
    let response = handler
        .post_lead(&fixtures::lead("no-such-form", json!({})))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "unknown_form");
    let response = handler
        .client
        .get(handler.url("/v1/forms/no-such-form"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_repeated_submission_id_gets_the_first_answer_and_one_row() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let body = contact_lead("ada@example.com");
        let first = handler.post_lead(&body).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let again = handler.post_lead(&body).await;
        assert_eq!(
            again.status(),
            StatusCode::CREATED,
            "documented: a repeat answers 201 again"
        );
        assert_eq!(again.json::<Value>().await.unwrap(), first);
        assert_eq!(handler.stored_leads().await.len(), 1);

        // The same id with a different payload is a client bug, not a retry.
        let mut changed = body.clone();
        changed["fields"]["message"] = json!("Something else entirely.");
        let conflict = handler.post_lead(&changed).await;
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        let answer: Value = conflict.json().await.unwrap();
        assert_eq!(answer["error"]["code"], "submission_id_reused");
        assert_eq!(handler.stored_leads().await.len(), 1);
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_thousand_concurrent_posts_of_one_submission_id_make_one_row() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let body = handler
            .with_form_token(&contact_lead("ada@example.com"))
            .await;
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(100));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..1000 {
            let (client, url, body, limit) = (
                handler.client.clone(),
                handler.url("/v1/leads"),
                body.clone(),
                limit.clone(),
            );
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.unwrap();
                let response = client.post(url).json(&body).send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            });
        }
        let mut answers = Vec::new();
        while let Some(result) = tasks.join_next().await {
            answers.push(result.unwrap());
        }
        assert_eq!(answers.len(), 1000);
        let first_id = answers[0].1["id"].clone();
        for (status, answer) in &answers {
            assert_eq!(*status, StatusCode::CREATED, "{answer}");
            assert_eq!(
                answer["id"], first_id,
                "every answer names the one stored lead"
            );
        }
        let leads = handler.stored_leads().await;
        assert_eq!(leads.len(), 1, "{backend:?}");
        let deliveries = handler
            .store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .unwrap();
        assert_eq!(
            deliveries.len(),
            1,
            "one delivery for the form's one destination"
        );
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_listed_origin_gets_cors_headers_and_an_unlisted_one_403_storing_nothing() {
    let handler = TestHandler::start().await;
    let response = handler
        .post_lead_with(
            &contact_lead("ada@example.com"),
            &[("Origin", LISTED_ORIGIN)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], LISTED_ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["vary"], "Origin");

    let response = handler
        .post_lead_with(
            &contact_lead("eve@example.com"),
            &[("Origin", UNLISTED_ORIGIN)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "origin_not_allowed");
    assert_eq!(
        handler.stored_leads().await.len(),
        1,
        "only the listed origin's lead"
    );

    // The definition follows the same rule.
    for (origin, status) in [
        (LISTED_ORIGIN, StatusCode::OK),
        (UNLISTED_ORIGIN, StatusCode::FORBIDDEN),
    ] {
        let response = handler
            .client
            .get(handler.url("/v1/forms/contact-us"))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{origin}");
        let allowed = response.headers().get("access-control-allow-origin");
        assert_eq!(allowed.is_some(), status == StatusCode::OK, "{origin}");
    }

    // The handler's own pages are same-origin, whatever port it runs on.
    let own_origin = handler.base_url.clone();
    let response = handler
        .post_lead_with(
            &contact_lead("bob@example.com"),
            &[("Origin", own_origin.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn preflights_are_answered_for_listed_origins_only() {
    let handler = TestHandler::start().await;
    let preflight = |origin: &'static str| {
        handler
            .client
            .request(reqwest::Method::OPTIONS, handler.url("/v1/leads"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let allowed = preflight(LISTED_ORIGIN).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], LISTED_ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase()
        .contains("content-type"));
    assert!(headers.contains_key("access-control-max-age"));

    let refused = preflight(UNLISTED_ORIGIN).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let handler = TestHandler::start_with(TestOptions {
        rate_limit_per_minute: 3,
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        let response = handler.post_lead(&contact_lead("ada@example.com")).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let response = handler.post_lead(&contact_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "rate_limited");
    assert_eq!(handler.stored_leads().await.len(), 3);
}

#[tokio::test]
async fn bots_get_a_normal_answer_but_are_stored_as_spam_without_deliveries() {
    let handler = TestHandler::start().await;
    let mut honeypot = contact_lead("bot@example.com");
    honeypot["bot_check"]["honeypot"] = json!("http://spam.example");
    let mut too_fast = contact_lead("fast@example.com");
    too_fast["bot_check"]["fill_ms"] = json!(60_000);
    for (body, instant) in [(&honeypot, false), (&too_fast, true)] {
        let mut body = body.clone();
        if instant {
            // Posted the moment the form was handed out; the client's `fill_ms` is ignored.
            body["form_token"] = handler.form_token("contact-us").await;
        }
        let response = handler.post_lead(&body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert!(super_set_cookie_free(&response), "bots are not remembered");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["submission_id"], body["submission_id"]);
    }
    let person = handler.post_lead(&contact_lead("ada@example.com")).await;
    assert_eq!(person.status(), StatusCode::CREATED);

    let leads = handler.stored_leads().await;
    let spam: Vec<bool> = leads.iter().map(|l| l.is_spam).collect();
    assert_eq!(spam, [true, true, false]);
    let deliveries = handler
        .store
        .list_deliveries(leadform_store::DeliveryFilter::All)
        .await
        .unwrap();
    assert_eq!(
        deliveries.len(),
        1,
        "only the person's lead is to be delivered"
    );
    assert_eq!(deliveries[0].lead_id, leads[2].id);
    assert_eq!(deliveries[0].destination_kind, "webhook");
}

fn super_set_cookie_free(response: &reqwest::Response) -> bool {
    support::set_cookies(response).is_empty()
}

#[tokio::test]
async fn intent_follows_the_form_kind_and_the_asset_is_revealed_only_after_submitting() {
    let handler = TestHandler::start().await;
    let definition = handler
        .client
        .get(handler.url("/v1/forms/ebook"))
        .send()
        .await
        .unwrap();
    assert_eq!(definition.status(), StatusCode::OK);
    assert_eq!(
        definition.headers()["cache-control"],
        "no-store",
        "each answer carries its own form token"
    );
    let text = definition.text().await.unwrap();
    assert!(
        !text.contains("12-charts.pdf"),
        "the definition hides the asset URL: {text}"
    );
    assert!(!text.contains("allowed_origins") && !text.contains("destinations"));

    let response = handler.post_lead(&ebook_lead("ada@example.com")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = response.json().await.unwrap();
    let asset_url = answer["asset_url"].as_str().unwrap();
    assert!(
        asset_url.starts_with("/v1/forms/ebook/asset?expires="),
        "a signed link to the private file, relative to the handler: {asset_url}"
    );
    handler.post_lead(&contact_lead("ada@example.com")).await;

    let intents: Vec<Intent> = handler
        .stored_leads()
        .await
        .into_iter()
        .map(|l| l.intent)
        .collect();
    assert_eq!(intents, [Intent::ContentDownload, Intent::ContactRequest]);
}

#[tokio::test]
async fn campaign_and_lead_source_allow_lists_are_enforced() {
    let handler = TestHandler::start().await;
    let mut body = ebook_lead("ada@example.com");
    body["hidden"] = json!({ "lead_source": "Blog", "campaign_id": "701Hs00000BlogQ4AA" });
    assert_eq!(handler.post_lead(&body).await.status(), StatusCode::CREATED);

    let mut body = ebook_lead("ada@example.com");
    body["hidden"] = json!({ "lead_source": "Hacker News", "campaign_id": "701Hs00000OtherXXX" });
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errors"]["lead_source"]["code"], "not_allowed");
    assert_eq!(answer["errors"]["campaign_id"]["code"], "not_allowed");
    let leads = handler.stored_leads().await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].lead.hidden.lead_source.as_deref(), Some("Blog"));
}

#[tokio::test]
async fn hostile_attribution_is_stored_as_plain_capped_text() {
    let handler = TestHandler::start().await;
    let mut body = contact_lead("ada@example.com");
    let long_script = format!("<script>alert(1)</script>\u{0007}{}", "a".repeat(1000));
    body["referrer"] = json!("javascript:alert(document.cookie)");
    body["attribution"] = json!({
        "first_touch": {
            "utm_source": long_script,
            "utm_campaign": "spring\u{0000}\u{001b}[31m",
            "referrer": "javascript:alert(1)",
            "landing_page": "http://www.example.test:8000/?utm_source=x"
        },
        "last_touch": { "utm_medium": "=cmd|' /C calc'!A0" }
    });
    let response = handler.post_lead(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let leads = handler.stored_leads().await;
    let attribution = leads[0].lead.attribution.clone().unwrap();
    let first = attribution.first_touch.unwrap();
    let source = first.utm_source.unwrap();
    assert_eq!(source.chars().count(), 256, "capped at 256 characters");
    assert!(
        source.starts_with("<script>alert(1)</script>a"),
        "kept as text, control char gone"
    );
    assert_eq!(first.utm_campaign.as_deref(), Some("spring[31m"));
    assert_eq!(first.referrer, None, "javascript: URLs are dropped");
    assert_eq!(leads[0].lead.referrer, "", "javascript: referrer dropped");
    assert_eq!(
        attribution.last_touch.unwrap().utm_medium.as_deref(),
        Some("=cmd|' /C calc'!A0"),
        "stored unchanged; only CSV export neutralises it"
    );
}

#[tokio::test]
async fn a_listed_page_can_read_every_refusal_but_the_origin_one_and_an_unlisted_page_none() {
    let handler = TestHandler::start_with(TestOptions {
        rate_limit_per_minute: 1,
        ..Default::default()
    })
    .await;
    let cors_of = |response: &reqwest::Response| {
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let listed = Some(LISTED_ORIGIN.to_owned());

    // Before the body names a form: any form's list decides.
    for origin in [LISTED_ORIGIN, UNLISTED_ORIGIN] {
        let response = handler
            .client
            .post(handler.url("/v1/leads"))
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{origin}");
        let expected = (origin == LISTED_ORIGIN).then(|| origin.to_owned());
        assert_eq!(cors_of(&response), expected, "{origin}");
    }
    let mut unknown = fixtures::lead("no-such-form", json!({}));
    unknown["form_token"] = Value::Null;
    let response = handler
        .post_lead_with(&unknown, &[("Origin", LISTED_ORIGIN)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(cors_of(&response), listed);

    // After: the form's own list, and the rate limit's refusal is readable too.
    let response = handler
        .post_lead_with(&contact_lead("not-an-email"), &[("Origin", LISTED_ORIGIN)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cors_of(&response), listed);
    let response = handler
        .post_lead_with(
            &contact_lead("ada@example.com"),
            &[("Origin", LISTED_ORIGIN)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(cors_of(&response), listed);
    assert_eq!(response.headers()["vary"], "Origin");
}
