//! Group commit at intake (issue 13 §5), over real HTTP: leads posted together are committed
//! together, and every 201 still names a stored lead.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::collections::{BTreeSet, HashMap};
use support::fixtures::contact_lead;
use support::{backends, Backend, TestHandler, TestOptions, FILL_TIME};

/// `body` with a fresh form token, without moving the clock (the caller does, once for all).
async fn with_token(handler: &TestHandler, mut body: Value) -> Value {
    body["form_token"] = handler.form_token("contact-us").await;
    body
}

/// Posts every body at once; the status and JSON answer of each, in order (`None`: no answer).
async fn post_all(handler: &TestHandler, bodies: &[Value]) -> Vec<Option<(StatusCode, Value)>> {
    let tasks: Vec<_> = bodies
        .iter()
        .map(|body| {
            let (client, url, body) = (
                handler.client.clone(),
                handler.url("/v1/leads"),
                body.clone(),
            );
            tokio::spawn(async move {
                let response = client.post(url).json(&body).send().await.ok()?;
                let status = response.status();
                Some((status, response.json::<Value>().await.ok()?))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

async fn stored_ids(handler: &TestHandler) -> BTreeSet<String> {
    handler
        .stored_leads()
        .await
        .into_iter()
        .map(|lead| lead.submission_id)
        .collect()
}

/// Runs SQL on the handler's database from another connection.
async fn execute(handler: &TestHandler, backend: Backend, statements: &[&str]) {
    match backend {
        Backend::Sqlite => {
            let mut connection = SqliteConnection::connect(&handler.db).await.unwrap();
            for statement in statements {
                sqlx::query(statement)
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
        Backend::Postgres => {
            let mut connection = PgConnection::connect(&handler.db).await.unwrap();
            for statement in statements {
                sqlx::query(statement)
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Another connection holding SQLite's write lock, or on PostgreSQL an exclusive lock on `leads`.
enum WriteLock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriteLock {
    async fn take(handler: &TestHandler, backend: Backend) -> WriteLock {
        match backend {
            Backend::Sqlite => {
                let mut connection = SqliteConnection::connect(&handler.db).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteLock::Sqlite(connection)
            }
            Backend::Postgres => {
                let mut connection = PgConnection::connect(&handler.db).await.unwrap();
                sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
                sqlx::query("LOCK TABLE leads IN EXCLUSIVE MODE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                WriteLock::Postgres(connection)
            }
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

/// Every 201 is a stored lead and every other answer is not; returns how many were 201.
fn assert_201_iff_stored(
    bodies: &[Value],
    answers: &[Option<(StatusCode, Value)>],
    stored: &BTreeSet<String>,
) -> usize {
    let mut created = BTreeSet::new();
    for (body, answer) in bodies.iter().zip(answers) {
        let id = body["submission_id"].as_str().unwrap();
        match answer {
            Some((StatusCode::CREATED, answer)) => {
                assert!(stored.contains(id), "answered 201 but not stored: {answer}");
                created.insert(id.to_owned());
            }
            other => assert!(!stored.contains(id), "stored but answered {other:?}"),
        }
    }
    created.len()
}

#[tokio::test]
async fn concurrent_posts_are_all_stored_and_a_repeat_in_the_crowd_gets_its_usual_answer() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        if backend == Backend::Postgres {
            // The top-level transaction that wrote each lead (`xmin` names the savepoint's).
            let statement = "ALTER TABLE leads ADD COLUMN test_txid BIGINT DEFAULT txid_current()";
            execute(&handler, backend, &[statement]).await;
        }
        let earlier = handler
            .with_form_token(&contact_lead("earlier@example.com"))
            .await;
        let earlier_answer: Value = handler.post_lead(&earlier).await.json().await.unwrap();
        let mut bodies = Vec::new();
        for n in 0..200 {
            bodies.push(with_token(&handler, contact_lead(&format!("lead{n}@example.com"))).await);
        }
        // A browser retry of lead 7 (same body, same token), the earlier lead again, and another
        // submission under the earlier lead's id.
        bodies.push(bodies[7].clone());
        bodies.push(earlier.clone());
        let mut reused = with_token(&handler, contact_lead("someone-else@example.com")).await;
        reused["submission_id"] = earlier["submission_id"].clone();
        bodies.push(reused);
        handler.clock.advance(FILL_TIME);

        let answers = post_all(&handler, &bodies).await;
        let answer = |i: usize| answers[i].clone().expect("answered");
        for i in 0..200 {
            assert_eq!(
                answer(i).0,
                StatusCode::CREATED,
                "{backend:?}: {:?}",
                answer(i)
            );
        }
        assert_eq!(answer(200).0, StatusCode::CREATED);
        assert_eq!(
            answer(200).1,
            answer(7).1,
            "the retry gets the first answer"
        );
        assert_eq!(answer(201).0, StatusCode::CREATED);
        assert_eq!(answer(201).1["id"], earlier_answer["id"]);
        assert_eq!(answer(202).0, StatusCode::CONFLICT, "{:?}", answer(202));

        let stored = stored_ids(&handler).await;
        assert_eq!(stored.len(), 201, "{backend:?}");
        assert_eq!(
            assert_201_iff_stored(&bodies[..200], &answers[..200], &stored),
            200
        );
        if backend == Backend::Postgres {
            // Leads posted together share transactions: fewer writing transactions than leads.
            let mut connection = PgConnection::connect(&handler.db).await.unwrap();
            let transactions: i64 =
                sqlx::query_scalar("SELECT COUNT(DISTINCT test_txid) FROM leads")
                    .fetch_one(&mut connection)
                    .await
                    .unwrap();
            assert!(
                transactions < 150,
                "{transactions} transactions for 201 leads"
            );
        }
        handler.stop().await;
    }
}

#[tokio::test]
async fn a_lead_whose_transaction_fails_is_never_answered_201() {
    for backend in backends() {
        let handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        // A lead from poison@… passes every statement but makes its transaction's COMMIT fail
        // (a deferred foreign key); one from refused@… fails its own insert.
        let parent_and_poison = [
            "CREATE TABLE test_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE test_poison (parent_id INTEGER
                 REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED)",
        ];
        execute(&handler, backend, &parent_and_poison).await;
        match backend {
            Backend::Sqlite => {
                execute(
                    &handler,
                    backend,
                    &[
                        "CREATE TRIGGER test_refused BEFORE INSERT ON leads
                             WHEN NEW.email = 'refused@example.com'
                         BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END",
                        "CREATE TRIGGER test_poison AFTER INSERT ON leads
                             WHEN NEW.email = 'poison@example.com'
                         BEGIN INSERT INTO test_poison VALUES (42); END",
                    ],
                )
                .await
            }
            Backend::Postgres => {
                execute(
                    &handler,
                    backend,
                    &[
                        "CREATE FUNCTION test_refused() RETURNS trigger LANGUAGE plpgsql AS
                         $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$",
                        "CREATE TRIGGER test_refused BEFORE INSERT ON leads FOR EACH ROW
                             WHEN (NEW.email = 'refused@example.com')
                             EXECUTE FUNCTION test_refused()",
                        "CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS
                         $$ BEGIN INSERT INTO test_poison VALUES (42); RETURN NEW; END $$",
                        "CREATE TRIGGER test_poison AFTER INSERT ON leads FOR EACH ROW
                             WHEN (NEW.email = 'poison@example.com')
                             EXECUTE FUNCTION test_poison()",
                    ],
                )
                .await
            }
        }
        let mut bodies = Vec::new();
        for n in 0..60 {
            let email = match n {
                20 => "poison@example.com".to_owned(),
                40 => "refused@example.com".to_owned(),
                n => format!("lead{n}@example.com"),
            };
            bodies.push(with_token(&handler, contact_lead(&email)).await);
        }
        handler.clock.advance(FILL_TIME);

        let answers = post_all(&handler, &bodies).await;
        let statuses: HashMap<usize, StatusCode> = answers
            .iter()
            .enumerate()
            .map(|(i, answer)| (i, answer.as_ref().expect("answered").0))
            .collect();
        assert_eq!(
            statuses[&20],
            StatusCode::SERVICE_UNAVAILABLE,
            "{backend:?}"
        );
        assert_eq!(
            statuses[&40],
            StatusCode::SERVICE_UNAVAILABLE,
            "{backend:?}"
        );
        let stored = stored_ids(&handler).await;
        let created = assert_201_iff_stored(&bodies, &answers, &stored);
        assert_eq!(created, stored.len(), "{backend:?}");
        assert!(
            created >= 1,
            "{backend:?}: the healthy leads outside the poisoned batch"
        );
        // A healthy lead failed with the poisoned batch is stored when the visitor sends it again.
        for (i, body) in bodies.iter().enumerate() {
            if statuses[&i] != StatusCode::CREATED && i != 20 && i != 40 {
                let again = handler.client.post(handler.url("/v1/leads")).json(body);
                let response = again.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::CREATED, "{backend:?}");
            }
        }
        assert_eq!(stored_ids(&handler).await.len(), 58, "{backend:?}");
        handler.stop().await;
    }
}

#[tokio::test]
async fn shutdown_answers_every_post_in_flight_and_each_201_is_stored() {
    for backend in backends() {
        let mut handler = TestHandler::start_with(TestOptions {
            backend,
            ..Default::default()
        })
        .await;
        let mut bodies = Vec::new();
        for n in 0..100 {
            bodies.push(with_token(&handler, contact_lead(&format!("lead{n}@example.com"))).await);
        }
        handler.clock.advance(FILL_TIME);

        let lock = WriteLock::take(&handler, backend).await;
        let posting = {
            let tasks: Vec<_> = bodies
                .iter()
                .map(|body| {
                    let (client, url, body) = (
                        handler.client.clone(),
                        handler.url("/v1/leads"),
                        body.clone(),
                    );
                    tokio::spawn(async move {
                        let response = client.post(url).json(&body).send().await.ok()?;
                        let status = response.status();
                        Some((status, response.json::<Value>().await.ok()?))
                    })
                })
                .collect::<Vec<_>>();
            tasks
        };
        // Stop while the posts are in progress, held up by another connection's write lock: they
        // finish, and the committer drains its queue before the server's shutdown returns.
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        let shutdown = tokio::spawn(async move {
            handler.shutdown_server().await;
            handler
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            !shutdown.is_finished(),
            "shutdown waits for the posts in progress"
        );
        lock.release().await;
        let handler = shutdown.await.unwrap();
        let mut answers = Vec::new();
        for task in posting {
            answers.push(task.await.unwrap());
        }
        let stored = stored_ids(&handler).await;
        let created = assert_201_iff_stored(&bodies, &answers, &stored);
        assert_eq!(created, stored.len(), "{backend:?}");
        assert!(
            created >= 1,
            "{backend:?}: posts in progress at shutdown finish"
        );
        handler.stop().await;
    }
}
