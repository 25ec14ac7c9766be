//! Storing leads: one transaction, idempotent by submission id, persons linked by email, spam kept
//! out of the outbox. Runs on SQLite and, when configured, PostgreSQL.

use crate::support;

use leadform_core::Intent;
use leadform_store::DeliveryStatus;
use leadform_store::{DeliveryFilter, InsertOutcome, Store};
use support::{new_lead, new_submission_id, on_each_database};

const RECEIVED_AT_MS: i64 = 1_795_417_506_123; // 2026-11-23T07:05:06.123Z

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lead_is_stored_with_its_deliveries_and_columns() {
    on_each_database(async |store: &Store, label| {
        let id = new_submission_id();
        let outcome = store
            .insert_lead(new_lead(&id, "Ada@Example.com", RECEIVED_AT_MS))
            .await
            .unwrap();
        let InsertOutcome::Inserted {
            lead_id,
            person_id,
            first_for_person,
            replayed_form_token: false,
        } = outcome
        else {
            panic!("{label}: expected Inserted, got {outcome:?}");
        };
        assert!(person_id.is_some(), "{label}");
        assert!(first_for_person, "{label}");

        let leads = store.export_leads().await.unwrap();
        assert_eq!(leads.len(), 1, "{label}");
        let stored = &leads[0];
        assert_eq!(stored.id, lead_id);
        assert_eq!(stored.submission_id, id);
        assert_eq!(stored.form_id, "contact-us");
        assert_eq!(stored.intent, Intent::ContactRequest);
        assert_eq!(stored.received_at, "2026-11-23T07:05:06.123Z");
        assert_eq!(stored.lead.fields["email"], "Ada@Example.com");
        assert_eq!(
            stored.lead.hidden.campaign_id.as_deref(),
            Some("7015g000000ABCDAA4")
        );
        assert!(stored.raw_payload.contains(&id));

        let deliveries = store.list_deliveries(DeliveryFilter::All).await.unwrap();
        assert_eq!(deliveries.len(), 2, "{label}: one delivery per destination");
        for delivery in &deliveries {
            assert_eq!(delivery.lead_id, lead_id);
            assert_eq!(delivery.submission_id, id);
            assert_eq!(delivery.status, DeliveryStatus::Pending);
            assert_eq!(delivery.attempts, 0);
            assert_eq!(
                delivery.next_attempt_at.as_deref(),
                Some("2026-11-23T07:05:06.123Z")
            );
            assert_eq!(delivery.delivered_at, None);
        }
        assert_eq!(deliveries[0].destination_kind, "salesforce_web_to_lead");
        assert_eq!(deliveries[1].destination_key, "hubspot:123456");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_repeated_submission_id_stores_nothing_and_returns_the_first_lead() {
    on_each_database(async |store: &Store, label| {
        let id = new_submission_id();
        let first = store
            .insert_lead(new_lead(&id, "ada@example.com", RECEIVED_AT_MS))
            .await
            .unwrap();

        let again = store
            .insert_lead(new_lead(&id, "ada@example.com", RECEIVED_AT_MS + 5))
            .await
            .unwrap();
        assert_eq!(
            again,
            InsertOutcome::AlreadyStored {
                lead_id: first.lead_id(),
                same_payload: true
            },
            "{label}"
        );

        // A retry the browser rebuilt after a lost answer: new timestamp and fill time, same answers.
        let mut rebuilt = new_lead(&id, "ada@example.com", RECEIVED_AT_MS + 7);
        rebuilt.lead.submitted_at = "2026-11-23T07:00:05.000Z".into();
        rebuilt.lead.bot_check.fill_ms += 4000;
        rebuilt.raw_payload.push(' ');
        assert_eq!(
            store.insert_lead(rebuilt).await.unwrap(),
            InsertOutcome::AlreadyStored {
                lead_id: first.lead_id(),
                same_payload: true
            },
            "{label}"
        );

        let mut changed = new_lead(&id, "someone.else@example.com", RECEIVED_AT_MS + 9);
        changed.raw_payload.push(' ');
        let reused = store.insert_lead(changed).await.unwrap();
        assert_eq!(
            reused,
            InsertOutcome::AlreadyStored {
                lead_id: first.lead_id(),
                same_payload: false
            },
            "{label}"
        );

        assert_eq!(store.export_leads().await.unwrap().len(), 1, "{label}");
        assert_eq!(
            store
                .list_deliveries(DeliveryFilter::All)
                .await
                .unwrap()
                .len(),
            2,
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_inserts_of_one_submission_make_one_row() {
    on_each_database(async |store: &Store, label| {
        let id = new_submission_id();
        let mut inserts = tokio::task::JoinSet::new();
        for attempt in 0..1000 {
            let store = store.clone();
            let lead = new_lead(&id, "ada@example.com", RECEIVED_AT_MS + attempt);
            inserts.spawn(async move { store.insert_lead(lead).await });
        }
        let (mut inserted, mut already_stored) = (0, 0);
        let mut lead_ids = std::collections::BTreeSet::new();
        while let Some(joined) = inserts.join_next().await {
            match joined.expect("insert task") {
                Ok(InsertOutcome::Inserted { lead_id, .. }) => {
                    inserted += 1;
                    lead_ids.insert(lead_id);
                }
                Ok(InsertOutcome::AlreadyStored {
                    lead_id,
                    same_payload,
                }) => {
                    already_stored += 1;
                    assert!(same_payload, "{label}");
                    lead_ids.insert(lead_id);
                }
                Err(e) => panic!("{label}: a concurrent insert failed: {e}"),
            }
        }
        assert_eq!((inserted, already_stored), (1, 999), "{label}");
        assert_eq!(lead_ids.len(), 1, "{label}: every caller got the same lead");
        assert_eq!(store.export_leads().await.unwrap().len(), 1, "{label}");
        assert_eq!(
            store
                .list_deliveries(DeliveryFilter::All)
                .await
                .unwrap()
                .len(),
            2,
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leads_with_one_email_link_to_one_person() {
    on_each_database(async |store: &Store, label| {
        let first = store
            .insert_lead(new_lead(
                &new_submission_id(),
                "ada@example.com",
                RECEIVED_AT_MS,
            ))
            .await
            .unwrap();
        let second = store
            .insert_lead(new_lead(
                &new_submission_id(),
                " ADA@example.com",
                RECEIVED_AT_MS + 1,
            ))
            .await
            .unwrap();
        let other = store
            .insert_lead(new_lead(
                &new_submission_id(),
                "grace@example.com",
                RECEIVED_AT_MS + 2,
            ))
            .await
            .unwrap();
        let mut anonymous = new_lead(&new_submission_id(), "", RECEIVED_AT_MS + 3);
        anonymous.email = None;
        let anonymous = store.insert_lead(anonymous).await.unwrap();

        let (
            InsertOutcome::Inserted {
                person_id: Some(ada),
                first_for_person: true,
                ..
            },
            InsertOutcome::Inserted {
                person_id: Some(ada_again),
                first_for_person: false,
                ..
            },
            InsertOutcome::Inserted {
                person_id: Some(grace),
                first_for_person: true,
                ..
            },
            InsertOutcome::Inserted {
                person_id: None,
                first_for_person: false,
                ..
            },
        ) = (first, second, other, anonymous)
        else {
            panic!("{label}: unexpected outcomes {first:?} {second:?} {other:?} {anonymous:?}");
        };
        assert_eq!(ada, ada_again, "{label}");
        assert_ne!(ada, grace, "{label}");

        let exported = store.export_leads().await.unwrap();
        let persons: Vec<(Option<i64>, bool)> = exported
            .iter()
            .map(|l| (l.person_id, l.first_for_person))
            .collect();
        assert_eq!(
            persons,
            [
                (Some(ada), true),
                (Some(ada), false),
                (Some(grace), true),
                (None, false)
            ],
            "{label}: export shows the person and whether the lead is their first"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_leads_of_one_new_person_have_exactly_one_first() {
    on_each_database(async |store: &Store, label| {
        let mut inserts = tokio::task::JoinSet::new();
        for n in 0..40 {
            let store = store.clone();
            let lead = new_lead(&new_submission_id(), "lin@example.com", RECEIVED_AT_MS + n);
            inserts.spawn(async move { store.insert_lead(lead).await });
        }
        let mut persons = std::collections::BTreeSet::new();
        let mut firsts = 0;
        while let Some(joined) = inserts.join_next().await {
            let InsertOutcome::Inserted {
                person_id,
                first_for_person,
                ..
            } = joined.unwrap().unwrap()
            else {
                panic!("{label}: distinct submissions must all be inserted");
            };
            persons.insert(person_id);
            firsts += usize::from(first_for_person);
        }
        assert_eq!(persons.len(), 1, "{label}");
        assert_eq!(firsts, 1, "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spam_is_kept_but_never_linked_or_forwarded() {
    on_each_database(async |store: &Store, label| {
        let mut spam = new_lead(&new_submission_id(), "ada@example.com", RECEIVED_AT_MS);
        spam.is_spam = true;
        spam.visitor_id = Some("visitor-spam".into());
        spam.profile_answers = Some(leadform_core::KnownProfile {
            known: ["email".to_string()].into(),
            values: Default::default(),
        });
        let outcome = store.insert_lead(spam).await.unwrap();
        assert!(
            matches!(
                outcome,
                InsertOutcome::Inserted {
                    person_id: None,
                    first_for_person: false,
                    ..
                }
            ),
            "{label}: {outcome:?}"
        );
        assert!(
            store
                .list_deliveries(DeliveryFilter::All)
                .await
                .unwrap()
                .is_empty(),
            "{label}"
        );
        assert!(
            store
                .visitor_profile("visitor-spam")
                .await
                .unwrap()
                .is_empty(),
            "{label}"
        );
        let exported = store.export_leads().await.unwrap();
        assert_eq!(exported.len(), 1, "{label}");
        assert!(exported[0].is_spam, "{label}");

        // The person's first real lead is still their first.
        let real = store
            .insert_lead(new_lead(
                &new_submission_id(),
                "ada@example.com",
                RECEIVED_AT_MS + 1,
            ))
            .await
            .unwrap();
        assert!(
            matches!(
                real,
                InsertOutcome::Inserted {
                    first_for_person: true,
                    ..
                }
            ),
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn export_is_oldest_first_and_keeps_the_intent() {
    on_each_database(async |store: &Store, label| {
        let mut download = new_lead(&new_submission_id(), "ada@example.com", RECEIVED_AT_MS + 10);
        download.intent = Intent::ContentDownload;
        download.lead.form_id = "ebook-12-charts".into();
        let download_id = download.lead.submission_id.clone();
        store.insert_lead(download).await.unwrap();
        let earlier_id = new_submission_id();
        store
            .insert_lead(new_lead(&earlier_id, "ada@example.com", RECEIVED_AT_MS))
            .await
            .unwrap();

        let exported = store.export_leads().await.unwrap();
        let order: Vec<(&str, Intent)> = exported
            .iter()
            .map(|l| (l.submission_id.as_str(), l.intent))
            .collect();
        assert_eq!(
            order,
            [
                (earlier_id.as_str(), Intent::ContactRequest),
                (download_id.as_str(), Intent::ContentDownload)
            ],
            "{label}"
        );
        assert_eq!(exported[1].form_id, "ebook-12-charts");
    })
    .await;
}
