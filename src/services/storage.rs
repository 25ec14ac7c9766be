//! The page's `localStorage`, guarded by the form's storage policy.
//!
//! Storage can be missing or throw (private modes, sandboxed iframes, full quota); the widget then
//! simply remembers nothing, which is always allowed.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Prefix of every key the widget writes, so the host page's own keys are never touched.
pub const KEY_PREFIX: &str = "leadform:";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn full_key(key: &str) -> String {
    [KEY_PREFIX, key].concat()
}

pub fn read<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = local_storage()?.get_item(&full_key(key)).ok()??;
    let value = js_sys::JSON::parse(&text).ok()?;
    // A value we cannot read (older format, edited by hand) counts as absent.
    super::js_value::from_js(value).ok()
}

/// Writes `value`; returns whether it was stored.
pub fn write<T: Serialize>(key: &str, value: &T) -> bool {
    let Some(storage) = local_storage() else {
        return false;
    };
    let Ok(text) = super::http::to_json(value) else {
        return false;
    };
    storage.set_item(&full_key(key), &text).is_ok()
}

pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&full_key(key));
    }
}
