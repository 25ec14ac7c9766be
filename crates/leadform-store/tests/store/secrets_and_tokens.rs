//! The shared signing secret, spent form tokens, and the visitor id's rotation (issue 7).

use crate::support;

use leadform_core::KnownProfile;
use leadform_store::{FormTokenUse, Store};
use support::{new_lead, new_submission_id, on_each_database, test_databases};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_token_carries_one_submission_and_its_retries() {
    on_each_database(async |store: &Store, label| {
        let (mine, other) = (new_submission_id(), new_submission_id());
        assert_eq!(
            store.use_form_token("t1", &mine, 10).await.unwrap(),
            FormTokenUse::ThisSubmission,
            "{label}: first use"
        );
        assert_eq!(
            store.use_form_token("t1", &mine, 20).await.unwrap(),
            FormTokenUse::ThisSubmission,
            "{label}: a retry of the same submission"
        );
        assert_eq!(
            store.use_form_token("t1", &other, 30).await.unwrap(),
            FormTokenUse::AnotherSubmission,
            "{label}: a replay by another submission"
        );
        assert_eq!(
            store.use_form_token("t2", &other, 30).await.unwrap(),
            FormTokenUse::ThisSubmission,
            "{label}: another token is free"
        );
        assert_eq!(
            store.forget_form_tokens_used_before(30).await.unwrap(),
            1,
            "{label}: only t1 was used before 30"
        );
        assert_eq!(
            store.use_form_token("t2", &mine, 40).await.unwrap(),
            FormTokenUse::AnotherSubmission,
            "{label}: t2 is still remembered"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_uses_of_one_token_have_exactly_one_owner() {
    on_each_database(async |store: &Store, label| {
        let submissions: Vec<String> = (0..20).map(|_| new_submission_id()).collect();
        let uses = futures_join_all(store, &submissions).await;
        let owners = uses
            .iter()
            .filter(|u| **u == FormTokenUse::ThisSubmission)
            .count();
        assert_eq!(owners, 1, "{label}: {uses:?}");
    })
    .await;
}

async fn futures_join_all(store: &Store, submissions: &[String]) -> Vec<FormTokenUse> {
    let mut tasks = Vec::new();
    for submission in submissions {
        let store = store.clone();
        let submission = submission.clone();
        tasks.push(tokio::spawn(async move {
            store.use_form_token("shared", &submission, 1).await
        }));
    }
    let mut uses = Vec::new();
    for task in tasks {
        uses.push(task.await.expect("task").expect("use"));
    }
    uses
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
