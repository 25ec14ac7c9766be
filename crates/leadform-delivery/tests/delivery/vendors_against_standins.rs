//! One delivery attempt per vendor, over real HTTP on loopback, against stand-ins that check the
//! request as the vendor documents it and answer like the vendor.

use crate::support;

use leadform_core::{Destination, FormDefinition, Intent, LeadSubmission};
use leadform_delivery::{
    attempt_delivery, DeliveryOutcome, ForwarderClock, HttpSender, ManualClock, PendingDelivery,
    SystemClock,
};
use serde_json::json;
use std::time::{Duration, SystemTime};
use support::standins::{Scripted, StandIn, Vendor};

const ORG_ID: &str = "00D5g000004abcd";
const SUBMISSION_ID: &str = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b";

/// Not the demo's contact form (`forms/contact-us.json`): the vendors' exact bodies below are
/// asserted for these fields (job title, a checkbox, a German consent text).
fn form_with(destination: serde_json::Value) -> FormDefinition {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "contact-us",
        "title": "Talk to us",
        "kind": "contact",
        "submit_label": "Send",
        "success": {"message": "Thanks"},
        "fields": [
            {"name": "first_name", "label": "First name", "kind": "text"},
            {"name": "last_name", "label": "Last name", "kind": "text"},
            {"name": "email", "label": "Email", "kind": "email", "required": true},
            {"name": "company", "label": "Company", "kind": "text"},
            {"name": "job_title", "label": "Job title", "kind": "text"},
            {"name": "message", "label": "Message", "kind": "textarea"},
            {"name": "newsletter", "label": "Newsletter", "kind": "checkbox"}
        ],
        "hidden": {"lead_source": "Website", "campaign_id": "701Hs00000ContactA"},
        "consent": {"text": "Ich stimme zu, kontaktiert zu werden."},
        "destinations": [destination]
    }))
    .expect("form parses");
    form.check().expect("form is valid");
    form
}

fn delivery_with(email: &str) -> PendingDelivery {
    let lead: LeadSubmission = serde_json::from_value(json!({
        "form_id": "contact-us",
        "submission_id": SUBMISSION_ID,
        "fields": {
            "first_name": "José",
            "last_name": "Müller-Lüdenscheidt",
            "email": email,
            "company": "Café & Co. 東京",
            "job_title": "Head of Growth",
            "message": "Line one\nline two: 100% sure?",
            "newsletter": "true"
        },
        "hidden": {"lead_source": "Blog", "campaign_id": "701Hs00000BlogQ4AA"},
        "page_url": "https://www.example.com/pricing?utm_source=linkedin",
        "page_title": "Pricing – Example",
        "submitted_at": "2026-11-23T07:00:00Z",
        "consent": true,
        "attribution": {
            "first_touch": {"utm_source": "google", "gclid": "Cj0KCQ"},
            "last_touch": {"utm_source": "linkedin", "utm_campaign": "q4 launch"}
        }
    }))
    .expect("lead parses");
    PendingDelivery {
        id: 1,
        claim_token: "token".into(),
        lead_id: 42,
        form_id: "contact-us".into(),
        destination_id: Some("test".into()),
        destination_key: "test".into(),
        attempts: 0,
        lead,
        intent: Intent::ContactRequest,
        received_at_ms: 1_795_417_200_123,
        client_ip: Some("198.51.100.7".into()),
        hubspotutk: Some("9d8c7b6a5f4e3d2c1b0a9d8c7b6a5f4e".into()),
        user_agent: None,
        event: leadform_delivery::DeliveryEvent::Created,
    }
}

async fn attempt(form: &FormDefinition, delivery: &PendingDelivery) -> DeliveryOutcome {
    attempt_at(form, delivery, &SystemClock).await
}

/// One attempt judged by `clock`: the forwarder's one clock signs, reads `Retry-After` dates and
/// times Marketo's tokens.
async fn attempt_at(
    form: &FormDefinition,
    delivery: &PendingDelivery,
    clock: &dyn ForwarderClock,
) -> DeliveryOutcome {
    let sender = HttpSender::new(Duration::from_secs(10)).expect("client");
    let destination: &Destination = &form.destinations[0];
    attempt_delivery(&sender, destination, delivery, form, None, clock).await
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn salesforce_gets_urlencoded_utf8_with_mapped_and_attribution_fields() {
    let standin = StandIn::start(Vendor::Salesforce {
        org_id: ORG_ID.into(),
    })
    .await;
    let form = form_with(json!({
        "kind": "salesforce_web_to_lead", "org_id": ORG_ID, "endpoint": standin.base_url(),
        "field_map": {"first_name": "first_name", "last_name": "last_name", "email": "email",
                      "company": "company", "job_title": "title", "message": "description",
                      "newsletter": "00N5g00000Nws01"},
        "attribution_map": {"utm_source": "00N5g00000Src01", "first_touch.gclid": "00N5g00000Gcl01",
                            "utm_campaign": "00N5g00000Cmp01"}
    }));
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Delivered(detail) if detail.starts_with("HTTP 200")),
        "{outcome:?}"
    );

    let received = standin.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert!(request.problems.is_empty(), "{:?}", request.problems);
    assert_eq!(
        request.header("idempotency-key"),
        Some(format!("{SUBMISSION_ID}:test").as_str())
    );
    assert_eq!(
        request.form().expect("strict urlencoded UTF-8"),
        pairs(&[
            ("oid", ORG_ID),
            ("company", "Café & Co. 東京"),
            ("email", "jose@example.com"),
            ("first_name", "José"),
            ("title", "Head of Growth"),
            ("last_name", "Müller-Lüdenscheidt"),
            ("description", "Line one\nline two: 100% sure?"),
            ("00N5g00000Nws01", "1"),
            ("lead_source", "Blog"),
            ("Campaign_ID", "701Hs00000BlogQ4AA"),
            ("00N5g00000Gcl01", "Cj0KCQ"),
            ("00N5g00000Cmp01", "q4 launch"),
            ("00N5g00000Src01", "linkedin"),
        ])
    );
}

#[tokio::test]
async fn salesforce_outage_and_refusal_are_told_apart() {
    let mut standin = StandIn::start(Vendor::Salesforce {
        org_id: ORG_ID.into(),
    })
    .await;
    let form = form_with(
        json!({"kind": "salesforce_web_to_lead", "org_id": ORG_ID, "endpoint": standin.base_url()}),
    );
    let delivery = delivery_with("jose@example.com");

    standin.script(Scripted::Status(503));
    let outcome = attempt(&form, &delivery).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { after: None, reason } if reason.contains("HTTP 503")),
        "{outcome:?}"
    );

    standin.stop().await;
    let outcome = attempt(&form, &delivery).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.starts_with("salesforce_web_to_lead not reachable")),
        "{outcome:?}"
    );

    standin.restart().await;
    standin.script(Scripted::Status(403));
    let outcome = attempt(&form, &delivery).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Dead("Salesforce refused the post with HTTP 403: scripted answer".into())
    );

    let outcome = attempt(&form, &delivery).await;
    assert!(
        matches!(outcome, DeliveryOutcome::Delivered(_)),
        "{outcome:?}"
    );
    assert_eq!(standin.accepted().len(), 1);
}

fn hubspot_destination(standin: &StandIn) -> serde_json::Value {
    json!({"kind": "hubspot", "portal_id": "2468013", "form_guid": "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b",
           "endpoint": standin.base_url(), "consent": {"subscription_type_id": 999}})
}

#[tokio::test]
async fn hubspot_gets_the_documented_json() {
    let standin = StandIn::start(Vendor::Hubspot {
        portal_id: "2468013".into(),
        form_guid: "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b".into(),
    })
    .await;
    let form = form_with(hubspot_destination(&standin));
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    assert_eq!(outcome, DeliveryOutcome::Delivered("HTTP 200".into()));

    let received = standin.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].problems.is_empty(),
        "{:?}",
        received[0].problems
    );
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    assert_eq!(
        received[0].json(),
        json!({
            "submittedAt": "1795417200123",
            "fields": [
                {"objectTypeId": "0-1", "name": "company", "value": "Café & Co. 東京"},
                {"objectTypeId": "0-1", "name": "email", "value": "jose@example.com"},
                {"objectTypeId": "0-1", "name": "firstname", "value": "José"},
                {"objectTypeId": "0-1", "name": "jobtitle", "value": "Head of Growth"},
                {"objectTypeId": "0-1", "name": "lastname", "value": "Müller-Lüdenscheidt"},
                {"objectTypeId": "0-1", "name": "message", "value": "Line one\nline two: 100% sure?"},
                {"objectTypeId": "0-1", "name": "newsletter", "value": "true"}
            ],
            "context": {
                "hutk": "9d8c7b6a5f4e3d2c1b0a9d8c7b6a5f4e",
                "pageUri": "https://www.example.com/pricing?utm_source=linkedin",
                "pageName": "Pricing – Example",
                "ipAddress": "198.51.100.7",
                "sfdcCampaignId": "701Hs00000BlogQ4AA"
            },
            "legalConsentOptions": {"consent": {
                "consentToProcess": true,
                "text": "Ich stimme zu, kontaktiert zu werden.",
                "communications": [{"value": true, "subscriptionTypeId": 999, "text": "Ich stimme zu, kontaktiert zu werden."}]
            }}
        })
    );
}

#[tokio::test]
async fn hubspot_429_400_and_404_answers_are_classified_with_their_reasons() {
    let standin = StandIn::start(Vendor::Hubspot {
        portal_id: "2468013".into(),
        form_guid: "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b".into(),
    })
    .await;
    let form = form_with(hubspot_destination(&standin));

    standin.script(Scripted::TooManyRequests {
        retry_after: "7".into(),
    });
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { after: Some(after), .. } if *after == Duration::from_secs(7)),
        "{outcome:?}"
    );

    let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
    standin.script(Scripted::TooManyRequests {
        retry_after: in_a_minute,
    });
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    match &outcome {
        // An HTTP date is read against our clock: between 50 and 60 s, whatever the machine's load.
        DeliveryOutcome::Retry {
            after: Some(after), ..
        } => {
            assert!(
                *after <= Duration::from_secs(60) && *after >= Duration::from_secs(50),
                "{after:?}"
            )
        }
        other => panic!("expected a retry, got {other:?}"),
    }

    let outcome = attempt(&form, &delivery_with("not-an-email")).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Dead(
            "HubSpot refused the submission (HTTP 400): INVALID_EMAIL: Error in 'fields.email'. Invalid email address".into()
        )
    );

    let mut unknown = hubspot_destination(&standin);
    unknown["form_guid"] = json!("00000000-dead-form");
    let outcome = attempt(&form_with(unknown), &delivery_with("jose@example.com")).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Dead(reason) if reason.contains("unknown form")),
        "{outcome:?}"
    );
    assert!(standin.accepted().is_empty());
}

/// A `Retry-After` date is judged by the forwarder's clock, not the machine's: with the clock in
/// 2020 and the vendor asking for 90 s after it, the wait is 90 s (the machine's clock would read
/// the date as long past and wait nothing).
#[tokio::test]
async fn a_retry_after_date_is_judged_by_the_forwarders_clock() {
    let standin = StandIn::start(Vendor::Hubspot {
        portal_id: "2468013".into(),
        form_guid: "5f1c2e3a-0b4d-4e6f-8a9b-0c1d2e3f4a5b".into(),
    })
    .await;
    let form = form_with(hubspot_destination(&standin));
    // 2020-01-01T00:00:00Z.
    let clock = ManualClock::starting_at(1_577_836_800_000);
    standin.script(Scripted::TooManyRequests {
        retry_after: httpdate::fmt_http_date(clock.now() + Duration::from_secs(90)),
    });
    let outcome = attempt_at(&form, &delivery_with("jose@example.com"), &clock).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { after: Some(after), .. } if *after == Duration::from_secs(90)),
        "{outcome:?}"
    );
}

/// A webhook's signed timestamp is the forwarder's clock too: an hour behind, the receiver's
/// replay check refuses it.
#[tokio::test]
async fn a_webhook_is_signed_with_the_forwarders_clock() {
    let variable = "LEADFORM_TEST_CLOCKED_WEBHOOK_SECRET";
    let secret = "whsec_clocked";
    std::env::set_var(variable, secret);
    let standin = StandIn::start(Vendor::Webhook {
        path: "/hooks/leads".into(),
        secret: secret.as_bytes().to_vec(),
        tolerance: Duration::from_secs(300),
    })
    .await;
    let form = form_with(
        json!({"kind": "webhook", "url": format!("{}/hooks/leads", standin.base_url()), "secret_env": variable}),
    );
    let an_hour_behind = ManualClock::starting_at(SystemClock.now_ms() - 3_600_000);
    let outcome = attempt_at(&form, &delivery_with("jose@example.com"), &an_hour_behind).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Dead("the webhook refused the lead with HTTP 401: stale timestamp".into())
    );
    let on_time = attempt_at(&form, &delivery_with("jose@example.com"), &SystemClock).await;
    assert!(
        matches!(on_time, DeliveryOutcome::Delivered(_)),
        "{on_time:?}"
    );
}

#[tokio::test]
async fn pardot_gets_external_field_names_urlencoded_and_its_redirect_counts_as_delivered() {
    let standin = StandIn::start(Vendor::Pardot {
        path: "/l/812345/2026-11-01/abc12".into(),
    })
    .await;
    let form = form_with(json!({
        "kind": "pardot_form_handler", "url": format!("{}/l/812345/2026-11-01/abc12", standin.base_url()),
        "field_map": {"email": "email", "first_name": "FirstName", "company": "Company", "lead_source": "source",
                      "job_title": null, "last_name": null, "message": null, "newsletter": null}
    }));
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Delivered(detail) if detail.starts_with("HTTP 302") && detail.contains("no machine-readable result")),
        "{outcome:?}"
    );
    let received = standin.received();
    assert!(
        received[0].problems.is_empty(),
        "{:?}",
        received[0].problems
    );
    assert_eq!(
        received[0].form().expect("strict urlencoded UTF-8"),
        pairs(&[
            ("Company", "Café & Co. 東京"),
            ("email", "jose@example.com"),
            ("FirstName", "José"),
            ("source", "Blog")
        ])
    );
}

#[tokio::test]
async fn webhooks_are_signed_and_a_missing_secret_waits_with_a_clear_reason() {
    let secret = b"whsec_test_0123456789".to_vec();
    let standin = StandIn::start(Vendor::Webhook {
        path: "/hooks/leads".into(),
        secret: secret.clone(),
        tolerance: Duration::from_secs(300),
    })
    .await;
    std::env::set_var("LEADFORM_TEST_HOOK_SECRET_OK", "whsec_test_0123456789");
    std::env::set_var("LEADFORM_TEST_HOOK_SECRET_WRONG", "not the shared secret");
    let url = format!("{}/hooks/leads", standin.base_url());

    let form = form_with(
        json!({"kind": "webhook", "url": url, "secret_env": "LEADFORM_TEST_HOOK_SECRET_OK"}),
    );
    let outcome = attempt(&form, &delivery_with("jose@example.com")).await;
    assert_eq!(outcome, DeliveryOutcome::Delivered("HTTP 200".into()));
    let received = standin.received();
    assert!(
        received[0].problems.is_empty(),
        "{:?}",
        received[0].problems
    );
    let body = received[0].json();
    assert_eq!(body["submission_id"], SUBMISSION_ID);
    assert_eq!(body["lead_id"], 42);
    assert_eq!(body["intent"], "contact_request");
    assert_eq!(body["received_at"], "2026-11-23T07:00:00.123Z");
    assert_eq!(body["fields"]["company"], "Café & Co. 東京");
    assert_eq!(
        body["hidden"],
        json!({"lead_source": "Blog", "campaign_id": "701Hs00000BlogQ4AA"})
    );
    assert_eq!(body["attribution"]["first_touch"]["gclid"], "Cj0KCQ");

    let wrong = form_with(
        json!({"kind": "webhook", "url": url, "secret_env": "LEADFORM_TEST_HOOK_SECRET_WRONG"}),
    );
    let outcome = attempt(&wrong, &delivery_with("jose@example.com")).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Dead("the webhook refused the lead with HTTP 401: bad signature".into())
    );

    let unset = form_with(
        json!({"kind": "webhook", "url": url, "secret_env": "LEADFORM_TEST_HOOK_SECRET_UNSET"}),
    );
    let outcome = attempt(&unset, &delivery_with("jose@example.com")).await;
    match outcome {
        DeliveryOutcome::Retry {
            after: None,
            reason,
        } => {
            assert!(
                reason.contains("`LEADFORM_TEST_HOOK_SECRET_UNSET` is not set"),
                "{reason}"
            )
        }
        other => panic!("a missing secret must wait, not be dropped: {other:?}"),
    }
    assert_eq!(
        standin.received().len(),
        2,
        "nothing is sent without a secret"
    );
}

#[tokio::test]
async fn a_webhook_receiver_refuses_a_replayed_old_signature() {
    let secret = b"whsec_replay".to_vec();
    let standin = StandIn::start(Vendor::Webhook {
        path: "/hooks/leads".into(),
        secret: secret.clone(),
        tolerance: Duration::from_secs(300),
    })
    .await;
    let form = form_with(
        json!({"kind": "webhook", "url": format!("{}/hooks/leads", standin.base_url()), "secret_env": "UNUSED"}),
    );
    let Destination::Webhook(hook) = &form.destinations[0] else {
        unreachable!()
    };
    let an_hour_ago = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 3600;
    let request = leadform_delivery::vendors::webhook::build_request(
        hook,
        &delivery_with("jose@example.com"),
        &form,
        &secret,
        an_hour_ago,
    );
    let sender = HttpSender::new(Duration::from_secs(10)).expect("client");
    let outcome = leadform_delivery::send_and_classify(
        &sender,
        &form.destinations[0],
        &request,
        &SystemClock,
    )
    .await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Dead("the webhook refused the lead with HTTP 401: stale timestamp".into())
    );
}
