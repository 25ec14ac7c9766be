//! Getting the widget onto a page: mounting, unmounting, the shadow root, settings and events.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use leadform::boot;
use leadform::embed::mount::settings_from_element;
use leadform::embed::{install_js_api, mount_with_definition};
use leadform::payload::{build_submission, PayloadInput};
use leadform::services::page::PageContext;
use leadform_core::BotCheck;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn mounting_the_same_element_twice_shows_one_form() {
    let (element, first) = mount(contact_definition()).await;
    let second = mount_with_definition(&element, options("contact-us"), contact_definition(), None)
        .expect("a second mount is not an error");
    settle().await;
    assert_eq!(find_all(&element, "form").len(), 1);
    assert!(element.has_attribute("data-leadform-mounted"));
    assert!(first.is_mounted() && second.is_mounted());
}

#[wasm_bindgen_test]
async fn unmount_removes_the_form_and_a_remount_works() {
    let (element, handle) = mount(contact_definition()).await;
    handle.unmount();
    settle().await;
    assert!(find_all(&element, "form").is_empty());
    assert_eq!(
        shadow(&element).child_nodes().length(),
        0,
        "shadow root emptied"
    );
    assert!(!element.has_attribute("data-leadform-mounted"));
    assert!(!handle.is_mounted());

    mount_with_definition(&element, options("contact-us"), contact_definition(), None).unwrap();
    settle().await;
    assert_eq!(find_all(&element, "form").len(), 1);
}

#[wasm_bindgen_test]
async fn the_stylesheet_is_linked_inside_the_shadow_root() {
    let (element, _handle) = mount(contact_definition()).await;
    let link = find(&element, "link[rel=stylesheet]");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("http://127.0.0.1:9/leadform.css")
    );
}

#[wasm_bindgen_test]
async fn host_page_css_cannot_hide_our_inputs() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        "input, select, textarea, button { display: none !important; }",
    ));
    document().head().unwrap().append_child(&style).unwrap();

    let (element, _handle) = mount(contact_definition()).await;
    let input = find(&element, "[name=email]");
    let display = web_sys::window()
        .unwrap()
        .get_computed_style(&input)
        .unwrap()
        .unwrap()
        .get_property_value("display")
        .unwrap();
    style.remove();
    assert_ne!(
        display, "none",
        "the host page's rule reached into the widget"
    );
    assert!(
        document().query_selector("[name=email]").unwrap().is_none(),
        "the widget's inputs are not in the host page's DOM"
    );
}

#[wasm_bindgen_test]
async fn nothing_in_the_widget_uses_an_inline_style() {
    let (element, _handle) = mount(contact_definition()).await;
    leave(&element, "email");
    settle().await;
    assert!(find_all(&element, "[style]").is_empty());
}

#[wasm_bindgen_test]
async fn data_attributes_override_the_definitions_hidden_values_in_the_payload() {
    let element = container();
    for (name, value) in [
        ("data-leadform", "contact-us"),
        ("data-campaign-id", "701BLOG"),
        ("data-lead-source", "Blog"),
        ("data-locale", "de-DE"),
    ] {
        element.set_attribute(name, value).unwrap();
    }
    let options = settings_from_element(&element)
        .resolve("http://127.0.0.1:9/")
        .unwrap();
    assert_eq!(options.endpoint, "http://127.0.0.1:9");
    let definition = contact_definition();
    let values = BTreeMap::from([("first_name".to_owned(), "Ada".to_owned())]);
    let page = PageContext {
        language: "en-US".into(),
        ..PageContext::default()
    };
    let lead = build_submission(PayloadInput {
        definition: &definition,
        options: &options,
        values: &values,
        shown: &definition.fields,
        submission_id: "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        page: &page,
        attribution: None,
        visitor_id: None,
        bot_check: BotCheck::default(),
    });
    assert_eq!(lead.hidden.campaign_id.as_deref(), Some("701BLOG"));
    assert_eq!(lead.hidden.lead_source.as_deref(), Some("Blog"));
    assert_eq!(lead.locale, "de-DE");
    assert!(
        !lead.fields.contains_key("form_variant"),
        "hidden fields are the handler's"
    );

    // Without attributes, the definition's values stand.
    let plain = container();
    plain.set_attribute("data-leadform", "contact-us").unwrap();
    let defaults = settings_from_element(&plain).resolve(UNREACHABLE).unwrap();
    let lead = build_submission(PayloadInput {
        definition: &definition,
        options: &defaults,
        values: &values,
        shown: &definition.fields,
        submission_id: "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b",
        page: &page,
        attribution: None,
        visitor_id: None,
        bot_check: BotCheck::default(),
    });
    assert_eq!(lead.hidden.campaign_id.as_deref(), Some("701DEFAULT"));
    assert_eq!(lead.locale, "en-US");
}

#[wasm_bindgen_test]
async fn the_js_api_mounts_and_a_form_that_cannot_load_keeps_the_fallback() {
    install_js_api(UNREACHABLE);
    let element = container();
    element.set_inner_html("<a href=\"/fallback\">Contact us</a>");
    let events = record_events(&element);

    let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"Leadform".into()).unwrap();
    let mount: js_sys::Function = js_sys::Reflect::get(&api, &"mount".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"formId".into(), &"contact-us".into()).unwrap();
    let handle = mount.call2(&api, &element, &options).unwrap();
    let unmount: js_sys::Function = js_sys::Reflect::get(&handle, &"unmount".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(unmount.length() == 0);

    until("leadform:error after the definition failed to load", || {
        count(&events, "leadform:error") == 1
    })
    .await;
    let detail = events.borrow()[0].1.clone();
    assert!(detail.contains("\"formId\":\"contact-us\""), "{detail}");
    assert!(detail.contains("could not load form"), "{detail}");
    assert_eq!(element.inner_html(), "<a href=\"/fallback\">Contact us</a>");
    assert!(element.shadow_root().is_none());
    assert!(!element.has_attribute("data-leadform-mounted"));

    // Options must name a form; the error says which setting is missing.
    let bare = container();
    let error = mount
        .call2(&api, &bare, &js_sys::Object::new())
        .expect_err("no form id");
    let message = js_sys::Reflect::get(&error, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(message.contains("data-leadform"), "{message}");
}

#[wasm_bindgen_test]
async fn ready_fires_once_mounted_with_the_form_id() {
    let element = container();
    let events = record_events(&element);
    mount_with_definition(&element, options("contact-us"), contact_definition(), None).unwrap();
    settle().await;
    assert_eq!(count(&events, "leadform:ready"), 1);
    assert_eq!(events.borrow()[0].1, "{\"formId\":\"contact-us\"}");
}

#[wasm_bindgen_test]
async fn boot_scans_every_container_and_names_the_problem_of_each() {
    let good = container();
    good.set_attribute("data-leadform", "ebook").unwrap();
    good.set_attribute("data-endpoint", UNREACHABLE).unwrap();
    let unnamed = container();
    unnamed.set_attribute("data-leadform", " ").unwrap();
    let good_events = record_events(&good);
    let unnamed_events = record_events(&unnamed);

    boot("http://127.0.0.1:9/");
    let api = js_sys::Reflect::get(&web_sys::window().unwrap(), &"Leadform".into()).unwrap();
    assert!(api.is_object(), "boot installs window.Leadform");

    until("both containers report", || {
        count(&good_events, "leadform:error") == 1 && count(&unnamed_events, "leadform:error") == 1
    })
    .await;
    let good_detail = good_events.borrow()[0].1.clone();
    assert!(
        good_detail.contains("could not load form `ebook`"),
        "{good_detail}"
    );
    let unnamed_detail = unnamed_events.borrow()[0].1.clone();
    assert!(
        unnamed_detail.contains("data-leadform attribute"),
        "{unnamed_detail}"
    );
}
