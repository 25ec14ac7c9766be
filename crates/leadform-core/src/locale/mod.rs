//! Which language the product speaks to a visitor, and how it writes numbers in that language.
//!
//! The widget and the handler both negotiate with [`negotiate`], so a visitor sees the same
//! language in the inline messages, the handler's 422 and the no-JavaScript fallback page.

mod accept_language;
mod numbers;

pub use accept_language::parse_accept_language;
pub use numbers::format_count;

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// A language the product's own texts are written in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Es,
    /// Arabic, written right to left.
    Ar,
}

/// A `default_locale` or translation key that is not one of the supported languages.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not a supported language; use one of en, de, fr, es, ar")]
pub struct UnsupportedLocale(pub String);

impl Locale {
    pub const ALL: [Locale; 5] = [Locale::En, Locale::De, Locale::Fr, Locale::Es, Locale::Ar];

    /// The BCP 47 language code, as written in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ar => "ar",
        }
    }

    /// `true` for languages written right to left.
    pub fn is_rtl(self) -> bool {
        self == Locale::Ar
    }

    /// `"rtl"` or `"ltr"`, for a `dir` attribute.
    pub fn direction(self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The supported language a BCP 47 tag asks for: `de-AT` and `de_at` mean `de`, `ar-EG` means
    /// `ar`. `None` for a language the product does not speak, or a malformed tag.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let language = tag.trim().split(['-', '_']).next()?;
        Locale::ALL
            .into_iter()
            .find(|locale| locale.code().eq_ignore_ascii_case(language))
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Strict: a definition names a language exactly (`"de"`), not a region or a guess.
impl TryFrom<String> for Locale {
    type Error = UnsupportedLocale;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.code() == code)
            .ok_or(UnsupportedLocale(code))
    }
}

impl From<Locale> for String {
    fn from(locale: Locale) -> Self {
        locale.code().to_owned()
    }
}

/// Where a visitor's language preferences come from, strongest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalePreferences<'a> {
    /// `data-locale` on the embed, or `?locale=` on the fallback page: the site owner's or the
    /// visitor's explicit choice.
    pub explicit: Option<&'a str>,
    /// The host page's `<html lang>`.
    pub page: Option<&'a str>,
    /// The browser's languages in order of preference (`navigator.languages`, or the parsed
    /// `Accept-Language` header).
    pub browser: Vec<String>,
    /// The form definition's `default_locale`.
    pub form_default: Option<Locale>,
}

/// Picks the language to speak: the explicit choice, then the page's language, then the
/// browser's languages in order, then the form's default; each tag falls back from region to
/// language (`de-AT` → `de`), and English is the last resort.
pub fn negotiate(preferences: &LocalePreferences<'_>) -> Locale {
    preferences
        .explicit
        .and_then(Locale::from_tag)
        .or_else(|| preferences.page.and_then(Locale::from_tag))
        .or_else(|| {
            preferences
                .browser
                .iter()
                .find_map(|tag| Locale::from_tag(tag))
        })
        .or(preferences.form_default)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefs<'a>(
        explicit: Option<&'a str>,
        page: Option<&'a str>,
        browser: &[&str],
        form_default: Option<Locale>,
    ) -> LocalePreferences<'a> {
        LocalePreferences {
            explicit,
            page,
            browser: browser.iter().map(|s| (*s).to_owned()).collect(),
            form_default,
        }
    }

    #[test]
    fn a_region_falls_back_to_its_language() {
        assert_eq!(Locale::from_tag("de-AT"), Some(Locale::De));
        assert_eq!(Locale::from_tag("fr_ca"), Some(Locale::Fr));
        assert_eq!(Locale::from_tag(" AR-eg "), Some(Locale::Ar));
        assert_eq!(Locale::from_tag("es-419"), Some(Locale::Es));
        assert_eq!(Locale::from_tag("pt-BR"), None);
        assert_eq!(Locale::from_tag(""), None);
        assert_eq!(Locale::from_tag("deu"), None);
    }

    #[test]
    fn the_explicit_choice_wins_over_everything() {
        let chosen = negotiate(&prefs(Some("fr"), Some("de"), &["es"], Some(Locale::Ar)));
        assert_eq!(chosen, Locale::Fr);
    }

    #[test]
    fn each_source_is_skipped_when_it_names_no_supported_language() {
        assert_eq!(
            negotiate(&prefs(Some("pt"), Some("de-CH"), &["es"], None)),
            Locale::De
        );
        assert_eq!(
            negotiate(&prefs(None, Some("ja"), &["pt-BR", "es-MX", "de"], None)),
            Locale::Es
        );
        assert_eq!(
            negotiate(&prefs(None, None, &["ja"], Some(Locale::Ar))),
            Locale::Ar
        );
        assert_eq!(negotiate(&prefs(Some("xx"), None, &[], None)), Locale::En);
    }

    #[test]
    fn only_arabic_is_right_to_left() {
        for locale in Locale::ALL {
            assert_eq!(locale.is_rtl(), locale == Locale::Ar, "{locale}");
        }
        assert_eq!(Locale::Ar.direction(), "rtl");
        assert_eq!(Locale::De.direction(), "ltr");
    }

    #[test]
    fn a_definition_names_a_language_exactly() {
        assert_eq!(
            serde_json::from_str::<Locale>("\"de\"").expect("de"),
            Locale::De
        );
        let refused = serde_json::from_str::<Locale>("\"de-AT\"").expect_err("a region");
        assert!(
            refused
                .to_string()
                .contains("`de-AT` is not a supported language"),
            "{refused}"
        );
        assert!(serde_json::from_str::<Locale>("\"DE\"").is_err());
    }
}
