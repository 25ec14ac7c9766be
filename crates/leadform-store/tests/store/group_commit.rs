//! Group commit (issue 13 §5): leads queued together share one transaction, and each still gets the
//! answer it would get alone. The batches are made certain by holding the database's write lock
//! from another connection while the jobs queue up behind a first lead.

use crate::support;

use leadform_scoring::ScoringRules;
use leadform_store::{GroupCommitter, InsertOutcome, KnownProfile, NewLead, Store, StoreError};
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::sync::Arc;
use std::time::Duration;
use support::{new_lead, new_submission_id, spending, test_databases, TestDatabase};
use tokio::task::JoinHandle;

/// Time for spawned jobs to reach the committer's queue (or for the first to reach the lock).
const SETTLE: Duration = Duration::from_millis(500);

/// Another connection holding what the committer needs to write: SQLite's write lock, or on
/// PostgreSQL an exclusive lock on `leads` (form tokens can still be recorded).
enum WriteLock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriteLock {
    async fn take(db: &TestDatabase) -> WriteLock {
        if db.label == "sqlite" {
            let mut connection = SqliteConnection::connect(&db.db).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut connection)
                .await
                .unwrap();
            WriteLock::Sqlite(connection)
        } else {
            let mut connection = PgConnection::connect(&db.db).await.unwrap();
            sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
            sqlx::query("LOCK TABLE leads IN EXCLUSIVE MODE")
                .execute(&mut connection)
                .await
                .unwrap();
            WriteLock::Postgres(connection)
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
            WriteLock::Postgres(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Test triggers: a lead from `refused@…` fails its own insert (as a constraint would), and one
/// from `poison@…` passes every statement but makes the `COMMIT` fail (a deferred foreign key).
async fn install_failing_triggers(db: &TestDatabase) {
    let statements: &[&str] = if db.label == "sqlite" {
        &[
            "CREATE TABLE test_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE test_poison (parent_id INTEGER
                 REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER test_refused BEFORE INSERT ON leads
                 WHEN NEW.email = 'refused@example.com'
             BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END",
            "CREATE TRIGGER test_poison AFTER INSERT ON leads
                 WHEN NEW.email = 'poison@example.com'
             BEGIN INSERT INTO test_poison VALUES (42); END",
        ]
    } else {
        &[
            "CREATE TABLE test_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE test_poison (parent_id INTEGER
                 REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE FUNCTION test_refused() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$",
            "CREATE TRIGGER test_refused BEFORE INSERT ON leads FOR EACH ROW
                 WHEN (NEW.email = 'refused@example.com') EXECUTE FUNCTION test_refused()",
            "CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN INSERT INTO test_poison VALUES (42); RETURN NEW; END $$",
            "CREATE TRIGGER test_poison AFTER INSERT ON leads FOR EACH ROW
                 WHEN (NEW.email = 'poison@example.com') EXECUTE FUNCTION test_poison()",
            // The top-level transaction that wrote each lead (`xmin` names the savepoint's).
            "ALTER TABLE leads ADD COLUMN test_txid BIGINT DEFAULT txid_current()",
        ]
    };
    if db.label == "sqlite" {
        let mut connection = SqliteConnection::connect(&db.db).await.unwrap();
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .unwrap();
        }
    } else {
        let mut connection = PgConnection::connect(&db.db).await.unwrap();
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .unwrap();
        }
    }
}

fn queue_lead(
    committer: &GroupCommitter,
    lead: NewLead,
) -> JoinHandle<Result<InsertOutcome, StoreError>> {
    let committer = committer.clone();
    tokio::spawn(async move { committer.insert_scored_lead(lead, None).await })
}

/// PostgreSQL's id of the transaction that wrote the lead; `None` on SQLite.
async fn writing_transaction(db: &TestDatabase, submission_id: &str) -> Option<String> {
    if db.label == "sqlite" {
        return None;
    }
    let mut connection = PgConnection::connect(&db.db).await.unwrap();
    sqlx::query_scalar("SELECT test_txid::text FROM leads WHERE submission_id = $1")
        .bind(submission_id)
        .fetch_one(&mut connection)
        .await
        .unwrap()
}

async fn stored_submission_ids(store: &Store) -> Vec<String> {
    let mut ids: Vec<String> = store
        .export_leads()
        .await
        .unwrap()
        .into_iter()
        .map(|lead| lead.submission_id)
        .collect();
    ids.sort();
    ids
}

fn inserted_id(outcome: &Result<InsertOutcome, StoreError>) -> i64 {
    match outcome {
        Ok(InsertOutcome::Inserted { lead_id, .. }) => *lead_id,
        other => panic!("expected a new lead, got {other:?}"),
    }
}

#[tokio::test]
async fn leads_queued_together_share_a_transaction_and_each_gets_its_own_answer() {
    for db in test_databases().await {
        let store = db.open().await;
        install_failing_triggers(&db).await;
        let earlier_id = new_submission_id();
        let earlier = store
            .insert_lead(new_lead(&earlier_id, "earlier@example.com", 1_000))
            .await
            .unwrap();
        let (committer, task) = GroupCommitter::start(&store);

        let lock = WriteLock::take(&db).await;
        let first_id = new_submission_id();
        let first = queue_lead(&committer, new_lead(&first_id, "first@example.com", 2_000));
        tokio::time::sleep(SETTLE).await;
        let (ada_id, grace_id) = (new_submission_id(), new_submission_id());
        let ada = queue_lead(
            &committer,
            spending("t1", new_lead(&ada_id, "ada@example.com", 3_000)),
        );
        // The browser's retry of Ada's lead, in the same batch: her first answer again.
        let ada_again = queue_lead(
            &committer,
            spending("t1", new_lead(&ada_id, "ada@example.com", 3_001)),
        );
        let refused = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "refused@example.com", 3_002),
        );
        let earlier_retried = queue_lead(
            &committer,
            new_lead(&earlier_id, "earlier@example.com", 3_003),
        );
        let earlier_reused = queue_lead(
            &committer,
            new_lead(&earlier_id, "someone-else@example.com", 3_004),
        );
        // Grace's lead replays the form token Ada's lead spent: stored, as spam.
        let grace = queue_lead(
            &committer,
            spending("t1", new_lead(&grace_id, "grace@example.com", 3_007)),
        );
        tokio::time::sleep(SETTLE).await;
        lock.release().await;

        inserted_id(&first.await.unwrap());
        let ada = ada.await.unwrap();
        let ada_lead = inserted_id(&ada);
        assert_eq!(
            ada_again.await.unwrap().unwrap(),
            InsertOutcome::AlreadyStored {
                lead_id: ada_lead,
                same_payload: true
            },
            "{}",
            db.label
        );
        match refused.await.unwrap() {
            Err(StoreError::Query { action, .. }) => assert_eq!(action, "insert the lead"),
            other => panic!("{}: the refused lead's own error, got {other:?}", db.label),
        }
        assert_eq!(
            earlier_retried.await.unwrap().unwrap(),
            InsertOutcome::AlreadyStored {
                lead_id: earlier.lead_id(),
                same_payload: true
            }
        );
        assert_eq!(
            earlier_reused.await.unwrap().unwrap(),
            InsertOutcome::AlreadyStored {
                lead_id: earlier.lead_id(),
                same_payload: false
            }
        );
        assert!(
            matches!(
                ada,
                Ok(InsertOutcome::Inserted {
                    replayed_form_token: false,
                    ..
                })
            ),
            "{}: {ada:?}",
            db.label
        );
        let grace = grace.await.unwrap();
        assert!(
            matches!(
                grace,
                Ok(InsertOutcome::Inserted {
                    replayed_form_token: true,
                    ..
                })
            ),
            "{}: {grace:?}",
            db.label
        );

        let mut expected = vec![
            earlier_id,
            first_id.clone(),
            ada_id.clone(),
            grace_id.clone(),
        ];
        expected.sort();
        assert_eq!(
            stored_submission_ids(&store).await,
            expected,
            "{}",
            db.label
        );
        let deliveries = store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .unwrap();
        assert_eq!(
            deliveries.len(),
            6,
            "two per stored lead but Grace's replay: {}",
            db.label
        );
        // PostgreSQL shows the sharing: Ada's and Grace's rows come from one transaction.
        if let (Some(ada_tx), Some(grace_tx), Some(first_tx)) = (
            writing_transaction(&db, &ada_id).await,
            writing_transaction(&db, &grace_id).await,
            writing_transaction(&db, &first_id).await,
        ) {
            assert_eq!(ada_tx, grace_tx);
            assert_ne!(ada_tx, first_tx);
        }
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failed_commit_fails_every_lead_in_its_batch_and_stores_none() {
    for db in test_databases().await {
        let store = db.open().await;
        install_failing_triggers(&db).await;
        let (committer, task) = GroupCommitter::start(&store);

        let lock = WriteLock::take(&db).await;
        let first_id = new_submission_id();
        let first = queue_lead(&committer, new_lead(&first_id, "first@example.com", 1_000));
        tokio::time::sleep(SETTLE).await;
        let ada_id = new_submission_id();
        let ada = queue_lead(&committer, new_lead(&ada_id, "ada@example.com", 2_000));
        let poison = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "poison@example.com", 2_001),
        );
        let grace = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "grace@example.com", 2_002),
        );
        tokio::time::sleep(SETTLE).await;
        lock.release().await;

        inserted_id(&first.await.unwrap());
        for (who, answer) in [("ada", ada), ("poison", poison), ("grace", grace)] {
            match answer.await.unwrap() {
                Err(StoreError::GroupCommitFailed { others: 2, reason }) => {
                    assert!(reason.contains("commit the leads"), "{reason}")
                }
                other => panic!(
                    "{}: {who} must fail with its batch, got {other:?}",
                    db.label
                ),
            }
        }
        assert_eq!(
            stored_submission_ids(&store).await,
            vec![first_id],
            "{}",
            db.label
        );
        // Nothing was wrong with Ada's lead: sent again, it is stored.
        inserted_id(
            &committer
                .insert_scored_lead(new_lead(&ada_id, "ada@example.com", 3_000), None)
                .await,
        );
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn drain_commits_every_queued_lead_then_refuses_new_ones() {
    for db in test_databases().await {
        let store = db.open().await;
        let (committer, task) = GroupCommitter::start(&store);

        let lock = WriteLock::take(&db).await;
        let queued: Vec<_> = (0..20)
            .map(|n| {
                queue_lead(
                    &committer,
                    new_lead(&new_submission_id(), &format!("lead{n}@example.com"), n),
                )
            })
            .collect();
        tokio::time::sleep(SETTLE).await;
        let draining = tokio::spawn(task.drain());
        tokio::time::sleep(SETTLE).await;
        assert!(!draining.is_finished(), "drain waits for the queued leads");
        lock.release().await;
        draining.await.unwrap();

        for answer in queued {
            inserted_id(&answer.await.unwrap());
        }
        assert_eq!(
            stored_submission_ids(&store).await.len(),
            20,
            "{}",
            db.label
        );
        let late = committer
            .insert_scored_lead(new_lead(&new_submission_id(), "late@example.com", 99), None)
            .await;
        assert!(
            matches!(late, Err(StoreError::ShuttingDown)),
            "{}: {late:?}",
            db.label
        );
        assert_eq!(stored_submission_ids(&store).await.len(), 20);
        store.close().await;
        db.finish().await;
    }
}

/// A profile that knows `field`.
fn profile_knowing(field: &str, value: &str) -> KnownProfile {
    KnownProfile {
        known: [field.to_owned()].into(),
        values: [(field.to_owned(), value.to_owned())].into(),
    }
}

/// The leads one test stores, alone or in a batch: `who` keeps the twins' emails and ids apart.
struct Twin {
    new_person: NewLead,
    returning_person: NewLead,
    spam: NewLead,
    retry_of_earlier: NewLead,
    moved_visitor: NewLead,
    unscored: NewLead,
}

impl Twin {
    /// What both twins have before: a returning person, a lead to retry, a visitor profile.
    async fn stored_before(store: &Store, who: &str, rules: &ScoringRules) -> (String, i64) {
        let returning = format!("returning-{who}@example.com");
        store
            .insert_scored_lead(
                new_lead(&new_submission_id(), &returning, 1_000),
                Some(rules),
            )
            .await
            .unwrap();
        let earlier_id = new_submission_id();
        let earlier = store
            .insert_scored_lead(
                new_lead(&earlier_id, &format!("earlier-{who}@example.com"), 1_500),
                Some(rules),
            )
            .await
            .unwrap();
        let mut profiled = new_lead(
            &new_submission_id(),
            &format!("visitor-{who}@example.com"),
            2_000,
        );
        profiled.visitor_id = Some(format!("visitor-{who}-old"));
        profiled.profile_answers = Some(profile_knowing("company", "Analytical Engines"));
        store
            .insert_scored_lead(profiled, Some(rules))
            .await
            .unwrap();
        (earlier_id, earlier.lead_id())
    }

    fn leads(who: &str, earlier_id: &str, at_ms: i64) -> Twin {
        let email = |name: &str| format!("{name}-{who}@example.com");
        let mut spam = new_lead(&new_submission_id(), &email("spam"), at_ms);
        spam.is_spam = true;
        spam.deliveries.clear();
        let mut moved_visitor = new_lead(&new_submission_id(), &email("visitor"), at_ms);
        moved_visitor.previous_visitor_id = Some(format!("visitor-{who}-old"));
        moved_visitor.visitor_id = Some(format!("visitor-{who}-new"));
        moved_visitor.profile_answers = Some(profile_knowing("phone", "+44 20 7946 0000"));
        Twin {
            new_person: new_lead(&new_submission_id(), &email("new"), at_ms),
            returning_person: new_lead(&new_submission_id(), &email("returning"), at_ms),
            spam,
            retry_of_earlier: new_lead(earlier_id, &email("earlier"), at_ms),
            moved_visitor,
            unscored: new_lead(&new_submission_id(), &email("unscored"), at_ms),
        }
    }

    /// In a fixed order, with whether each is scored.
    fn into_list(self) -> Vec<(NewLead, bool)> {
        vec![
            (self.new_person, true),
            (self.returning_person, true),
            (self.spam, true),
            (self.retry_of_earlier, true),
            (self.moved_visitor, true),
            (self.unscored, false),
        ]
    }
}

/// What a stored lead became, without the ids that differ between twins.
async fn shape_of(store: &Store, outcome: &InsertOutcome, who: &str) -> String {
    let (lead_id, person) = match *outcome {
        InsertOutcome::Inserted {
            lead_id,
            person_id,
            first_for_person,
            replayed_form_token: _,
        } => (
            lead_id,
            format!(
                "inserted person={} first={first_for_person}",
                person_id.is_some()
            ),
        ),
        InsertOutcome::AlreadyStored {
            lead_id,
            same_payload,
        } => (lead_id, format!("already stored same={same_payload}")),
    };
    let deliveries = store
        .list_deliveries(leadform_store::DeliveryFilter::All)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.lead_id == lead_id)
        .map(|d| format!("{}:{}:{}", d.destination_kind, d.status, d.event))
        .collect::<Vec<_>>();
    let detail = store.lead_detail(lead_id).await.unwrap().expect("the lead");
    let score = match detail.summary.email.as_deref() {
        Some(email) => store
            .score_logs()
            .await
            .unwrap()
            .into_iter()
            .find(|log| log.email == email)
            .map(|log| {
                let rows: Vec<String> = log
                    .rows
                    .iter()
                    .map(|r| format!("{}{:+}@{}", r.rule, r.delta, r.at_ms))
                    .collect();
                format!("mql={:?} {}", log.mql_at_ms, rows.join(","))
            })
            .unwrap_or_else(|| "no score".to_owned()),
        None => "no email".to_owned(),
    };
    let profile = store
        .visitor_profile(&format!("visitor-{who}-new"))
        .await
        .unwrap();
    format!(
        "{person}; deliveries {deliveries:?}; {score}; profile {:?}",
        profile.known
    )
}

/// Leads that do not depend on each other (distinct submission ids, emails and visitors) are
/// stored as sets: one statement per table for the batch, no savepoint per lead. Each ends up
/// exactly as its twin stored alone: the same answer, person link, deliveries, profile move and
/// merge, score events and log rows.
#[tokio::test]
async fn a_plain_batch_is_stored_as_sets_exactly_as_lead_by_lead() {
    for db in test_databases().await {
        let store = db.open().await;
        if db.label == "postgres" {
            // The top-level transaction of each row, and `xmin`, its (sub)transaction.
            execute_on(
                &db,
                "ALTER TABLE leads ADD COLUMN test_txid BIGINT DEFAULT txid_current()",
            )
            .await;
        }
        let rules = Arc::new(ScoringRules::default());
        let (alone_earlier, _) = Twin::stored_before(&store, "alone", &rules).await;
        let (batch_earlier, batch_earlier_lead) =
            Twin::stored_before(&store, "batch", &rules).await;

        let mut alone = Vec::new();
        for (lead, scored) in Twin::leads("alone", &alone_earlier, 9_000).into_list() {
            let scoring = scored.then_some(rules.as_ref());
            alone.push(store.insert_scored_lead(lead, scoring).await.unwrap());
        }

        let (committer, task) = GroupCommitter::start(&store);
        let lock = WriteLock::take(&db).await;
        let first = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "first@example.com", 8_000),
        );
        tokio::time::sleep(SETTLE).await;
        let mut queued = Vec::new();
        let mut submission_ids = Vec::new();
        for (index, (mut lead, scored)) in Twin::leads("batch", &batch_earlier, 9_000)
            .into_list()
            .into_iter()
            .enumerate()
        {
            // The first spends a form token: recorded in the same set transaction.
            if index == 0 {
                lead.form_token = Some("batch-token".to_owned());
            }
            submission_ids.push(lead.lead.submission_id.clone());
            let (committer, rules) = (committer.clone(), scored.then(|| Arc::clone(&rules)));
            queued.push(tokio::spawn(async move {
                committer.insert_scored_lead(lead, rules).await
            }));
        }
        tokio::time::sleep(SETTLE).await;
        lock.release().await;
        inserted_id(&first.await.unwrap());
        let mut batched = Vec::new();
        for answer in queued {
            batched.push(answer.await.unwrap().unwrap());
        }
        assert_eq!(
            batched[3],
            InsertOutcome::AlreadyStored {
                lead_id: batch_earlier_lead,
                same_payload: true
            },
            "{}",
            db.label
        );

        for (index, (alone, batched)) in alone.iter().zip(&batched).enumerate() {
            assert_eq!(
                shape_of(&store, batched, "batch").await,
                shape_of(&store, alone, "alone").await,
                "{}: lead {index}",
                db.label
            );
        }
        if db.label == "postgres" {
            // One transaction and no savepoints: every new row's `xmin` is the top-level one.
            let mut connection = PgConnection::connect(&db.db).await.unwrap();
            let written: Vec<(String, String)> = sqlx::query_as(
                "SELECT xmin::text, test_txid::text FROM leads WHERE submission_id = ANY($1)
                 AND received_at_ms = 9000",
            )
            .bind(&submission_ids)
            .fetch_all(&mut connection)
            .await
            .unwrap();
            assert_eq!(written.len(), 5, "the batch's new leads");
            let top = &written[0].1;
            for (xmin, txid) in &written {
                assert_eq!((xmin, txid), (top, top), "no savepoint wrote a lead");
            }
        }
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

/// Runs one statement on the test's database from another connection.
async fn execute_on(db: &TestDatabase, statement: &str) {
    let mut connection = PgConnection::connect(&db.db).await.unwrap();
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .unwrap();
}

/// Leads of one plain batch spend their form tokens in its set transaction: the first of two
/// leads with one token (in queue order) owns it, the second is a replay stored as spam, as is a
/// lead replaying a token spent before the batch. (On PostgreSQL the two committers may split
/// the leads between batches; the answers must be the same.)
#[tokio::test]
async fn form_tokens_spent_in_a_plain_batch_go_to_the_first_lead() {
    for db in test_databases().await {
        let store = db.open().await;
        let spent_before = spending(
            "t0",
            new_lead(&new_submission_id(), "before@example.com", 1),
        );
        store.insert_lead(spent_before).await.unwrap();
        let (committer, task) = GroupCommitter::start(&store);
        let lock = WriteLock::take(&db).await;
        let first = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "first@example.com", 1),
        );
        tokio::time::sleep(SETTLE).await;
        let s1 = new_submission_id();
        let mut queued = Vec::new();
        for (n, token) in ["t1", "t2", "t1", "t3", "t0"].into_iter().enumerate() {
            let submission_id = if n == 0 {
                s1.clone()
            } else {
                new_submission_id()
            };
            let email = format!("lead{n}@example.com");
            queued.push(queue_lead(
                &committer,
                spending(token, new_lead(&submission_id, &email, 2)),
            ));
            // Queued in this order, so the first lead is the first to spend t1.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(SETTLE).await;
        lock.release().await;
        inserted_id(&first.await.unwrap());
        let mut replays = Vec::new();
        for answer in queued {
            match answer.await.unwrap() {
                Ok(InsertOutcome::Inserted {
                    replayed_form_token,
                    ..
                }) => replays.push(replayed_form_token),
                other => panic!("{}: a new lead, got {other:?}", db.label),
            }
        }
        assert_eq!(replays, [false, false, true, false, true], "{}", db.label);
        let spam: Vec<(String, bool)> = store
            .export_leads()
            .await
            .unwrap()
            .into_iter()
            .map(|lead| (lead.email.unwrap_or_default(), lead.is_spam))
            .filter(|(email, _)| email.starts_with("lead"))
            .collect();
        let mut spam_emails: Vec<&str> = spam
            .iter()
            .filter(|(_, is_spam)| *is_spam)
            .map(|(email, _)| email.as_str())
            .collect();
        spam_emails.sort_unstable();
        assert_eq!(
            spam_emails,
            ["lead2@example.com", "lead4@example.com"],
            "{}",
            db.label
        );
        // Alone again: a retry of the first lead still owns t1 and gets its first answer.
        assert!(
            matches!(
                committer
                    .insert_scored_lead(spending("t1", new_lead(&s1, "lead0@example.com", 3)), None)
                    .await,
                Ok(InsertOutcome::AlreadyStored {
                    same_payload: true,
                    ..
                })
            ),
            "{}",
            db.label
        );
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

/// `(email, first lead id)` of every person, by email.
async fn persons_of(db: &TestDatabase) -> Vec<(String, Option<i64>)> {
    let query = "SELECT email, first_lead_id FROM persons ORDER BY email";
    if db.label == "sqlite" {
        let mut connection = SqliteConnection::connect(&db.db).await.unwrap();
        sqlx::query_as(query)
            .fetch_all(&mut connection)
            .await
            .unwrap()
    } else {
        let mut connection = PgConnection::connect(&db.db).await.unwrap();
        sqlx::query_as(query)
            .fetch_all(&mut connection)
            .await
            .unwrap()
    }
}

/// A plain batch finds or creates persons before it inserts the leads: a new person's first lead
/// is the lead that created it, and a retry of a lead stored before (here a spam lead, which made
/// no person) leaves no person behind, as lead by lead.
#[tokio::test]
async fn a_plain_batch_links_persons_as_lead_by_lead_and_leaves_none_without_a_lead() {
    for db in test_databases().await {
        let store = db.open().await;
        let spam_id = new_submission_id();
        store
            .insert_lead(new_lead(&spam_id, "retried@example.com", 1).into_spam())
            .await
            .unwrap();
        let (committer, task) = GroupCommitter::start(&store);
        let lock = WriteLock::take(&db).await;
        let first = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "first@example.com", 2),
        );
        tokio::time::sleep(SETTLE).await;
        // The retry is no spam this time: it is stored before, and gets no person.
        let retry = queue_lead(&committer, new_lead(&spam_id, "retried@example.com", 3));
        let ada = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "ada@example.com", 3),
        );
        tokio::time::sleep(SETTLE).await;
        lock.release().await;
        let first = inserted_id(&first.await.unwrap());
        assert!(
            matches!(
                retry.await.unwrap(),
                Ok(InsertOutcome::AlreadyStored { .. })
            ),
            "{}",
            db.label
        );
        let ada = ada.await.unwrap();
        let Ok(InsertOutcome::Inserted {
            lead_id,
            person_id: Some(_),
            first_for_person: true,
            ..
        }) = ada
        else {
            panic!("{}: Ada's lead makes her person, got {ada:?}", db.label);
        };
        assert_eq!(
            persons_of(&db).await,
            [
                ("ada@example.com".to_owned(), Some(lead_id)),
                ("first@example.com".to_owned(), Some(first)),
            ],
            "{}",
            db.label
        );
        let stored = store.export_leads().await.unwrap();
        let ada_row = stored
            .iter()
            .find(|lead| lead.id == lead_id)
            .expect("Ada's lead");
        assert!(
            ada_row.first_for_person && ada_row.person_id.is_some(),
            "{}: the lead row is linked as it was inserted",
            db.label
        );
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

/// On PostgreSQL a new person takes its first lead's id as it is created. When another
/// transaction stores the same submission id after that (a retry racing its first attempt), the
/// batch's lead is not inserted: its person must go again, and no person may point at a lead id
/// that was never used.
#[tokio::test]
async fn a_person_made_for_a_submission_stored_meanwhile_is_removed_again() {
    for db in test_databases().await {
        if db.label != "postgres" {
            // One writer at a time on SQLite: nothing can store the submission in between.
            db.finish().await;
            continue;
        }
        let store = db.open().await;
        let (committer, task) = GroupCommitter::start(&store);
        let submission_id = new_submission_id();
        // The first attempt, not yet committed: the batch's persons insert cannot see it, and
        // its leads insert waits for it.
        let mut first_attempt = PgConnection::connect(&db.db).await.unwrap();
        sqlx::query("BEGIN")
            .execute(&mut first_attempt)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO leads (submission_id, form_id, intent, received_at_ms, payload_hash,
                 lead_json, raw_payload)
             VALUES ($1, 'contact-us', 'contact_request', 1, 'first attempt', '{}', '{}')",
        )
        .bind(&submission_id)
        .execute(&mut first_attempt)
        .await
        .unwrap();
        let retry = queue_lead(&committer, new_lead(&submission_id, "raced@example.com", 2));
        // The batch's leads insert waits for the first attempt (its persons insert is done).
        let first_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut first_attempt)
            .await
            .unwrap();
        let mut observer = PgConnection::connect(&db.db).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let waiting: Option<String> = sqlx::query_scalar(
                "SELECT query FROM pg_stat_activity
                 WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid))",
            )
            .bind(first_pid)
            .fetch_optional(&mut observer)
            .await
            .unwrap();
            if let Some(query) = waiting {
                assert!(query.starts_with("INSERT INTO leads"), "{query}");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the batch never waited on the first attempt"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sqlx::query("COMMIT")
            .execute(&mut first_attempt)
            .await
            .unwrap();
        let answer = retry.await.unwrap();
        assert!(
            matches!(
                answer,
                Ok(InsertOutcome::AlreadyStored {
                    same_payload: false,
                    ..
                })
            ),
            "{answer:?}"
        );
        assert_eq!(persons_of(&db).await, [], "no person is left for the retry");
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}

/// A plain batch whose set statement fails (one lead refused by a trigger) is rolled back and
/// stored lead by lead: the refused lead gets its own error, the others are stored.
#[tokio::test]
async fn a_failing_set_statement_falls_back_to_lead_by_lead() {
    for db in test_databases().await {
        let store = db.open().await;
        install_failing_triggers(&db).await;
        let (committer, task) = GroupCommitter::start(&store);
        let lock = WriteLock::take(&db).await;
        let first_id = new_submission_id();
        let first = queue_lead(&committer, new_lead(&first_id, "first@example.com", 1_000));
        tokio::time::sleep(SETTLE).await;
        let (ada_id, grace_id) = (new_submission_id(), new_submission_id());
        let ada = queue_lead(&committer, new_lead(&ada_id, "ada@example.com", 2_000));
        let refused = queue_lead(
            &committer,
            new_lead(&new_submission_id(), "refused@example.com", 2_001),
        );
        let grace = queue_lead(&committer, new_lead(&grace_id, "grace@example.com", 2_002));
        tokio::time::sleep(SETTLE).await;
        lock.release().await;

        inserted_id(&first.await.unwrap());
        inserted_id(&ada.await.unwrap());
        inserted_id(&grace.await.unwrap());
        match refused.await.unwrap() {
            Err(StoreError::Query { action, .. }) => assert_eq!(action, "insert the lead"),
            other => panic!("{}: the refused lead's own error, got {other:?}", db.label),
        }
        let mut expected = vec![first_id, ada_id, grace_id];
        expected.sort();
        assert_eq!(
            stored_submission_ids(&store).await,
            expected,
            "{}",
            db.label
        );
        let deliveries = store
            .list_deliveries(leadform_store::DeliveryFilter::All)
            .await
            .unwrap();
        assert_eq!(deliveries.len(), 6, "two per stored lead: {}", db.label);
        task.drain().await;
        store.close().await;
        db.finish().await;
    }
}
