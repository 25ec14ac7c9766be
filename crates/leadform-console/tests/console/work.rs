//! Working a lead: status with history, the person's other leads, owner and "mine", spam marks
//! with their deliveries, and an admin's retry of a dead delivery.

use crate::support::{backends, ConsoleHandler};
use leadform_store::{DeliveryFilter, UserRole};
use serde_json::json;
use std::sync::atomic::Ordering;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_is_recorded_and_shown_with_its_history() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let first = handler
            .submit_lead(
                "ebook",
                json!({"first_name": "Grace", "email": "grace@example.com"}),
                json!({}),
            )
            .await;
        let lead = handler
            .submit_lead(
                "contact-us",
                json!({
                    "first_name": "Grace", "email": "Grace@Example.com", "form_variant": "v1",
                    "topic": "pricing", "newsletter": "true"
                }),
                json!({}),
            )
            .await;
        let session = handler.login("ada").await;
        let path = format!("/console/leads/{lead}");
        let html = handler.page(&path, &session).await;
        assert!(
            html.contains("Lead 2 of 2 from grace@example.com."),
            "{backend:?}: {html}"
        );
        assert!(html.contains(&format!("href=\"/console/leads/{first}\"")));
        assert!(
            html.contains("· Get the eBook</a>"),
            "the person's other leads name their form by its title: {html}"
        );
        assert!(
            html.contains("Variant") && html.contains("(hidden)"),
            "hidden fields are shown"
        );
        assert!(
            html.contains("source: google, medium: cpc, campaign: launch"),
            "first touch"
        );
        assert!(html.contains("en-GB"));
        assert!(
            html.contains("<dd class=\"break\">Pricing and plans</dd>")
                && html.contains("<dd class=\"break\">Yes</dd>"),
            "a select shows its option's label and a checkbox Yes: {html}"
        );

        let status_path = format!("{path}/status");
        let refused = handler
            .post_form(
                &status_path,
                &session,
                &[("status", "closed"), ("reason", "")],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Closing a lead needs a reason"));
        let response = handler
            .post_form(
                &status_path,
                &session,
                &[("status", "contacted"), ("reason", "")],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], path.as_str());
        let response = handler
            .post_form(
                &status_path,
                &session,
                &[("status", "closed"), ("reason", "student_or_researcher")],
            )
            .await;
        assert_eq!(response.status(), 303);

        let html = handler.page(&path, &session).await;
        assert!(html.contains("open → contacted"), "{html}");
        assert!(
            html.contains("contacted → closed (Student or researcher)"),
            "{html}"
        );
        let detail = handler.store.lead_detail(lead).await.unwrap().unwrap();
        assert_eq!(detail.history.len(), 2);
        assert_eq!(detail.history[0].changed_by, "ada");
        assert!(detail.summary.first_contacted_at_ms.is_some());
        let list = handler.page("/console/leads?status=closed", &session).await;
        assert!(list.contains(&format!("href=\"/console/leads/{lead}\"")));
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_are_assigned_and_mine_lists_them() {
    for backend in backends() {
        let handler = ConsoleHandler::start(
            backend,
            &[("ada", UserRole::Member), ("bob", UserRole::Member)],
        )
        .await;
        let lead = handler
            .submit_lead(
                "ebook",
                json!({"first_name": "Grace", "email": "grace@example.com"}),
                json!({}),
            )
            .await;
        let other = handler
            .submit_lead(
                "ebook",
                json!({"first_name": "Linus", "email": "linus@example.com"}),
                json!({}),
            )
            .await;
        let ada = handler.login("ada").await;
        let ada_id = handler.store.list_users().await.unwrap()[0].id;
        let response = handler
            .post_form(
                &format!("/console/leads/{lead}/owner"),
                &ada,
                &[("owner", &ada_id.to_string())],
            )
            .await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let mine = handler.page("/console/leads?mine=1", &ada).await;
        assert!(mine.contains(&format!("href=\"/console/leads/{lead}\"")));
        assert!(
            !mine.contains(&format!("href=\"/console/leads/{other}\"")),
            "{backend:?}"
        );
        let bob = handler.login("bob").await;
        let bobs = handler.page("/console/leads?mine=1", &bob).await;
        assert!(bobs.contains("No leads match."), "{bobs}");
        let response = handler
            .post_form(
                &format!("/console/leads/{lead}/owner"),
                &ada,
                &[("owner", "999999")],
            )
            .await;
        assert_eq!(response.status(), 422);
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spam_cancels_deliveries_and_not_spam_delivers_the_lead() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Admin)]).await;
        let session = handler.login("ada").await;
        // Stop the forwarder from delivering this one first: mark it spam right away, then
        // see that what was pending is gone (or, if it was already sent, that it stays sent).
        let lead = handler
            .submit_lead(
                "contact-us",
                json!({"first_name": "Ada", "email": "ada@example.com"}),
                json!({}),
            )
            .await;
        handler
            .eventually("the first delivery", async || {
                handler.receiver.hits.load(Ordering::SeqCst) == 1
            })
            .await;
        let response = handler
            .post_form(
                &format!("/console/leads/{lead}/spam"),
                &session,
                &[("spam", "yes")],
            )
            .await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let detail = handler.store.lead_detail(lead).await.unwrap().unwrap();
        assert!(detail.summary.is_spam);
        assert_eq!(
            detail.deliveries.len(),
            1,
            "a delivered delivery stays on record"
        );
        assert!(handler
            .page("/console/leads", &session)
            .await
            .contains("No leads match."));
        assert!(handler
            .page("/console/leads?spam=yes", &session)
            .await
            .contains(&format!("/console/leads/{lead}")));

        // A lead caught as spam by the handler (filled in too fast) has no deliveries ...
        let body = json!({
            "form_id": "contact-us", "submission_id": uuid::Uuid::new_v4().to_string(),
            "fields": {"first_name": "Real", "email": "real@example.com"},
            "page_url": "http://www.example.test:8000/contact.html",
            "submitted_at": "2026-11-23T07:00:00.000Z",
            "bot_check": { "honeypot": "", "fill_ms": 10 }
        });
        let answer: serde_json::Value = handler
            .client
            .post(handler.url("/v1/leads"))
            .header("origin", crate::support::SITE_ORIGIN)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let caught = answer["id"].as_i64().unwrap();
        let detail = handler.store.lead_detail(caught).await.unwrap().unwrap();
        assert!(
            detail.summary.is_spam && detail.deliveries.is_empty(),
            "{backend:?}"
        );
        // ... until a person says it is not spam: then it is delivered.
        let response = handler
            .post_form(
                &format!("/console/leads/{caught}/spam"),
                &session,
                &[("spam", "no")],
            )
            .await;
        assert_eq!(response.status(), 303);
        handler
            .eventually("the freed lead's delivery", async || {
                handler.receiver.hits.load(Ordering::SeqCst) == 2
            })
            .await;
        let html = handler
            .page(&format!("/console/leads/{caught}"), &session)
            .await;
        assert!(html.contains("delivered"), "{html}");

        let actions: Vec<String> = handler
            .store
            .audit_log(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.contains(&"marked_spam".to_owned())
                && actions.contains(&"marked_not_spam".to_owned())
        );
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_retry_dead_deliveries_and_members_cannot() {
    for backend in backends() {
        let handler = ConsoleHandler::start(
            backend,
            &[("ada", UserRole::Admin), ("bob", UserRole::Member)],
        )
        .await;
        let lead = handler
            .submit_lead(
                "contact-us",
                json!({"first_name": "Rex", "email": "reject@example.com"}),
                json!({}),
            )
            .await;
        let store = handler.store.clone();
        handler
            .eventually("the refused delivery to die", async || {
                store
                    .list_deliveries(DeliveryFilter::Status(leadform_store::DeliveryStatus::Dead))
                    .await
                    .unwrap()
                    .len()
                    == 1
            })
            .await;
        let delivery = store.list_deliveries(DeliveryFilter::All).await.unwrap()[0].id;
        let hits = handler.receiver.hits.load(Ordering::SeqCst);

        let bob = handler.login("bob").await;
        let page = handler.page(&format!("/console/leads/{lead}"), &bob).await;
        assert!(!page.contains("/retry"), "members get no retry button");
        let refused = handler
            .post_form(&format!("/console/deliveries/{delivery}/retry"), &bob, &[])
            .await;
        assert_eq!(refused.status(), 403, "{backend:?}");

        let ada = handler.login("ada").await;
        let page = handler.page(&format!("/console/leads/{lead}"), &ada).await;
        assert!(
            page.contains(&format!("/console/deliveries/{delivery}/retry")),
            "{page}"
        );
        let response = handler
            .post_form(&format!("/console/deliveries/{delivery}/retry"), &ada, &[])
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            format!("/console/leads/{lead}").as_str()
        );
        handler
            .eventually("the retried delivery to be sent", async || {
                handler.receiver.hits.load(Ordering::SeqCst) > hits
            })
            .await;
        let entries = store.audit_log(None, 10).await.unwrap();
        let retried = entries
            .iter()
            .find(|e| e.action == "delivery_retried")
            .expect("audited");
        assert_eq!(retried.actor, "ada");
        assert_eq!(retried.lead_id, Some(lead));
        // A delivered or unknown delivery cannot be retried.
        let response = handler
            .post_form("/console/deliveries/999999/retry", &ada, &[])
            .await;
        assert_eq!(response.status(), 422);
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_lists_contact_requests_past_their_response_target() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let hour = 60 * 60 * 1000;
        // contact-us has a 4-hour target: 5 and 6 hours old are late, 3 hours old is not.
        let mut ids = Vec::new();
        for (email, age) in [
            ("late@example.com", 5),
            ("later@example.com", 6),
            ("fresh@example.com", 3),
        ] {
            let lead: leadform_core::LeadSubmission = serde_json::from_value(json!({
                "form_id": "contact-us", "submission_id": uuid::Uuid::new_v4().to_string(),
                "fields": {"first_name": "Pat", "email": email},
                "submitted_at": "2026-11-23T07:00:00Z"
            }))
            .unwrap();
            let outcome = handler
                .store
                .insert_lead(leadform_store::NewLead {
                    raw_payload: "{}".into(),
                    lead,
                    intent: leadform_core::Intent::ContactRequest,
                    email: Some(email.into()),
                    is_spam: false,
                    received_at_ms: now - age * hour,
                    client_ip: None,
                    hubspotutk: None,
                    user_agent: None,
                    visitor_id: None,
                    previous_visitor_id: None,
                    profile_answers: None,
                    deliveries: vec![],
                    form_token: None,
                })
                .await
                .unwrap();
            ids.push(outcome.lead_id());
        }
        let session = handler.login("ada").await;
        let html = handler.page("/console/", &session).await;
        let later = html
            .find(&format!("href=\"/console/leads/{}\"", ids[1]))
            .expect("6 hours late is listed");
        let late = html
            .find(&format!("href=\"/console/leads/{}\"", ids[0]))
            .expect("5 hours late is listed");
        assert!(later < late, "{backend:?}: oldest first");
        assert!(
            !html.contains(&format!("href=\"/console/leads/{}\"", ids[2])),
            "within target"
        );
        assert!(html.contains("6 h (target 4 h)"), "{html}");
        // Contacting it takes it off the list.
        handler
            .post_form(
                &format!("/console/leads/{}/status", ids[1]),
                &session,
                &[("status", "contacted")],
            )
            .await;
        let html = handler.page("/console/", &session).await;
        assert!(
            !html.contains(&format!("href=\"/console/leads/{}\"", ids[1])),
            "{backend:?}"
        );
        handler.stop().await;
    }
}
