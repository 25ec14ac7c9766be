//! Logging in: success, the one message for a wrong name or password, throttling, logging out,
//! and the console's answer before any user exists.

use crate::support::{backends, cookie_named, ConsoleHandler, PASSWORD};
use leadform_console::CONSOLE_CSP;
use leadform_store::UserRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_logs_in_with_a_strict_session_cookie_and_logs_out() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Admin)]).await;
        let form = handler.get("/console/login", None).await;
        assert_eq!(form.status(), 200);
        assert_eq!(form.headers()["content-security-policy"], CONSOLE_CSP);
        let html = form.text().await.unwrap();
        assert!(html.contains("name=\"name\"") && html.contains("name=\"password\""));

        let response = handler.try_login("ada", PASSWORD).await;
        assert_eq!(response.status(), 303, "{backend:?}");
        assert_eq!(response.headers()["location"], "/console/");
        let cookie = cookie_named(&response, "leadform_session").expect("session cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(
            !cookie.contains("Secure"),
            "plain on loopback http: {cookie}"
        );

        let session = handler.login("ada").await;
        let overview = handler.page("/console/", &session).await;
        assert!(overview.contains("Overview"));
        let logout = handler.post_form("/console/logout", &session, &[]).await;
        assert_eq!(logout.status(), 303);
        assert_eq!(logout.headers()["location"], "/console/login");
        let after = handler.get("/console/", Some(&session.cookie)).await;
        assert_eq!(
            after.status(),
            303,
            "{backend:?}: the session ended on the server"
        );
        let actions: Vec<String> = handler
            .store
            .audit_log(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(&actions[..3], ["logout", "login", "login"]);
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_name_or_password_gets_one_message_and_is_throttled() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        for (name, password) in [("ada", "not the password"), ("nobody", PASSWORD)] {
            let response = handler.try_login(name, password).await;
            assert_eq!(response.status(), 401, "{backend:?}");
            assert!(cookie_named(&response, "leadform_session").is_none());
            let html = response.text().await.unwrap();
            assert!(html.contains("The name or password is wrong."), "{html}");
            assert!(
                !html.contains("unknown") && !html.contains("no user"),
                "{html}"
            );
        }
        // Five failures per name in 15 minutes: the sixth try waits, even with the right password.
        for _ in 0..4 {
            assert_eq!(handler.try_login("ada", "still wrong!").await.status(), 401);
        }
        let throttled = handler.try_login("ada", PASSWORD).await;
        assert_eq!(throttled.status(), 429, "{backend:?}");
        let html = throttled.text().await.unwrap();
        assert!(
            html.contains("Too many failed logins; try again in 15 minute(s)."),
            "{html}"
        );
        let failed = handler
            .store
            .audit_log(None, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "login_failed")
            .count();
        assert_eq!(failed, 6);
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logged_out_visitors_are_sent_to_the_login_page() {
    let handler =
        ConsoleHandler::start(crate::support::Backend::Sqlite, &[("ada", UserRole::Admin)]).await;
    for path in [
        "/console/",
        "/console/leads",
        "/console/leads/1",
        "/console/leads.csv",
        "/console/audit",
    ] {
        let response = handler.get(path, None).await;
        assert_eq!(response.status(), 303, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/console/login"),
            "{path} → {location}"
        );
        assert_eq!(response.headers()["content-security-policy"], CONSOLE_CSP);
    }
    let forged = handler
        .get("/console/leads", Some("leadform_session=made-up"))
        .await;
    assert_eq!(forged.status(), 303);
    // After login the visitor lands where they were going.
    let response = handler.get("/console/leads?status=open", None).await;
    assert_eq!(
        response.headers()["location"],
        "/console/login?next=%2Fconsole%2Fleads%3Fstatus%3Dopen"
    );
    handler.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_users_the_console_says_how_to_add_one() {
    let handler = ConsoleHandler::start(crate::support::Backend::Sqlite, &[]).await;
    for path in ["/console/", "/console/login", "/console/leads"] {
        let response = handler.get(path, None).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-security-policy"], CONSOLE_CSP);
        let html = response.text().await.unwrap();
        assert!(html.contains("leadform-intake user add"), "{html}");
    }
    handler.stop().await;
}
