//! The shared signing secret, spent form tokens, and the visitor id's rotation (issue 7).

use crate::support;

use leadform_core::KnownProfile;
use leadform_store::{InsertOutcome, Store};
use support::{new_lead, new_submission_id, on_each_database, spending, test_databases};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_secret_stored_is_the_one_every_instance_reads() {
    for database in test_databases().await {
        let label = database.label;
        // Two instances starting at once on the same database, each with its own candidate.
        let (first, second) = (database.open().await, database.open().await);
        let (a, b) = tokio::join!(
            first.server_secret("signing", "aaaa", 1),
            second.server_secret("signing", "bbbb", 1)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "{label}: both instances sign with one secret");
        assert!(a == "aaaa" || a == "bbbb", "{label}: {a}");
        // A restart with a new candidate keeps the stored one; another purpose has its own.
        assert_eq!(first.server_secret("signing", "cccc", 2).await.unwrap(), a);
        assert_eq!(
            first.server_secret("other", "dddd", 2).await.unwrap(),
            "dddd"
        );
        first.close().await;
        second.close().await;
        database.finish().await;
    }
}

/// `Some(replayed)` for a new lead, `None` for one stored before.
fn replayed(outcome: InsertOutcome) -> Option<bool> {
    match outcome {
        InsertOutcome::Inserted {
            replayed_form_token,
            ..
        } => Some(replayed_form_token),
        InsertOutcome::AlreadyStored { .. } => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_token_carries_one_submission_and_its_retries() {
    on_each_database(async |store: &Store, label| {
        let (mine, other, third) = (
            new_submission_id(),
            new_submission_id(),
            new_submission_id(),
        );
        let first = store
            .insert_lead(spending("t1", new_lead(&mine, "ada@example.com", 10)))
            .await
            .unwrap();
        assert_eq!(replayed(first), Some(false), "{label}: first use");
        assert_eq!(
            store
                .insert_lead(spending("t1", new_lead(&mine, "ada@example.com", 20)))
                .await
                .unwrap(),
            InsertOutcome::AlreadyStored {
                lead_id: first.lead_id(),
                same_payload: true
            },
            "{label}: a retry of the same submission"
        );
        let replay = store
            .insert_lead(spending("t1", new_lead(&other, "grace@example.com", 30)))
            .await
            .unwrap();
        assert_eq!(replayed(replay), Some(true), "{label}: a replay");
        let stored = store.export_leads().await.unwrap();
        let spam: Vec<bool> = stored.iter().map(|lead| lead.is_spam).collect();
        assert_eq!(spam, [false, true], "{label}: the replay is stored as spam");
        let deliveries = store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .unwrap();
        assert!(
            deliveries.iter().all(|d| d.lead_id == first.lead_id()),
            "{label}: the replay is delivered nowhere: {deliveries:?}"
        );
        assert_eq!(
            replayed(
                store
                    .insert_lead(spending("t2", new_lead(&third, "alan@example.com", 30)))
                    .await
                    .unwrap()
            ),
            Some(false),
            "{label}: another token is free"
        );
        assert_eq!(
            store.forget_form_tokens_used_before(30).await.unwrap(),
            1,
            "{label}: only t1 was used before 30"
        );
        assert_eq!(
            replayed(
                store
                    .insert_lead(spending(
                        "t2",
                        new_lead(&new_submission_id(), "edsger@example.com", 40)
                    ))
                    .await
                    .unwrap()
            ),
            Some(true),
            "{label}: t2 is still remembered"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_leads_spending_one_token_have_exactly_one_owner() {
    on_each_database(async |store: &Store, label| {
        let mut tasks = Vec::new();
        for n in 0..20 {
            let store = store.clone();
            let lead = spending(
                "shared",
                new_lead(&new_submission_id(), &format!("lead{n}@example.com"), 1),
            );
            tasks.push(tokio::spawn(async move { store.insert_lead(lead).await }));
        }
        let mut uses = Vec::new();
        for task in tasks {
            uses.push(replayed(task.await.expect("task").expect("stored")));
        }
        let owners = uses.iter().filter(|u| **u == Some(false)).count();
        assert_eq!(owners, 1, "{label}: {uses:?}");
        assert_eq!(uses.len(), 20);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_profile_follows_a_rotated_visitor_id() {
    on_each_database(async |store: &Store, label| {
        let answers = |name: &str| KnownProfile {
            known: [name.to_string()].into_iter().collect(),
            values: Default::default(),
        };
        let mut first = new_lead(&new_submission_id(), "ada@example.com", 1);
        first.visitor_id = Some("v-old".into());
        first.profile_answers = Some(answers("company"));
        store.insert_lead(first).await.unwrap();

        let mut second = new_lead(&new_submission_id(), "ada@example.com", 2);
        second.previous_visitor_id = Some("v-old".into());
        second.visitor_id = Some("v-new".into());
        second.profile_answers = Some(answers("job_title"));
        store.insert_lead(second).await.unwrap();

        assert!(
            store.visitor_profile("v-old").await.unwrap().is_empty(),
            "{label}: the old id knows nothing any more"
        );
        let known: Vec<String> = store
            .visitor_profile("v-new")
            .await
            .unwrap()
            .known
            .into_iter()
            .collect();
        assert_eq!(known, ["company", "job_title"], "{label}");
    })
    .await;
}
