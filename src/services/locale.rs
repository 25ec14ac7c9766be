//! The visitor's language as the browser states it, negotiated by the core's rules:
//! `data-locale`, then the page's `<html lang>`, then `navigator.languages`, then the form's
//! `default_locale`, then English.

use leadform_core::{negotiate, Locale, LocalePreferences};

pub fn visitor_locale(explicit: Option<&str>, form_default: Option<Locale>) -> Locale {
    let window = web_sys::window();
    let page = page_language();
    let browser = window
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect()
        })
        .unwrap_or_default();
    negotiate(&LocalePreferences {
        explicit,
        page: page.as_deref(),
        browser,
        form_default,
    })
}

/// The language the embed or the page states (`data-locale`, then `<html lang>`), if it is one
/// the product speaks: what the definition is asked for before the form's default is known.
pub fn stated_locale(explicit: Option<&str>) -> Option<Locale> {
    explicit
        .and_then(Locale::from_tag)
        .or_else(|| page_language().as_deref().and_then(Locale::from_tag))
}

/// The host page's `<html lang>`.
fn page_language() -> Option<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
}
