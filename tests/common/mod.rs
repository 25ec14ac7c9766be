//! Helpers shared by the widget's browser tests: make a container, mount a definition into it,
//! act on the shadow DOM like a visitor would, and wait for Yew to render.

#![allow(dead_code)]

use leadform::embed::{mount_with_definition, EmbedOptions, MountHandle};
use leadform_core::{KnownProfile, PublicFormDefinition};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventInit, HtmlElement, ShadowRoot};

/// A loopback port nothing listens on: sends fail for real, the way a dead network does.
pub const UNREACHABLE: &str = "http://127.0.0.1:9";

pub fn contact_definition() -> PublicFormDefinition {
    serde_json::from_str(
        r#"{
        "id": "contact-us", "title": "Talk to our team", "description": "We answer within a day.",
        "kind": "contact", "submit_label": "Send message", "success_message": "Thanks!",
        "fields": [
          {"name": "first_name", "label": "First name", "kind": "text", "required": true, "max_length": 40, "prefill": true},
          {"name": "email", "label": "Work email", "kind": "email", "required": true, "prefill": true, "help": "We reply to this address."},
          {"name": "phone", "label": "Phone", "kind": "tel"},
          {"name": "topic", "label": "Topic", "kind": "select", "required": true,
           "options": [{"value": "demo", "label": "A demo"}, {"value": "pricing", "label": "Pricing"}]},
          {"name": "message", "label": "Message", "kind": "textarea", "required": true},
          {"name": "newsletter", "label": "Send me the newsletter", "kind": "checkbox"},
          {"name": "form_variant", "label": "Variant", "kind": "hidden", "value": "v1"}
        ],
        "hidden": {"lead_source": "Website", "campaign_id": "701DEFAULT"}
      }"#,
    )
    .expect("test definition parses")
}

/// A gated eBook with progressive profiling, in the shape `GET /v1/forms/{id}` serves it.
pub fn ebook_definition(storage: &str, consent: bool) -> PublicFormDefinition {
    let consent = if consent {
        r#", "consent": {"text": "You may email me about this eBook.", "required": false}"#
    } else {
        ""
    };
    serde_json::from_str(&format!(
        r#"{{
        "id": "ebook", "title": "Get the eBook", "kind": "content_download",
        "submit_label": "Download the eBook", "success_message": "Your copy is ready.",
        "asset": {{"title": "12 Charts", "cover_image_url": "/assets/cover.svg", "cover_alt": "Cover"}},
        "fields": [
          {{"name": "email", "label": "Work email", "kind": "email", "required": true, "prefill": true}},
          {{"name": "first_name", "label": "First name", "kind": "text", "required": true, "prefill": true}},
          {{"name": "company", "label": "Company", "kind": "text", "required": true}},
          {{"name": "job_title", "label": "Job title", "kind": "text", "required": true}},
          {{"name": "phone", "label": "Phone", "kind": "tel"}},
          {{"name": "country", "label": "Country", "kind": "select", "required": true,
            "options": [{{"value": "US", "label": "United States"}}, {{"value": "DE", "label": "Germany"}}]}}
        ],
        "progressive": {{"max_new_fields": 2, "pool": ["company", "job_title", "phone", "country"]}},
        "hidden": {{"lead_source": "Content Download", "campaign_id": "701EBOOK"}},
        "storage": "{storage}"{consent}
      }}"#
    ))
    .expect("test definition parses")
}

pub fn options(form_id: &str) -> EmbedOptions {
    EmbedOptions {
        form_id: form_id.into(),
        endpoint: UNREACHABLE.into(),
        campaign_id: None,
        lead_source: None,
        locale: None,
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page's body.
pub fn container() -> Element {
    let element = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

/// Mounts `definition` into a fresh container and waits for the first render.
pub async fn mount(definition: PublicFormDefinition) -> (Element, MountHandle) {
    mount_known(definition, None).await
}

pub async fn mount_known(
    definition: PublicFormDefinition,
    server_profile: Option<KnownProfile>,
) -> (Element, MountHandle) {
    let element = container();
    let handle = mount_with_definition(
        &element,
        options(&definition.id.clone()),
        definition,
        server_profile,
    )
    .expect("mounts");
    settle().await;
    (element, handle)
}

pub fn shadow(element: &Element) -> ShadowRoot {
    element
        .shadow_root()
        .expect("the widget has an open shadow root")
}

pub fn find(element: &Element, selector: &str) -> Element {
    shadow(element)
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub fn find_all(element: &Element, selector: &str) -> Vec<Element> {
    let list = shadow(element).query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

pub fn exists(element: &Element, selector: &str) -> bool {
    shadow(element).query_selector(selector).unwrap().is_some()
}

pub fn text(element: &Element, selector: &str) -> String {
    find(element, selector).text_content().unwrap_or_default()
}

fn fire(target: &Element, name: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let event = Event::new_with_event_init_dict(name, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Types `value` into the field named `name`, as a visitor would (value, then an input event).
pub fn type_into(element: &Element, name: &str, value: &str) {
    let input = find(element, &format!("[name=\"{name}\"]"));
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).unwrap();
    let kind = input.tag_name();
    fire(&input, if kind == "SELECT" { "change" } else { "input" });
}

pub fn tick(element: &Element, name: &str, checked: bool) {
    let input = find(element, &format!("[name=\"{name}\"]"));
    js_sys::Reflect::set(&input, &"checked".into(), &checked.into()).unwrap();
    fire(&input, "change");
}

/// The visitor leaves the field (a real `blur` event on the input).
pub fn leave(element: &Element, name: &str) {
    let input = find(element, &format!("[name=\"{name}\"]"));
    fire(&input, "blur");
}

/// A `submit` event straight on the form, as pressing Enter in a field sends.
pub fn submit_event(element: &Element) {
    fire(&find(element, "form"), "submit");
}

pub fn click(element: &Element, selector: &str) {
    find(element, selector)
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

pub fn value_of(element: &Element, name: &str) -> String {
    let input = find(element, &format!("[name=\"{name}\"]"));
    js_sys::Reflect::get(&input, &"value".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Lets Yew render everything pending (and effects run).
pub async fn settle() {
    for _ in 0..3 {
        yew::scheduler::flush().await;
        sleep(5).await;
    }
}

/// Waits until `check` holds. The deadline only gives up on a broken run; it times nothing.
pub async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..1200 {
        if check() {
            return;
        }
        sleep(25).await;
        yew::scheduler::flush().await;
    }
    panic!("gave up waiting for: {what}");
}

/// Records the `detail` of every Leadform event that reaches `element`, as JSON text.
pub fn record_events(element: &Element) -> Rc<RefCell<Vec<(String, String)>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    for name in [
        "leadform:ready",
        "leadform:submit",
        "leadform:success",
        "leadform:error",
    ] {
        let seen = seen.clone();
        let listener =
            Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
                let detail = js_sys::JSON::stringify(&event.detail())
                    .map(String::from)
                    .unwrap_or_default();
                seen.borrow_mut().push((event.type_(), detail));
            });
        element
            .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .unwrap();
        listener.forget();
    }
    seen
}

pub fn count(events: &Rc<RefCell<Vec<(String, String)>>>, name: &str) -> usize {
    events.borrow().iter().filter(|(n, _)| n == name).count()
}

pub fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Starts a test from a browser that remembers nothing.
pub fn forget_everything() {
    local_storage().clear().unwrap();
    leadform::services::attribution::reload();
}

/// Fills every required field of the contact form with valid values.
pub fn fill_contact_form(element: &Element) {
    type_into(element, "first_name", "Ada");
    type_into(element, "email", "ada@example.com");
    type_into(element, "topic", "demo");
    type_into(element, "message", "Hello there");
}
