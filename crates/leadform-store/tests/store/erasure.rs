//! Erasure: `forget --email` erases a person and retention erases old leads, leaving tombstones;
//! `export --email` reads everything about a person. Every test runs on SQLite and PostgreSQL.

use crate::support;

use leadform_core::KnownProfile;
use leadform_delivery::OutboxStore;
use leadform_store::DeliveryStatus;
use leadform_store::{DeliveryFilter, ErasureReport, Store};
use support::{new_lead, new_submission_id, on_each_database};

const T0: i64 = 1_795_000_000_000;
const DAY_MS: i64 = 86_400_000;
const LEASE_MS: i64 = 30_000;

fn answers(email: &str) -> KnownProfile {
    KnownProfile {
        known: ["email".to_owned(), "first_name".to_owned()].into(),
        values: [("email".to_owned(), email.to_owned())].into(),
    }
}

/// Stores a lead from `email` in the visitor's browser `visitor_id`; returns its id.
async fn submit(store: &Store, email: &str, visitor_id: &str, received_at_ms: i64) -> i64 {
    let mut lead = new_lead(&new_submission_id(), email, received_at_ms);
    lead.visitor_id = Some(visitor_id.to_owned());
    lead.profile_answers = Some(answers(email));
    store.insert_lead(lead).await.unwrap().lead_id()
}

/// Ada's first lead's Salesforce delivery is delivered; everything else stays pending.
async fn deliver_first(store: &Store) {
    let claimed = store.claim_due(T0, 1, LEASE_MS).await.unwrap();
    store
        .mark_delivered(
            claimed[0].id,
            &claimed[0].claim_token,
            "HTTP 200 ada@example.com",
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forget_erases_the_persons_leads_profile_and_pending_deliveries() {
    on_each_database(async |store: &Store, label| {
        let ada_first = submit(store, "ada@example.com", "v-ada", T0).await;
        let ada_second = submit(store, "Ada@Example.com", "v-ada-phone", T0 + 1).await;
        let bob = submit(store, "bob@example.com", "v-bob", T0 + 2).await;
        // A spam lead with Ada's email has no person link but still holds her data.
        let mut spam = new_lead(&new_submission_id(), "ada@example.com", T0 + 3);
        spam.is_spam = true;
        let spam = store.insert_lead(spam).await.unwrap().lead_id();
        deliver_first(store).await;

        let report = store
            .forget_person("  ADA@example.COM ", T0 + DAY_MS)
            .await
            .unwrap();
        assert_eq!(
            report,
            Some(ErasureReport {
                leads: 3,
                persons: 1,
                profiles: 2,
                deliveries_cancelled: 3,
            }),
            "{label}"
        );

        let leads = store.export_leads().await.unwrap();
        for erased in leads
            .iter()
            .filter(|l| [ada_first, ada_second, spam].contains(&l.id))
        {
            assert_eq!(erased.email, None, "{label}");
            assert!(erased.lead.fields.is_empty(), "{label}: {erased:?}");
            assert_eq!(erased.lead.attribution, None, "{label}");
            assert_eq!(erased.lead.page_url, "", "{label}");
            assert_eq!(erased.raw_payload, "", "{label}");
            assert_eq!(
                erased.erased_at.as_deref(),
                Some("2026-11-19T11:06:40.000Z"),
                "{label}: the tombstone says when"
            );
            // What says nothing about the person stays, so reports still add up.
            assert_eq!(erased.form_id, "contact-us");
            assert_eq!(
                erased.lead.hidden.campaign_id.as_deref(),
                Some("7015g000000ABCDAA4")
            );
        }
        let bob_lead = leads.iter().find(|l| l.id == bob).unwrap();
        assert_eq!(
            bob_lead.email.as_deref(),
            Some("bob@example.com"),
            "{label}"
        );
        assert_eq!(bob_lead.erased_at, None);
        assert_eq!(bob_lead.lead.fields["first_name"], "Ada");

        assert!(
            store.visitor_profile("v-ada").await.unwrap().is_empty(),
            "{label}"
        );
        assert!(store
            .visitor_profile("v-ada-phone")
            .await
            .unwrap()
            .is_empty());
        assert!(!store.visitor_profile("v-bob").await.unwrap().is_empty());

        let deliveries = store.list_deliveries(DeliveryFilter::All).await.unwrap();
        for delivery in deliveries.iter().filter(|d| d.lead_id != bob) {
            if delivery.status == DeliveryStatus::Delivered {
                assert_eq!(delivery.delivered_detail, None, "{label}: {delivery:?}");
                assert!(delivery.delivered_at.is_some());
            } else {
                assert_eq!(
                    delivery.status,
                    DeliveryStatus::Dead,
                    "{label}: {delivery:?}"
                );
                assert_eq!(
                    delivery.last_error.as_deref(),
                    Some("cancelled: the lead was erased at 2026-11-19T11:06:40.000Z")
                );
            }
        }
        assert_eq!(
            deliveries
                .iter()
                .filter(|d| d.status == DeliveryStatus::Delivered)
                .count(),
            1,
            "{label}"
        );

        // The forwarder never sends a cancelled delivery, and no retry brings one back.
        let due: Vec<i64> = store
            .claim_due(T0 + 2 * DAY_MS, 100, LEASE_MS)
            .await
            .unwrap()
            .iter()
            .map(|d| d.lead_id)
            .collect();
        assert_eq!(due, vec![bob, bob], "{label}");
        assert_eq!(store.retry_dead().await.unwrap(), 0, "{label}");
        for delivery in deliveries.iter().filter(|d| d.lead_id != bob) {
            assert!(!store.retry_delivery(delivery.id).await.unwrap(), "{label}");
        }

        // Nothing is left to find: the person is gone, a second forget finds no one.
        assert_eq!(
            store.person_access_record("ada@example.com").await.unwrap(),
            None
        );
        assert_eq!(
            store
                .forget_person("ada@example.com", T0 + 2 * DAY_MS)
                .await
                .unwrap(),
            None,
            "{label}"
        );
        assert_eq!(
            store.forget_person("nobody@example.com", T0).await.unwrap(),
            None
        );

        // The same person coming back later is a new person with a new first lead.
        let back = submit(store, "ada@example.com", "v-ada", T0 + 3 * DAY_MS).await;
        let record = store
            .person_access_record("ada@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.leads.len(), 1, "{label}");
        assert_eq!(record.leads[0].stored.id, back);
        assert!(record.leads[0].stored.first_for_person);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_access_record_holds_everything_about_the_person() {
    on_each_database(async |store: &Store, label| {
        let first = submit(store, "ada@example.com", "v-ada", T0).await;
        let second = submit(store, "ADA@example.com", "v-ada-phone", T0 + 1).await;
        submit(store, "bob@example.com", "v-bob", T0 + 2).await;
        deliver_first(store).await;

        let record = store
            .person_access_record(" Ada@Example.com")
            .await
            .unwrap()
            .expect("Ada is stored");
        assert_eq!(record.email, "ada@example.com", "{label}");
        let person = record.person.expect("a person row");
        assert_eq!(person.email, "ada@example.com");
        assert_eq!(person.first_lead_id, Some(first));
        assert_eq!(person.created_at, "2026-11-18T11:06:40.000Z");
        let ids: Vec<i64> = record.leads.iter().map(|l| l.stored.id).collect();
        assert_eq!(ids, vec![first, second], "{label}");
        let lead = &record.leads[0];
        assert_eq!(lead.client_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(lead.hubspotutk.as_deref(), Some("abc123hutk"));
        assert_eq!(lead.visitor_id.as_deref(), Some("v-ada"));
        assert_eq!(lead.status, "open");
        assert_eq!(lead.stored.lead.fields["company"], "Analytical Engines");
        assert!(lead.stored.lead.attribution.is_some());
        assert!(!lead.stored.raw_payload.is_empty());
        let visitors: Vec<&str> = record
            .profiles
            .iter()
            .map(|p| p.visitor_id.as_str())
            .collect();
        assert_eq!(visitors, vec!["v-ada", "v-ada-phone"], "{label}");
        assert_eq!(record.profiles[0].profile, answers("ada@example.com"));
        assert_eq!(
            record.deliveries.len(),
            4,
            "{label}: two destinations per lead"
        );
        assert!(record
            .deliveries
            .iter()
            .all(|d| [first, second].contains(&d.lead_id)));
        assert_eq!(
            record
                .deliveries
                .iter()
                .filter(|d| d.status == DeliveryStatus::Delivered)
                .count(),
            1
        );

        assert_eq!(
            store
                .person_access_record("carol@example.com")
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retention_erases_only_old_leads_of_the_form_and_people_left_with_none() {
    on_each_database(async |store: &Store, label| {
        // Ada: one old lead, one recent, from the same browser. Bob: only an old lead.
        let ada_old = submit(store, "ada@example.com", "v-ada", T0).await;
        let ada_new = submit(store, "ada@example.com", "v-ada", T0 + 20 * DAY_MS).await;
        let bob_old = submit(store, "bob@example.com", "v-bob", T0 + 1).await;
        // Another form's old lead is not this form's retention's business.
        let mut other = new_lead(&new_submission_id(), "carol@example.com", T0);
        other.lead.form_id = "ebook".into();
        let other = store.insert_lead(other).await.unwrap().lead_id();

        let now = T0 + 31 * DAY_MS;
        let cutoff = now - 30 * DAY_MS;
        let report = store
            .erase_leads_received_before("contact-us", cutoff, now)
            .await
            .unwrap();
        assert_eq!(
            report,
            ErasureReport {
                leads: 2,
                persons: 1,
                profiles: 1,
                deliveries_cancelled: 4,
            },
            "{label}"
        );
        let leads = store.export_leads().await.unwrap();
        let erased: Vec<i64> = leads
            .iter()
            .filter(|l| l.erased_at.is_some())
            .map(|l| l.id)
            .collect();
        assert_eq!(erased, vec![ada_old, bob_old], "{label}");
        assert!(leads.iter().any(|l| l.id == ada_new && l.email.is_some()));
        assert!(leads.iter().any(|l| l.id == other && l.email.is_some()));
        // Ada still has a kept lead, so her person row and her browser's profile stay; Bob has
        // none, so his go.
        assert!(store
            .person_access_record("ada@example.com")
            .await
            .unwrap()
            .is_some());
        assert!(
            !store.visitor_profile("v-ada").await.unwrap().is_empty(),
            "{label}"
        );
        assert_eq!(
            store.person_access_record("bob@example.com").await.unwrap(),
            None
        );
        assert!(
            store.visitor_profile("v-bob").await.unwrap().is_empty(),
            "{label}"
        );

        // Idempotent: a second run (another instance, or the next day) finds nothing to do.
        let again = store
            .erase_leads_received_before("contact-us", cutoff, now + 1)
            .await
            .unwrap();
        assert_eq!(again, ErasureReport::default(), "{label}");
    })
    .await;
}
