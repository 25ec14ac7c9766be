//! Facts about the host page that go with a lead: its URL, title, referrer, the time and locale,
//! and Marketo's Munchkin cookie when the page has one.

pub use crate::payload::PageContext;
use leadform_core::munchkin::MUNCHKIN_COOKIE_NAME;

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

#[cfg(test)]
mod tests {
    use super::cookie_value;

    const MUNCHKIN: &str = "id:123-ABC-456&token:_mch-acme.test-1764400000000-12345";

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let cookies = format!("a=1; x_mkto_trk=no; _mkto_trk={MUNCHKIN}; b=2");
        assert_eq!(
            cookie_value(&cookies, "_mkto_trk").as_deref(),
            Some(MUNCHKIN)
        );
        assert_eq!(cookie_value("a=1", "_mkto_trk"), None);
    }
}
