//! The form as a visitor meets it: labels and ARIA, errors on blur and on submit, focus, and
//! what happens when sending fails.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use leadform_core::catalogue::{text as catalogue_text, Text};
use leadform_core::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn renders_title_description_and_every_visible_field_with_a_label() {
    let (element, _handle) = mount(contact_definition()).await;
    assert_eq!(text(&element, "h2"), "Talk to our team");
    assert_eq!(
        text(&element, ".leadform-description"),
        "We answer within a day."
    );
    let controls = find_all(
        &element,
        "input:not([name=leadform_website]), select, textarea",
    );
    let names: Vec<String> = controls
        .iter()
        .map(|c| c.get_attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "first_name",
            "email",
            "phone",
            "topic",
            "message",
            "newsletter"
        ],
        "hidden fields are not rendered"
    );
    for control in &controls {
        let id = control.id();
        assert!(!id.is_empty());
        let label = find(&element, &format!("label[for=\"{id}\"]"));
        assert!(!label.text_content().unwrap().trim().is_empty());
    }
    assert_eq!(
        find(&element, "[name=email]")
            .get_attribute("type")
            .as_deref(),
        Some("email")
    );
    assert_eq!(
        find(&element, "[name=phone]")
            .get_attribute("type")
            .as_deref(),
        Some("tel")
    );
    assert_eq!(find_all(&element, "[name=topic] option").len(), 3);
    assert_eq!(text(&element, "button[type=submit]"), "Send message");
}

#[wasm_bindgen_test]
async fn ids_are_unique_when_a_page_holds_two_forms() {
    let (first, _a) = mount(contact_definition()).await;
    let (second, _b) = mount(contact_definition()).await;
    assert_ne!(
        find(&first, "[name=email]").id(),
        find(&second, "[name=email]").id()
    );
}

#[wasm_bindgen_test]
async fn leaving_a_field_shows_its_error_inline_and_links_it_with_aria() {
    let (element, _handle) = mount(contact_definition()).await;
    let email = find(&element, "[name=email]");
    let help_id = format!("{}-help", email.id());
    assert_eq!(
        email.get_attribute("aria-describedby"),
        Some(help_id.clone())
    );
    assert_eq!(email.get_attribute("aria-invalid"), None);

    type_into(&element, "email", "ada@example");
    settle().await;
    assert!(
        !exists(&element, ".leadform-error"),
        "no error while still typing"
    );

    leave(&element, "email");
    settle().await;
    let email = find(&element, "[name=email]");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error_id = format!("{}-error", email.id());
    assert_eq!(
        email.get_attribute("aria-describedby"),
        Some(format!("{help_id} {error_id}"))
    );
    assert_eq!(
        text(&element, &format!("#{error_id}")),
        "Enter an email address like name@company.com"
    );
    assert_eq!(
        find_all(&element, ".leadform-error").len(),
        1,
        "only the field left"
    );

    type_into(&element, "email", "ada@example.com");
    settle().await;
    assert!(
        !exists(&element, ".leadform-error"),
        "the error goes once fixed"
    );
    assert_eq!(
        find(&element, "[name=email]").get_attribute("aria-invalid"),
        None
    );
}

#[wasm_bindgen_test]
async fn submit_shows_all_errors_and_a_summary_that_takes_focus_and_links_each_field() {
    let (element, _handle) = mount(contact_definition()).await;
    let events = record_events(&element);
    type_into(&element, "phone", "call me");
    click(&element, "button[type=submit]");
    settle().await;

    let invalid: Vec<String> = find_all(&element, "[aria-invalid=true]")
        .iter()
        .map(|e| e.get_attribute("name").unwrap())
        .collect();
    assert_eq!(
        invalid,
        ["first_name", "email", "phone", "topic", "message"]
    );
    assert_eq!(
        text(
            &element,
            &format!("#{}-error", find(&element, "[name=first_name]").id())
        ),
        "Enter your first name."
    );
    // GOV.UK's error summary: titled, first after the title, focused, one link per problem.
    let focused = shadow(&element)
        .active_element()
        .expect("the summary has focus");
    assert_eq!(focused.class_name(), "leadform-error-summary");
    assert_eq!(
        text(&element, ".leadform-error-summary-title"),
        "There is a problem"
    );
    let links = find_all(&element, ".leadform-error-summary a");
    let targets: Vec<String> = links
        .iter()
        .map(|a| a.get_attribute("href").unwrap())
        .collect();
    let first_name_id = find(&element, "[name=first_name]").id();
    let phone_id = find(&element, "[name=phone]").id();
    assert_eq!(targets.len(), 5, "{targets:?}");
    assert_eq!(targets[0], format!("#{first_name_id}"));
    assert_eq!(
        links[0].text_content().unwrap(),
        "Enter your first name.",
        "the message names its field: no label before it"
    );
    assert_eq!(
        links[3].text_content().unwrap(),
        "Topic: Choose an option.",
        "a message that does not name its field gets the label"
    );
    // In a shadow root a fragment link reaches nothing: the click focuses the field itself.
    click(
        &element,
        &format!(".leadform-error-summary a[href=\"#{phone_id}\"]"),
    );
    let focused = shadow(&element)
        .active_element()
        .expect("a field has focus");
    assert_eq!(focused.get_attribute("name").as_deref(), Some("phone"));
    assert_eq!(
        text(&element, "[aria-live=polite]"),
        "5 fields need your attention."
    );
    // Fixing a field takes it off the summary; the inline messages of the others stay.
    type_into(&element, "first_name", "Ada");
    settle().await;
    assert_eq!(find_all(&element, ".leadform-error-summary a").len(), 4);
    assert_eq!(find_all(&element, ".leadform-error").len(), 4);
    assert_eq!(count(&events, "leadform:submit"), 0, "nothing is sent");
}

#[wasm_bindgen_test]
async fn the_honeypot_is_out_of_sight_and_out_of_the_tab_order() {
    let (element, _handle) = mount(contact_definition()).await;
    let trap = find(&element, ".leadform-hp");
    assert_eq!(trap.get_attribute("aria-hidden").as_deref(), Some("true"));
    let input = find(&element, "[name=leadform_website]");
    assert_eq!(input.get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(input.get_attribute("autocomplete").as_deref(), Some("off"));
}

#[wasm_bindgen_test]
async fn a_failed_send_keeps_every_value_says_so_and_a_retry_reuses_the_id() {
    let (element, _handle) = mount(contact_definition()).await;
    let events = record_events(&element);
    fill_contact_form(&element);
    tick(&element, "newsletter", true);
    settle().await;

    // A double click, then Enter in a field (a submit event the disabled button cannot stop).
    click(&element, "button[type=submit]");
    click(&element, "button[type=submit]");
    submit_event(&element);
    settle().await;
    assert_eq!(
        count(&events, "leadform:submit"),
        1,
        "a double click sends once"
    );

    until("the network error is shown", || {
        text(&element, "[aria-live=polite]") == catalogue_text(Locale::En, Text::Offline)
    })
    .await;
    assert_eq!(value_of(&element, "first_name"), "Ada");
    assert_eq!(value_of(&element, "email"), "ada@example.com");
    assert_eq!(value_of(&element, "topic"), "demo");
    assert_eq!(value_of(&element, "message"), "Hello there");
    assert!(
        js_sys::Reflect::get(&find(&element, "[name=newsletter]"), &"checked".into())
            .unwrap()
            .is_truthy()
    );
    assert_eq!(count(&events, "leadform:error"), 1);
    assert_eq!(
        find(&element, "button[type=submit]").get_attribute("disabled"),
        None,
        "the visitor can try again"
    );

    click(&element, "button[type=submit]");
    until("the retry fails too", || {
        count(&events, "leadform:error") == 2
    })
    .await;
    let recorded = events.borrow().clone();
    let submits: Vec<&String> = recorded
        .iter()
        .filter(|(name, _)| name == "leadform:submit")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(submits.len(), 2);
    assert_eq!(
        submits[0], submits[1],
        "the retry carries the same submission id"
    );
    assert!(submits[0].contains("\"submissionId\":\""));
}

#[wasm_bindgen_test]
async fn event_details_never_carry_what_the_visitor_typed() {
    let (element, _handle) = mount(contact_definition()).await;
    let events = record_events(&element);
    fill_contact_form(&element);
    settle().await;
    click(&element, "button[type=submit]");
    until("the send fails", || count(&events, "leadform:error") == 1).await;
    for (name, detail) in events.borrow().iter() {
        let parsed: serde_json::Value = serde_json::from_str(detail).unwrap();
        let keys: Vec<&String> = parsed.as_object().unwrap().keys().collect();
        assert!(
            keys.iter()
                .all(|k| ["formId", "submissionId", "message"].contains(&k.as_str())),
            "{name}: {detail}"
        );
        for typed in ["Ada", "ada@example.com", "Hello there", "demo"] {
            assert!(!detail.contains(typed), "{name} leaks {typed}: {detail}");
        }
    }
}
