//! The language of the first markup: the one the widget will speak when it takes the form over,
//! so the takeover changes no text.
//!
//! The loader sends the widget's own preferences in its order (`data-locale`, `<html lang>`,
//! `navigator.languages`) as `?languages=`; the core's [`negotiate`] then picks exactly what
//! `src/services/locale.rs` picks. Without it (an API client), `?locale=` and `Accept-Language`
//! decide, as for `GET /v1/forms/{id}`.

use crate::http::requested_locale::RequestedLocale;
use leadform_core::{negotiate, Locale, LocalePreferences};

/// More than any browser lists; the rest of a longer (hostile) list is ignored.
const MAX_LANGUAGES: usize = 16;

pub fn first_markup_locale(
    requested: &RequestedLocale,
    languages: Option<&str>,
    form_default: Option<Locale>,
) -> Locale {
    if requested.explicit.is_some() {
        return requested.negotiate(form_default);
    }
    match languages {
        Some(list) => negotiate(&LocalePreferences {
            browser: list
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .take(MAX_LANGUAGES)
                .map(str::to_owned)
                .collect(),
            form_default,
            ..LocalePreferences::default()
        }),
        None => requested.negotiate(form_default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requested(explicit: Option<&str>, accept: &[&str]) -> RequestedLocale {
        RequestedLocale {
            explicit: explicit.map(str::to_owned),
            browser: accept.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn the_loaders_list_is_read_in_order_skipping_what_the_product_does_not_speak() {
        let none = requested(None, &["fr"]);
        assert_eq!(
            first_markup_locale(&none, Some("pt-BR, de-AT,es"), None),
            Locale::De
        );
        assert_eq!(first_markup_locale(&none, Some("ar"), None), Locale::Ar);
        // The list wins over the request's Accept-Language: it is what the widget reads.
        assert_eq!(first_markup_locale(&none, Some("es"), None), Locale::Es);
    }

    #[test]
    fn nothing_supported_falls_to_the_form_default_then_english() {
        let none = requested(None, &[]);
        assert_eq!(
            first_markup_locale(&none, Some("ja,pt"), Some(Locale::Fr)),
            Locale::Fr
        );
        assert_eq!(first_markup_locale(&none, Some(""), None), Locale::En);
        let late = format!("{}de", "xx,".repeat(MAX_LANGUAGES));
        assert_eq!(first_markup_locale(&none, Some(&late), None), Locale::En);
    }

    #[test]
    fn without_the_list_the_request_decides_as_for_the_definition() {
        assert_eq!(
            first_markup_locale(&requested(None, &["de-CH", "en"]), None, None),
            Locale::De
        );
        assert_eq!(
            first_markup_locale(&requested(Some("ar"), &["de"]), Some("fr"), None),
            Locale::Ar
        );
    }
}
