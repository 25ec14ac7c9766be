//! What the widget remembers about a visitor, and what it shows them because of it: attribution
//! under each storage policy, progressive profiling, the one-click form, "Not you?", and gated
//! content.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use leadform_core::KnownProfile;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ATTRIBUTION: &str = "leadform:attribution";
const PROFILE: &str = "leadform:profile";
const VISITOR: &str = "leadform:visitor_id";
const ADA_ID: &str = "\"0f1e2d3c-4b5a-4968-8776-655443322110\"";

fn stored(key: &str) -> Option<String> {
    local_storage().get_item(key).unwrap()
}

fn shown_fields(element: &web_sys::Element) -> Vec<String> {
    find_all(
        element,
        "input:not([name=leadform_website]), select, textarea",
    )
    .iter()
    .map(|e| e.get_attribute("name").unwrap())
    .collect()
}

fn remember_ada(known: &[&str]) {
    let profile = KnownProfile {
        known: known.iter().map(|s| s.to_string()).collect(),
        values: [
            ("first_name", "Ada"),
            ("email", "ada@example.com"),
            ("company", "secret"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    local_storage()
        .set_item(PROFILE, &serde_json::to_string(&profile).unwrap())
        .unwrap();
    local_storage().set_item(VISITOR, ADA_ID).unwrap();
}

#[wasm_bindgen_test]
async fn with_storage_always_attribution_is_kept_from_the_first_page_view() {
    forget_everything();
    let (_element, _handle) = mount(ebook_definition("always", false)).await;
    let saved = stored(ATTRIBUTION).expect("attribution stored");
    let saved: leadform_core::LeadAttribution = serde_json::from_str(&saved).unwrap();
    let first = saved.first_touch.expect("a first touch");
    let here = web_sys::window().unwrap().location().href().unwrap();
    assert_eq!(first.landing_page.as_deref(), Some(here.as_str()));
}

#[wasm_bindgen_test]
async fn with_after_consent_nothing_is_stored_until_the_box_is_ticked() {
    forget_everything();
    let (element, _handle) = mount(ebook_definition("after_consent", true)).await;
    assert_eq!(
        local_storage().length().unwrap(),
        0,
        "nothing before consent"
    );
    assert_eq!(
        shown_fields(&element).last().map(String::as_str),
        Some("consent"),
        "the consent checkbox renders last"
    );
    type_into(&element, "email", "ada@example.com");
    leave(&element, "email");
    settle().await;
    assert_eq!(
        local_storage().length().unwrap(),
        0,
        "typing is not consent"
    );

    tick(&element, "consent", true);
    settle().await;
    assert!(
        stored(ATTRIBUTION).is_some(),
        "stored once consent is given"
    );
}

#[wasm_bindgen_test]
async fn with_storage_never_nothing_is_stored_even_with_consent() {
    forget_everything();
    let (element, _handle) = mount(ebook_definition("never", true)).await;
    let events = record_events(&element);
    for (name, value) in [
        ("email", "ada@example.com"),
        ("first_name", "Ada"),
        ("company", "Acme"),
        ("job_title", "CTO"),
    ] {
        type_into(&element, name, value);
    }
    tick(&element, "consent", true);
    settle().await;
    click(&element, "button[type=submit]");
    until("the send is attempted", || {
        count(&events, "leadform:error") == 1
    })
    .await;
    assert_eq!(count(&events, "leadform:submit"), 1);
    assert_eq!(local_storage().length().unwrap(), 0);
}

#[wasm_bindgen_test]
async fn a_new_visitor_gets_the_first_pool_questions() {
    forget_everything();
    let (element, _handle) = mount(ebook_definition("always", false)).await;
    assert_eq!(
        shown_fields(&element),
        ["email", "first_name", "company", "job_title"]
    );
    assert!(!exists(&element, ".leadform-welcome"));
}

#[wasm_bindgen_test]
async fn a_returning_visitor_gets_the_next_questions_and_known_values_prefilled() {
    forget_everything();
    remember_ada(&["email", "first_name", "company", "job_title"]);
    let (element, _handle) = mount(ebook_definition("always", false)).await;
    assert_eq!(
        shown_fields(&element),
        ["email", "first_name", "phone", "country"]
    );
    assert_eq!(value_of(&element, "email"), "ada@example.com");
    assert_eq!(value_of(&element, "first_name"), "Ada");
    assert_eq!(text(&element, ".leadform-greeting"), "Welcome back, Ada");
}

#[wasm_bindgen_test]
async fn the_handlers_profile_counts_as_known_too() {
    forget_everything();
    let server = KnownProfile {
        known: ["email", "first_name", "company", "job_title", "phone"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        values: Default::default(),
    };
    let (element, _handle) = mount_known(ebook_definition("always", false), Some(server)).await;
    assert_eq!(shown_fields(&element), ["email", "first_name", "country"]);
}

#[wasm_bindgen_test]
async fn a_visitor_with_nothing_missing_gets_a_one_click_download() {
    forget_everything();
    remember_ada(&[
        "email",
        "first_name",
        "company",
        "job_title",
        "phone",
        "country",
    ]);
    let (element, _handle) = mount(ebook_definition("always", false)).await;
    let events = record_events(&element);
    assert!(shown_fields(&element).is_empty());
    assert_eq!(text(&element, ".leadform-greeting"), "Welcome back, Ada");
    assert_eq!(text(&element, "button[type=submit]"), "Download");

    // It still sends a submission: the download is a lead activity.
    click(&element, "button[type=submit]");
    until("the one-click send is attempted", || {
        count(&events, "leadform:error") == 1
    })
    .await;
    assert_eq!(count(&events, "leadform:submit"), 1);
}

#[wasm_bindgen_test]
async fn not_you_forgets_this_device_and_shows_the_full_form() {
    forget_everything();
    remember_ada(&[
        "email",
        "first_name",
        "company",
        "job_title",
        "phone",
        "country",
    ]);
    let (element, _handle) = mount(ebook_definition("always", false)).await;
    click(&element, ".leadform-not-you");
    settle().await;

    assert_eq!(stored(PROFILE), None, "the local profile is gone");
    let fresh = stored(VISITOR).expect("a fresh visitor id");
    assert_ne!(fresh, ADA_ID);
    assert!(leadform_core::sanitize::is_uuid_v4(fresh.trim_matches('"')));
    assert_eq!(
        shown_fields(&element),
        ["email", "first_name", "company", "job_title"]
    );
    assert_eq!(
        value_of(&element, "email"),
        "",
        "Ada's address is not shown to the next person"
    );
    assert!(!exists(&element, ".leadform-welcome"));
}

#[wasm_bindgen_test]
async fn the_gated_asset_is_nowhere_in_the_page_before_a_submission() {
    forget_everything();
    let (element, _handle) = mount(ebook_definition("always", false)).await;
    let html = shadow(&element).inner_html();
    assert!(!html.contains(".pdf"), "{html}");
    assert!(!exists(&element, ".leadform-download"));
    assert_eq!(text(&element, "button[type=submit]"), "Download the eBook");
}

#[wasm_bindgen_test]
async fn after_success_the_answer_reveals_the_download_with_its_cover() {
    use leadform::components::success::{Success, SuccessProps};
    use leadform_core::LeadAccepted;
    use std::rc::Rc;

    let root = container();
    let asset = ebook_definition("always", false).asset;
    let props = SuccessProps {
        message: "Your copy is ready.".into(),
        asset,
        answer: Rc::new(LeadAccepted {
            id: 1,
            submission_id: "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b".into(),
            asset_url: Some("/assets/12-charts.pdf".into()),
            redirect_url: None,
        }),
        endpoint: "http://127.0.0.1:9".into(),
    };
    yew::Renderer::<Success>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let link = root
        .query_selector("a.leadform-download")
        .unwrap()
        .expect("a download link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("http://127.0.0.1:9/assets/12-charts.pdf")
    );
    assert!(link.text_content().unwrap().contains("Download 12 Charts"));
    let cover = root
        .query_selector("img.leadform-cover")
        .unwrap()
        .expect("the cover");
    assert_eq!(cover.get_attribute("alt").as_deref(), Some("Cover"));
    assert_eq!(
        cover.get_attribute("src").as_deref(),
        Some("http://127.0.0.1:9/assets/cover.svg")
    );
    let message = root
        .query_selector(".leadform-success-message")
        .unwrap()
        .unwrap();
    assert_eq!(
        message.text_content().as_deref(),
        Some("Your copy is ready.")
    );
}
