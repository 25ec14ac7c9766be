//! The refusals: POSTs without or with a forged CSRF token, from another origin, by a removed
//! user; members on the admin-only audit page.

use crate::support::{backends, ConsoleHandler};
use leadform_store::UserRole;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_without_the_token_or_from_elsewhere_are_refused() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let lead = handler
            .submit_lead(
                "ebook",
                json!({"email": "a@example.com", "first_name": "A"}),
                json!({}),
            )
            .await;
        let session = handler.login("ada").await;
        let path = format!("/console/leads/{lead}/status");
        let post = |token: Option<&str>, origin: Option<&str>, fetch_site: Option<&str>| {
            let mut form = vec![("status", "contacted")];
            if let Some(token) = token {
                form.push(("csrf_token", token));
            }
            let mut request = handler
                .client
                .post(handler.url(&path))
                .header("cookie", &session.cookie)
                .form(&form);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            request.send()
        };
        let own = handler.origin();
        let cases = [
            (None, Some(own.as_str()), None, "missing token"),
            (
                Some("forged-token"),
                Some(own.as_str()),
                None,
                "forged token",
            ),
            (
                Some(session.csrf_token.as_str()),
                Some("http://evil.example"),
                None,
                "other origin",
            ),
            (
                Some(session.csrf_token.as_str()),
                None,
                None,
                "no origin at all",
            ),
            (
                Some(session.csrf_token.as_str()),
                Some(own.as_str()),
                Some("cross-site"),
                "cross-site fetch",
            ),
        ];
        for (token, origin, site, what) in cases {
            let response = post(token, origin, site).await.unwrap();
            assert_eq!(response.status(), 403, "{backend:?}: {what}");
        }
        let detail = handler.store.lead_detail(lead).await.unwrap().unwrap();
        assert!(detail.history.is_empty(), "nothing changed");
        // The same post with the token from its own origin goes through.
        let response = post(Some(&session.csrf_token), Some(&own), Some("same-origin"))
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        // A login post from another site is refused too.
        let login = handler
            .client
            .post(handler.url("/console/login"))
            .header("origin", "http://evil.example")
            .form(&[("name", "ada"), ("password", crate::support::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 403);
        // And a login post without the login form's token.
        let login = handler
            .client
            .post(handler.url("/console/login"))
            .header("origin", handler.origin())
            .form(&[("name", "ada"), ("password", crate::support::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 403);
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_users_session_ends_at_once() {
    for backend in backends() {
        let handler = ConsoleHandler::start(
            backend,
            &[("ada", UserRole::Admin), ("bob", UserRole::Member)],
        )
        .await;
        let bob = handler.login("bob").await;
        handler.page("/console/leads", &bob).await;
        handler
            .store
            .remove_user("bob", "(command line)", 0)
            .await
            .unwrap();
        let response = handler.get("/console/leads", Some(&bob.cookie)).await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let response = handler.post_form("/console/logout", &bob, &[]).await;
        assert_eq!(response.status(), 303);
        assert!(response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/console/login"));
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_read_the_audit_log() {
    for backend in backends() {
        let handler = ConsoleHandler::start(
            backend,
            &[("ada", UserRole::Admin), ("bob", UserRole::Member)],
        )
        .await;
        let bob = handler.login("bob").await;
        let response = handler.get("/console/audit", Some(&bob.cookie)).await;
        assert_eq!(response.status(), 403, "{backend:?}");
        assert!(
            !handler
                .page("/console/", &bob)
                .await
                .contains("/console/audit"),
            "no link for members"
        );
        let ada = handler.login("ada").await;
        let html = handler.page("/console/audit", &ada).await;
        assert!(html.contains("Logged in"), "{html}");
        assert!(html.contains("bob"));
        assert!(html.contains("Added user"));
        handler.stop().await;
    }
}
