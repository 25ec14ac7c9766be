//! Whether the PostgreSQL variant of a test runs at all.

/// Names a PostgreSQL maintenance URL (e.g. `postgres://postgres@127.0.0.1:55432/postgres`)
/// through which tests create and drop their own databases.
pub const POSTGRES_URL_VARIABLE: &str = "LEADFORM_TEST_POSTGRES_URL";

/// The maintenance URL, or `None` when `LEADFORM_TEST_POSTGRES_URL` is unset or empty (an empty
/// value is how CI scripts switch it off, so it must not count as a URL).
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VARIABLE)
        .ok()
        .filter(|url| !url.is_empty())
}
