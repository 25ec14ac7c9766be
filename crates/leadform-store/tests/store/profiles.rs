//! Visitor profiles: answers merge in the lead's transaction, and "Not you?" forgets them.

use crate::support;

use leadform_core::KnownProfile;
use leadform_store::Store;
use support::{new_lead, new_submission_id, on_each_database};

fn profile(known: &[&str], values: &[(&str, &str)]) -> KnownProfile {
    KnownProfile {
        known: known.iter().map(|n| n.to_string()).collect(),
        values: values
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

async fn submit(store: &Store, visitor_id: &str, answers: KnownProfile, received_at_ms: i64) {
    let mut lead = new_lead(&new_submission_id(), "ada@example.com", received_at_ms);
    lead.visitor_id = Some(visitor_id.to_string());
    lead.profile_answers = Some(answers);
    store.insert_lead(lead).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_merge_into_the_visitors_profile() {
    on_each_database(async |store: &Store, label| {
        assert!(
            store.visitor_profile("v-1").await.unwrap().is_empty(),
            "{label}: unknown visitor"
        );

        submit(
            store,
            "v-1",
            profile(&["email", "company"], &[("email", "ada@old.example")]),
            1,
        )
        .await;
        submit(
            store,
            "v-1",
            profile(&["email", "job_title"], &[("email", "ada@example.com")]),
            2,
        )
        .await;
        submit(store, "v-2", profile(&["phone"], &[]), 3).await;

        assert_eq!(
            store.visitor_profile("v-1").await.unwrap(),
            profile(
                &["company", "email", "job_title"],
                &[("email", "ada@example.com")]
            ),
            "{label}: the union, fresher values win"
        );
        assert_eq!(
            store.visitor_profile("v-2").await.unwrap(),
            profile(&["phone"], &[]),
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_of_one_visitor_lose_no_answer() {
    on_each_database(async |store: &Store, label| {
        let fields = [
            "company",
            "job_title",
            "phone",
            "country",
            "size",
            "industry",
            "city",
            "state",
        ];
        let mut inserts = tokio::task::JoinSet::new();
        for (n, field) in fields.iter().enumerate() {
            let store = store.clone();
            let answers = profile(&[field], &[]);
            inserts.spawn(async move { submit(&store, "v-busy", answers, n as i64).await });
        }
        while let Some(joined) = inserts.join_next().await {
            joined.expect("submit task");
        }
        assert_eq!(
            store.visitor_profile("v-busy").await.unwrap(),
            profile(&fields, &[]),
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forgetting_a_visitor_clears_the_profile_but_keeps_the_leads() {
    on_each_database(async |store: &Store, label| {
        submit(
            store,
            "v-1",
            profile(&["email"], &[("email", "ada@example.com")]),
            1,
        )
        .await;
        submit(store, "v-2", profile(&["phone"], &[]), 2).await;

        store.forget_visitor("v-1").await.unwrap();
        store.forget_visitor("never-seen").await.unwrap();

        assert!(
            store.visitor_profile("v-1").await.unwrap().is_empty(),
            "{label}"
        );
        assert!(
            !store.visitor_profile("v-2").await.unwrap().is_empty(),
            "{label}: others stay"
        );
        assert_eq!(
            store.export_leads().await.unwrap().len(),
            2,
            "{label}: leads stay"
        );

        // The same cookie id later starts a fresh profile.
        submit(store, "v-1", profile(&["company"], &[]), 3).await;
        assert_eq!(
            store.visitor_profile("v-1").await.unwrap(),
            profile(&["company"], &[]),
            "{label}"
        );
    })
    .await;
}
