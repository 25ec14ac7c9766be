//! One throwaway database per test, so tests never see each other's rows and can run in parallel.

use crate::database_url::with_database;
use sqlx::{Connection, PgConnection};

/// A database created for one test on the server of a maintenance URL. Call
/// [`ScratchDatabase::drop_database`] when the test is done; it is not dropped implicitly, so a
/// failed test leaves its database behind to look at.
#[must_use = "call drop_database when the test is done, or the database is left on the server"]
pub struct ScratchDatabase {
    /// The new database's URL: the maintenance URL with only the database name changed.
    pub url: String,
    /// `leadform_test_<random>`: safe to splice into SQL as an identifier.
    pub name: String,
    admin_url: String,
}

impl ScratchDatabase {
    /// Creates `leadform_test_<random>` through `admin_url`. Panics with the reason if the
    /// server cannot be reached or refuses: a test cannot go on without its database.
    pub async fn create(admin_url: &str) -> ScratchDatabase {
        let name = format!("leadform_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect(admin_url).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|error| panic!("CREATE DATABASE {name}: {error}"));
        close(admin).await;
        ScratchDatabase {
            url: with_database(admin_url, &name),
            name,
            admin_url: admin_url.to_owned(),
        }
    }

    /// Drops the database, even while connections to it are still open (`WITH (FORCE)`).
    pub async fn drop_database(self) {
        let mut admin = connect(&self.admin_url).await;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|error| panic!("DROP DATABASE {}: {error}", self.name));
        close(admin).await;
    }
}

/// The maintenance connection. The URL is not in the message: it may hold a password.
async fn connect(admin_url: &str) -> PgConnection {
    PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "connect to the PostgreSQL server of {}: {error}",
                crate::POSTGRES_URL_VARIABLE
            )
        })
}

async fn close(admin: PgConnection) {
    admin
        .close()
        .await
        .unwrap_or_else(|error| panic!("close the maintenance connection: {error}"));
}
