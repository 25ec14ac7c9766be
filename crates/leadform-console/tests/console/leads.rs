//! The leads list: filters as query parameters, paging, the CSV of exactly that view, and pages
//! without inline styles or scripts.

use crate::support::{backends, ConsoleHandler};
use leadform_console::CONSOLE_CSP;
use leadform_store::UserRole;
use serde_json::json;

/// The lead ids linked from a list page, in order.
fn linked_leads(html: &str) -> Vec<i64> {
    html.split("href=\"/console/leads/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_are_links_and_the_csv_is_exactly_the_view() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let grace = handler
            .submit_lead("contact-us", json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example", "company": "=HYPERLINK(\"x\")"}), json!({}))
            .await;
        let webinar = handler
            .submit_lead(
                "contact-us",
                json!({"first_name": "Linus", "email": "linus@example.org"}),
                json!({"lead_source": "Webinar", "campaign_id": "701WEBINAR"}),
            )
            .await;
        let ebook = handler
            .submit_lead(
                "ebook",
                json!({"first_name": "Grace", "email": "grace@navy.example"}),
                json!({}),
            )
            .await;
        let session = handler.login("ada").await;

        let all = handler.page("/console/leads", &session).await;
        assert_eq!(
            linked_leads(&all),
            [ebook, webinar, grace],
            "{backend:?}: newest first"
        );
        assert!(all.contains("1–3 of 3 leads"), "{all}");

        let cases: [(&str, Vec<i64>); 7] = [
            ("form=ebook", vec![ebook]),
            ("campaign_id=701WEBINAR", vec![webinar]),
            ("lead_source=Webinar", vec![webinar]),
            ("intent=contact_request", vec![webinar, grace]),
            ("q=grace", vec![ebook, grace]),
            ("q=hopper", vec![grace]),
            ("status=contacted", vec![]),
        ];
        for (query, expected) in cases {
            let html = handler
                .page(&format!("/console/leads?{query}"), &session)
                .await;
            assert_eq!(linked_leads(&html), expected, "{backend:?}: {query}");
            let csv = handler
                .get(
                    &format!("/console/leads.csv?{query}"),
                    Some(&session.cookie),
                )
                .await;
            assert_eq!(csv.status(), 200);
            assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
            let text = csv.text().await.unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let ids: Vec<i64> = reader
                .records()
                .map(|r| r.unwrap()[0].parse().unwrap())
                .collect();
            assert_eq!(ids, expected, "{backend:?}: the CSV of {query} is the view");
        }
        let csv = handler
            .get("/console/leads.csv?q=hopper", Some(&session.cookie))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"x\"\")\""),
            "formula-safe: {csv}"
        );
        assert!(csv.starts_with("\"id\",\"received_at\""), "{csv}");

        let bad = handler
            .get("/console/leads?from=23.11.2026", Some(&session.cookie))
            .await;
        assert_eq!(bad.status(), 400);
        assert!(bad
            .text()
            .await
            .unwrap()
            .contains("`from` must be a date like 2026-11-23"));
        let bad = handler
            .get("/console/leads?status=won", Some(&session.cookie))
            .await;
        assert_eq!(bad.status(), 400);

        // A view is a link: the filter form keeps the values it was opened with.
        let html = handler
            .page("/console/leads?form=ebook&q=grace", &session)
            .await;
        assert!(html.contains("value=\"grace\""), "{html}");
        assert!(html.contains("option value=\"ebook\" selected"), "{html}");
        assert!(
            html.contains("href=\"/console/leads.csv?form=ebook&amp;q=grace\""),
            "{html}"
        );
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_the_csp_and_no_inline_styles_or_scripts() {
    let handler =
        ConsoleHandler::start(crate::support::Backend::Sqlite, &[("ada", UserRole::Admin)]).await;
    let lead = handler
        .submit_lead(
            "contact-us",
            json!({"first_name": "Ada", "email": "ada@example.com"}),
            json!({}),
        )
        .await;
    let session = handler.login("ada").await;
    for path in [
        "/console/",
        "/console/leads".to_owned().as_str(),
        &format!("/console/leads/{lead}"),
        "/console/audit",
        "/console/login",
    ] {
        let response = handler.get(path, Some(&session.cookie)).await;
        assert_eq!(
            response.headers()["content-security-policy"],
            CONSOLE_CSP,
            "{path}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        let html = response.text().await.unwrap();
        for inline in ["style=", "<style", "<script", "onclick", "javascript:"] {
            assert!(!html.contains(inline), "{path} has {inline}");
        }
    }
    let css = handler.get("/console/console.css", None).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    handler.stop().await;
}
