//! The CustomEvents a host page can listen to. They bubble from the embed's container and their
//! `detail` names the form and the submission — never a value the visitor typed.

use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

pub const READY: &str = "leadform:ready";
pub const SUBMIT: &str = "leadform:submit";
pub const SUCCESS: &str = "leadform:success";
pub const ERROR: &str = "leadform:error";

/// Fires `name` on `container` with `detail = {formId, submissionId, message?}`.
pub fn dispatch(
    container: &Element,
    name: &str,
    form_id: &str,
    submission_id: Option<&str>,
    message: Option<&str>,
) {
    let detail = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        // Setting a plain property on a fresh object cannot fail.
        let _ = js_sys::Reflect::set(&detail, &key.into(), &JsValue::from_str(value));
    };
    set("formId", form_id);
    if let Some(id) = submission_id {
        set("submissionId", id);
    }
    if let Some(message) = message {
        set("message", message);
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = container.dispatch_event(&event);
    }
}
