//! What survives: data across closing and reopening, migrations that run again harmlessly, SQLite's
//! durability settings, and clear errors when the database cannot be opened.

use crate::support;

use leadform_core::KnownProfile;
use leadform_store::{DeliveryFilter, InsertOutcome, Store, StoreError};
use sqlx::Connection;
use support::{new_lead, new_submission_id, test_databases};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stored_data_survives_closing_and_reopening_and_migrations_run_again_harmlessly() {
    for database in test_databases().await {
        let label = database.label;
        let id = new_submission_id();
        let store = database.open().await;
        assert_eq!(store.backend_name(), label);
        let expected_durability = match label {
            "sqlite" => "SQLite WAL, synchronous=FULL",
            _ => "PostgreSQL, synchronous_commit=on",
        };
        assert_eq!(store.durability(), expected_durability);
        let mut lead = new_lead(&id, "ada@example.com", 1_795_417_506_000);
        lead.visitor_id = Some("v-durable".into());
        lead.profile_answers = Some(KnownProfile {
            known: ["company".to_string()].into(),
            values: Default::default(),
        });
        let lead_id = store.insert_lead(lead).await.unwrap().lead_id();
        store.close().await;

        for reopening in 0..2 {
            let store = database.open().await;
            let leads = store.export_leads().await.unwrap();
            assert_eq!(leads.len(), 1, "{label} reopening {reopening}");
            assert_eq!(leads[0].submission_id, id);
            assert_eq!(
                store
                    .list_deliveries(DeliveryFilter::All)
                    .await
                    .unwrap()
                    .len(),
                2,
                "{label}"
            );
            assert!(store
                .visitor_profile("v-durable")
                .await
                .unwrap()
                .known
                .contains("company"));
            let again = store
                .insert_lead(new_lead(&id, "ada@example.com", 1_795_417_506_000))
                .await
                .unwrap();
            assert_eq!(
                again,
                InsertOutcome::AlreadyStored {
                    lead_id,
                    same_payload: true
                },
                "{label}"
            );
            store.close().await;
        }
        database.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_is_a_wal_file_created_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    assert!(path.exists(), "the file is created");
    assert_eq!(store.backend_name(), "sqlite");
    assert_eq!(store.durability(), "SQLite WAL, synchronous=FULL");

    let mut direct = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut direct)
        .await
        .unwrap();
    assert_eq!(journal_mode, "wal");
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut direct)
        .await
        .unwrap();
    // One row per migration file: several features add their own, so count the files.
    let migration_files =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .filter(|entry| {
                entry
                    .as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|ext| ext == "sql"))
            })
            .count();
    assert_eq!(migrations, i64::try_from(migration_files).unwrap());
    direct.close().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn an_unopenable_sqlite_path_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("leads.db");
    let error = Store::open(path.to_str().unwrap()).await.unwrap_err();
    assert!(matches!(error, StoreError::OpenSqlite { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot open SQLite database at {}: ",
            path.display()
        )),
        "{message}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let error = Store::open("postgres://leadform:s3cret@127.0.0.1:1/leads")
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ConnectPostgres { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with(
            "cannot connect to PostgreSQL at postgres://leadform:***@127.0.0.1:1/leads: "
        ),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");
}

#[tokio::test]
async fn a_malformed_postgres_url_is_refused_clearly() {
    let error = Store::open("postgres://leadform:s3cret@127.0.0.1:notaport/leads")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("cannot connect to PostgreSQL at postgres://leadform:***@"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");
}

/// `backup` while leads keep arriving: the copy is a whole database (it opens, migrations and all)
/// holding every lead committed before the backup began, and it never overwrites a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_of_a_live_sqlite_database_is_a_consistent_copy() {
    for database in test_databases().await {
        let store = database.open().await;
        if database.label == "postgres" {
            let error = store
                .backup_to(std::path::Path::new("/tmp/never-written.db"))
                .await
                .unwrap_err();
            assert!(matches!(error, StoreError::BackupNeedsPgDump), "{error:?}");
            assert!(error.to_string().contains("pg_dump"), "{error}");
            database.finish().await;
            continue;
        }
        for n in 0..20 {
            let lead = new_lead(
                &new_submission_id(),
                &format!("before{n}@example.com"),
                1_000 + n,
            );
            store.insert_lead(lead).await.unwrap();
        }
        // A writer that keeps committing while the copy is taken.
        let writer_store = store.clone();
        let writer = tokio::spawn(async move {
            for n in 0..200 {
                let lead = new_lead(
                    &new_submission_id(),
                    &format!("during{n}@example.com"),
                    5_000 + n,
                );
                writer_store.insert_lead(lead).await.unwrap();
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let copy_path = dir.path().join("copy.db");
        let copied = store.backup_to(&copy_path).await.unwrap();
        writer.await.unwrap();
        assert!((20..=220).contains(&copied), "{copied}");

        let copy = Store::open(copy_path.to_str().unwrap()).await.unwrap();
        let leads = copy.export_leads().await.unwrap();
        assert_eq!(leads.len() as u64, copied);
        for n in 0..20 {
            let email = format!("before{n}@example.com");
            assert!(
                leads
                    .iter()
                    .any(|lead| lead.email.as_deref() == Some(email.as_str())),
                "{email} is missing from the copy"
            );
        }
        copy.close().await;

        let error = store.backup_to(&copy_path).await.unwrap_err();
        assert!(
            matches!(error, StoreError::BackupTargetExists { .. }),
            "{error:?}"
        );
        store.close().await;
        database.finish().await;
    }
}

#[tokio::test]
async fn an_encoded_postgres_password_is_never_shown() {
    let error = Store::open("postgres://leadform:p%40ss%2Fw0rd@127.0.0.1:1/leads")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(
            "cannot connect to PostgreSQL at postgres://leadform:***@127.0.0.1:1/leads"
        ),
        "{message}"
    );
    for secret in ["p%40ss", "p@ss", "w0rd"] {
        assert!(!message.contains(secret), "{message}");
    }
}
