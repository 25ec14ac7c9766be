//! The demo's Contact Us page, served by the handler itself: inline validation, then a
//! stored lead.

use crate::support;

use anyhow::Result;
use leadform_e2e::{Browser, E2eEnv, Handler};
use support::{answers, submit_and_find_lead, FORM_ID};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_email_is_flagged_inline_and_the_corrected_lead_is_stored() -> Result<()> {
    let Some(env) =
        E2eEnv::from_env("a_bad_email_is_flagged_inline_and_the_corrected_lead_is_stored")
    else {
        return Ok(());
    };
    let handler = Handler::config(&env).start().await?;
    let browser = Browser::start(&env).await?;
    browser
        .goto(&format!("{}/contact.html", handler.base_url()))
        .await?;
    let widget = browser.widget(FORM_ID).await?;

    // A half-typed address is flagged when the visitor leaves the field...
    widget.type_into("email", "ada@").await?;
    widget.blur("email").await?;
    widget
        .wait_for_error("email", "Enter an email address like name@company.com")
        .await?;

    // ...and cleared once it is finished (typing appends to "ada@").
    widget.type_into("email", "example.com").await?;
    widget.blur("email").await?;
    widget.wait_until_valid("email").await?;
    let email = widget.field("email").await?.prop("value").await?;
    assert_eq!(email.as_deref(), Some("ada@example.com"));

    let others: Vec<_> = answers("ada@example.com")
        .into_iter()
        .filter(|(name, _)| *name != "email")
        .collect();
    widget.fill_all(&others).await?;
    let lead = submit_and_find_lead(&handler, &widget, "ada@example.com").await?;
    assert_eq!(lead["fields"]["first_name"], "Ada");
    assert_eq!(lead["fields"]["company"], "Analytical Engines");

    browser.close().await
}
