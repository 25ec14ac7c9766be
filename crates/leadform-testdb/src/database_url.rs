//! Pointing a server URL at another database on the same server.

/// `url` with its database name replaced by `name`, keeping the credentials, host, port and any
/// `?query` (e.g. `sslmode`) as they are.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:55432/t1"
        );
    }

    #[test]
    fn keeps_the_query() {
        assert_eq!(
            with_database("postgres://u:p@h:1?sslmode=disable", "t1"),
            "postgres://u:p@h:1/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u:p@db:5432/x?sslmode=disable", "t1"),
            "postgres://u:p@db:5432/t1?sslmode=disable"
        );
    }

    #[test]
    fn adds_a_name_to_a_url_without_one() {
        assert_eq!(with_database("postgres://db", "t1"), "postgres://db/t1");
        assert_eq!(with_database("postgres://db/", "t1"), "postgres://db/t1");
    }

    #[test]
    fn a_slash_in_the_query_is_not_the_database() {
        assert_eq!(
            with_database("postgres://db?sslrootcert=/etc/ca.pem", "t1"),
            "postgres://db/t1?sslrootcert=/etc/ca.pem"
        );
    }
}
