//! Facts about the host page that go with a lead: its URL, title, referrer, the time and locale,
//! and Marketo's Munchkin cookie when the page has one.

use leadform_core::munchkin::MUNCHKIN_COOKIE_NAME;

/// What the browser knows about the page the form sits on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageContext {
    pub url: String,
    pub title: String,
    pub referrer: String,
    /// ISO 8601, from the browser clock.
    pub now_iso: String,
    /// `navigator.language`, e.g. `en-GB`.
    pub language: String,
    /// Marketo's Munchkin cookie (`_mkto_trk`), first-party on the host page, when it has one.
    pub munchkin_cookie: Option<String>,
}

pub fn current_page() -> PageContext {
    let Some(window) = web_sys::window() else {
        return PageContext::default();
    };
    let document = window.document();
    PageContext {
        url: window.location().href().unwrap_or_default(),
        title: document.as_ref().map(|d| d.title()).unwrap_or_default(),
        referrer: document.as_ref().map(|d| d.referrer()).unwrap_or_default(),
        now_iso: now_iso(),
        language: window.navigator().language().unwrap_or_default(),
        munchkin_cookie: document
            .as_ref()
            .and_then(|d| cookie_value(&page_cookies(d), MUNCHKIN_COOKIE_NAME)),
    }
}

/// `document.cookie`, read by name so the widget needs no `HtmlDocument` binding.
fn page_cookies(document: &web_sys::Document) -> String {
    js_sys::Reflect::get(document, &wasm_bindgen::JsValue::from_str("cookie"))
        .ok()
        .and_then(|cookies| cookies.as_string())
        .unwrap_or_default()
}

/// One cookie's value from a `name=value; name=value` string.
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Milliseconds since the epoch; used to measure how long the form took to fill.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
