//! `window.Leadform`: mounting from a host page's own script.
//!
//! ```js
//! const handle = Leadform.mount(element, { formId: "contact-us", campaignId: "701…" });
//! handle.unmount();
//! ```

use super::attributes::EmbedSettings;
use super::mount::{mount, settings_from_element};
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Reads `{formId, endpoint, campaignId, leadSource, locale}` from a JS options object.
pub fn settings_from_options(options: &JsValue) -> EmbedSettings {
    if !options.is_object() {
        return EmbedSettings::default();
    }
    EmbedSettings::read(|setting| {
        js_sys::Reflect::get(options, &setting.option_key.into())
            .ok()
            .and_then(|v| v.as_string())
    })
}

/// Puts `Leadform.mount` on `window`. `default_endpoint` is the loader's base URL.
pub fn install_js_api(default_endpoint: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let default_endpoint = default_endpoint.to_owned();
    let mount_fn = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |element: JsValue, options: JsValue| {
            let element: Element = element.dyn_into().map_err(|_| {
                JsError::new("Leadform.mount: the first argument must be an element")
            })?;
            let settings =
                settings_from_element(&element).overridden_by(settings_from_options(&options));
            let options = settings
                .resolve(&default_endpoint)
                .map_err(|e| JsError::new(&["Leadform.mount: ", &e.to_string()].concat()))?;
            Ok(mount(&element, options).into())
        },
    );
    let api = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&api, &"mount".into(), mount_fn.as_ref());
    // The page keeps `Leadform.mount` for its lifetime, so the closure must live as long.
    mount_fn.forget();
    let _ = js_sys::Reflect::set(&window, &"Leadform".into(), &api);
}
