//! `/console/forms`: each form's embed snippet and the embed and campaign builder.

use crate::support::{Backend, ConsoleHandler};
use leadform_store::UserRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builder_makes_snippets_from_the_allow_lists_and_tagged_links() {
    let handler = ConsoleHandler::start(Backend::Sqlite, &[("ada", UserRole::Member)]).await;
    let session = handler.login("ada").await;
    let html = handler.page("/console/forms", &session).await;
    let origin = handler.origin();
    assert!(html.contains("Talk to our team") && html.contains("Get the eBook"));
    assert!(
        html.contains(&format!(
            "&lt;script src=&quot;{origin}/leadform.js&quot; defer&gt;"
        )),
        "{html}"
    );

    let html = handler
        .page(
            "/console/forms?form=contact-us&campaign_id=701WEBINAR&lead_source=Webinar\
             &page_url=https%3A%2F%2Fwww.example.com%2Fwebinar%3Fref%3Dx&utm_source=linkedin\
             &utm_medium=paid+social&utm_campaign=q4",
            &session,
        )
        .await;
    assert!(
        html.contains("&lt;div data-leadform=&quot;contact-us&quot; data-campaign-id=&quot;701WEBINAR&quot; data-lead-source=&quot;Webinar&quot;&gt;"),
        "{html}"
    );
    assert!(
        html.contains("https://www.example.com/webinar?ref=x&amp;utm_source=linkedin&amp;utm_medium=paid+social&amp;utm_campaign=q4"),
        "{html}"
    );
    assert!(html.contains("option value=\"701WEBINAR\" selected"));

    let html = handler
        .page(
            "/console/forms?form=contact-us&campaign_id=701OTHER&page_url=ftp%3A%2F%2Fx",
            &session,
        )
        .await;
    assert!(
        html.contains("campaign id &quot;701OTHER&quot; is not in this form's list"),
        "{html}"
    );
    assert!(
        html.contains("the page must be an http or https address"),
        "{html}"
    );
    let missing = handler
        .get("/console/forms?form=nope", Some(&session.cookie))
        .await;
    assert_eq!(missing.status(), 404);
    handler.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forms_page_alone_loads_the_copy_script_from_a_file() {
    let handler = ConsoleHandler::start(Backend::Sqlite, &[("ada", UserRole::Member)]).await;
    let session = handler.login("ada").await;
    let response = handler
        .get(
            "/console/forms?form=contact-us&page_url=https%3A%2F%2Fwww.example.com%2F",
            Some(&session.cookie),
        )
        .await;
    assert_eq!(
        response.headers()["content-security-policy"],
        leadform_console::FORMS_PAGE_CSP
    );
    assert!(leadform_console::FORMS_PAGE_CSP.contains("script-src 'self';"));
    assert!(!leadform_console::CONSOLE_CSP.contains("script-src"));
    let html = response.text().await.unwrap();
    // One script element, from the file, with nothing inline.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(
        html.contains(r#"<script src="/console/copy.js" defer></script>"#),
        "{html}"
    );
    for inline in ["style=", "onclick", "javascript:"] {
        assert!(!html.contains(inline), "{inline}");
    }
    // The buttons wait, hidden, for the script; the text boxes work without it.
    for target in ["snippet-contact-us", "built-snippet", "built-link"] {
        assert!(
            html.contains(&format!(
                r#"data-copy-target="{target}" data-copy-status="{target}-status" hidden>"#
            )),
            "{target}: {html}"
        );
        assert!(
            html.contains(&format!(r#"id="{target}" readonly"#)),
            "{target}"
        );
    }
    let script = handler.get("/console/copy.js", None).await;
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().await.unwrap().contains("navigator.clipboard"));
    handler.stop().await;
}
