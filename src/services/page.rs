//! Facts about the host page that go with a lead: its URL, title, referrer, the time and locale.

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
    }
}

pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Milliseconds since the epoch; used to measure how long the form took to fill.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
