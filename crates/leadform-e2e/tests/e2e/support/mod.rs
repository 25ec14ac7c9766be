//! What the end-to-end tests share about the demo's Contact Us form.

use anyhow::{ensure, Result};
use leadform_e2e::{find_by_email, Handler, Widget};
use serde_json::Value;

pub const FORM_ID: &str = "contact-us";

/// A complete, valid set of answers for `forms/contact-us.json`.
pub fn answers(email: &str) -> [(&str, &str); 6] {
    [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", email),
        ("company", "Analytical Engines"),
        ("topic", "demo"),
        ("message", "Hello from the end-to-end tests"),
    ]
}

/// Submits at a person's pace, waits for the success message, and returns the one
/// stored lead with `email`.
pub async fn submit_and_find_lead(
    handler: &Handler,
    widget: &Widget,
    email: &str,
) -> Result<Value> {
    widget.wait_past_min_fill(handler.min_fill(FORM_ID)?).await;
    widget.submit().await?;
    let success = widget.wait_for_success().await?;
    ensure!(!success.trim().is_empty(), "the success message is empty");

    // The handler answers 201 only after the lead is committed, so it is there now.
    let leads = handler.leads().await?;
    let matching = find_by_email(&leads, email);
    ensure!(
        matching.len() == 1,
        "expected one lead with {email}, found {}: {leads:#?}",
        matching.len()
    );
    let lead = matching[0].clone();
    ensure!(
        lead["form_id"] == FORM_ID,
        "lead for the wrong form: {lead:#}"
    );
    ensure!(
        lead["submission_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "lead without a submission_id: {lead:#}"
    );
    Ok(lead)
}
