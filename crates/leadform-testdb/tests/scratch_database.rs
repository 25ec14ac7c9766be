//! Against a real PostgreSQL server when `LEADFORM_TEST_POSTGRES_URL` is set: a scratch database
//! exists, is reachable at its URL, is its own, and is gone after `drop_database`.

use leadform_testdb::{postgres_admin_url, ScratchDatabase, POSTGRES_URL_VARIABLE};
use sqlx::{Connection, PgConnection};

async fn database_exists(admin_url: &str, name: &str) -> bool {
    let mut admin = PgConnection::connect(admin_url).await.expect("connect");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .expect("query pg_database");
    admin.close().await.expect("close");
    exists
}

#[tokio::test]
async fn a_scratch_database_is_created_reachable_and_dropped() {
    let Some(admin_url) = postgres_admin_url() else {
        println!("skipped PostgreSQL: {POSTGRES_URL_VARIABLE} not set");
        return;
    };
    let first = ScratchDatabase::create(&admin_url).await;
    let second = ScratchDatabase::create(&admin_url).await;
    assert_ne!(first.name, second.name, "each test gets its own database");
    assert!(first.name.starts_with("leadform_test_"), "{}", first.name);

    let mut connection = PgConnection::connect(&first.url)
        .await
        .expect("the scratch database is reachable at its URL");
    let current: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut connection)
        .await
        .expect("current_database()");
    assert_eq!(current, first.name);

    // Still connected: the drop must not wait for or fail on open connections.
    let name = first.name.clone();
    first.drop_database().await;
    assert!(!database_exists(&admin_url, &name).await, "{name} dropped");
    drop(connection);

    let name = second.name.clone();
    assert!(database_exists(&admin_url, &name).await, "{name} untouched");
    second.drop_database().await;
    assert!(!database_exists(&admin_url, &name).await, "{name} dropped");
}
