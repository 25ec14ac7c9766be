//! Every text the product itself writes, in each supported language.
//!
//! One plain table per language (`en.rs`, `de.rs`, …) rather than Fluent or PO files: the widget
//! compiles this crate to wasm, and a table of `&'static str` costs only its bytes. Each table is
//! an exhaustive `match`, so a key missing in one language does not compile; the tests check that
//! every text is written and that each keeps the English placeholders (`{max}`, `{count}`, …).
//!
//! The four non-English tables compile only with the `all-catalogues` feature (on by default).
//! The widget turns it off: the handler sends the visitor's table with the definition
//! ([`CatalogueTable`]) and the widget [`install`]s it before it renders (issue 12).

#[cfg(feature = "all-catalogues")]
mod ar;
#[cfg(feature = "all-catalogues")]
mod de;
mod en;
#[cfg(feature = "all-catalogues")]
mod es;
#[cfg(feature = "all-catalogues")]
mod fr;
mod installed;

pub use installed::{install, CatalogueError, CatalogueTable};

use crate::locale::{format_count, Locale};

/// A text the product writes. Placeholders in braces are filled by [`fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text {
    // Validation messages: the widget's inline messages and the handler's 422.
    EmailFormat,
    PhoneFormat,
    NotAnOption,
    CheckboxValue,
    /// `{max}` and `{length}` are character counts.
    TooLong,
    ControlCharacters,
    RequiredCheckbox,
    RequiredSelect,
    /// `{label}` is the field's label.
    RequiredText,
    UnknownField,
    // The form's own furniture.
    ChoosePlaceholder,
    /// Read by screen readers after a required field's label.
    RequiredMarker,
    HoneypotLabel,
    ErrorSummaryTitle,
    /// `{title}` is the form's title; the page title after a failed submit.
    ErrorPageTitle,
    /// The count sentences, one per plural category the languages need (see [`fields_need_attention`]).
    FieldsNeedAttentionOne,
    FieldsNeedAttentionTwo,
    FieldsNeedAttentionFew,
    FieldsNeedAttentionMany,
    FieldsNeedAttentionOther,
    // A returning visitor.
    WelcomeBack,
    /// `{name}` is the visitor's first name.
    WelcomeBackName,
    NotYou,
    OneClickDownload,
    OneClickContact,
    DownloadButton,
    // Status messages.
    Sending,
    Sent,
    Offline,
    TryAgain,
    RateLimitedShort,
    FixFields,
    TooLargeToSend,
    /// The browser could not make a random submission id, so nothing was sent.
    NoSubmissionId,
    FormGone,
    SiteNotAllowed,
    ServerRefused,
    ServerProblem,
    // The no-JavaScript fallback's refusal pages.
    FormNotFoundTitle,
    FormNotFoundBody,
    BadPostTitle,
    BadPostBody,
    PayloadTooLargeTitle,
    PayloadTooLargeBody,
    OriginRefusedTitle,
    OriginRefusedBody,
    RateLimitedTitle,
    /// `{seconds}` is how long to wait.
    RateLimitedBody,
    AlreadySentTitle,
    AlreadySentBody,
    NotSavedTitle,
    NotSavedBody,
    ThankYouTitle,
    // The gated file's signed link.
    AssetLinkExpiredTitle,
    AssetLinkExpiredBody,
    AssetLinkInvalidTitle,
    AssetLinkInvalidBody,
}

impl Text {
    pub const ALL: [Text; 57] = [
        Text::EmailFormat,
        Text::PhoneFormat,
        Text::NotAnOption,
        Text::CheckboxValue,
        Text::TooLong,
        Text::ControlCharacters,
        Text::RequiredCheckbox,
        Text::RequiredSelect,
        Text::RequiredText,
        Text::UnknownField,
        Text::ChoosePlaceholder,
        Text::RequiredMarker,
        Text::HoneypotLabel,
        Text::ErrorSummaryTitle,
        Text::ErrorPageTitle,
        Text::FieldsNeedAttentionOne,
        Text::FieldsNeedAttentionTwo,
        Text::FieldsNeedAttentionFew,
        Text::FieldsNeedAttentionMany,
        Text::FieldsNeedAttentionOther,
        Text::WelcomeBack,
        Text::WelcomeBackName,
        Text::NotYou,
        Text::OneClickDownload,
        Text::OneClickContact,
        Text::DownloadButton,
        Text::Sending,
        Text::Sent,
        Text::Offline,
        Text::TryAgain,
        Text::RateLimitedShort,
        Text::FixFields,
        Text::TooLargeToSend,
        Text::NoSubmissionId,
        Text::FormGone,
        Text::SiteNotAllowed,
        Text::ServerRefused,
        Text::ServerProblem,
        Text::FormNotFoundTitle,
        Text::FormNotFoundBody,
        Text::BadPostTitle,
        Text::BadPostBody,
        Text::PayloadTooLargeTitle,
        Text::PayloadTooLargeBody,
        Text::OriginRefusedTitle,
        Text::OriginRefusedBody,
        Text::RateLimitedTitle,
        Text::RateLimitedBody,
        Text::AlreadySentTitle,
        Text::AlreadySentBody,
        Text::NotSavedTitle,
        Text::NotSavedBody,
        Text::ThankYouTitle,
        Text::AssetLinkExpiredTitle,
        Text::AssetLinkExpiredBody,
        Text::AssetLinkInvalidTitle,
        Text::AssetLinkInvalidBody,
    ];
}

/// The text as written in `locale`, placeholders unfilled.
#[cfg(feature = "all-catalogues")]
pub fn text(locale: Locale, key: Text) -> &'static str {
    match locale {
        Locale::En => en::text(key),
        Locale::De => de::text(key),
        Locale::Fr => fr::text(key),
        Locale::Es => es::text(key),
        Locale::Ar => ar::text(key),
    }
}

/// The text as written in `locale`, placeholders unfilled: from the table [`install`]ed for
/// `locale`, else English.
#[cfg(not(feature = "all-catalogues"))]
pub fn text(locale: Locale, key: Text) -> &'static str {
    installed::installed_text(locale, key).unwrap_or_else(|| en::text(key))
}

impl Text {
    /// Where the key stands in [`Text::ALL`] (and so in a [`CatalogueTable`]).
    pub fn position(self) -> usize {
        // The enum and `ALL` list the keys in the same order (a test checks it).
        self as usize
    }
}

/// The text with each `{name}` replaced by its value.
pub fn fill(locale: Locale, key: Text, values: &[(&str, &str)]) -> String {
    let mut filled = text(locale, key).to_owned();
    for (name, value) in values {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

/// "3 fields need your attention.", with the language's plural form and digits.
pub fn fields_need_attention(locale: Locale, count: usize) -> String {
    let key = match (locale, count) {
        (Locale::Ar, 1) | (Locale::En | Locale::De | Locale::Es, 1) | (Locale::Fr, 0 | 1) => {
            Text::FieldsNeedAttentionOne
        }
        (Locale::Ar, 2) => Text::FieldsNeedAttentionTwo,
        // Arabic: 3–10 (mod 100) take the plural, 11–99 (mod 100) the singular accusative.
        (Locale::Ar, n) if (3..=10).contains(&(n % 100)) => Text::FieldsNeedAttentionFew,
        (Locale::Ar, n) if (11..=99).contains(&(n % 100)) => Text::FieldsNeedAttentionMany,
        _ => Text::FieldsNeedAttentionOther,
    };
    fill(locale, key, &[("count", &format_count(locale, count))])
}

#[cfg(all(test, feature = "all-catalogues"))]
mod tests {
    use super::*;

    /// The `{names}` a text expects, in order of first appearance.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    #[test]
    fn every_text_is_written_in_every_language() {
        for locale in Locale::ALL {
            for key in Text::ALL {
                assert!(
                    !text(locale, key).trim().is_empty(),
                    "{locale} has no text for {key:?}"
                );
            }
        }
    }

    #[test]
    fn every_language_keeps_the_english_placeholders() {
        for key in Text::ALL {
            let english = placeholders(text(Locale::En, key));
            // "one field" and Arabic's dual may spell the number out as a word.
            let may_spell_out = matches!(
                key,
                Text::FieldsNeedAttentionOne | Text::FieldsNeedAttentionTwo
            );
            for locale in Locale::ALL {
                let translated = placeholders(text(locale, key));
                if may_spell_out {
                    assert!(
                        translated.iter().all(|name| english.contains(name)),
                        "{locale} {key:?} has a placeholder English lacks"
                    );
                } else {
                    assert_eq!(
                        translated, english,
                        "{locale} {key:?} placeholders differ from English"
                    );
                }
            }
        }
    }

    #[test]
    fn arabic_texts_write_numbers_in_arabic_indic_digits() {
        for key in Text::ALL {
            // A phone number is typed in Western digits: the example shows what to type.
            if key == Text::PhoneFormat {
                continue;
            }
            let written = text(Locale::Ar, key);
            assert!(
                !written.chars().any(|c| c.is_ascii_digit()),
                "ar {key:?} writes Western digits: {written}"
            );
        }
    }

    #[test]
    fn each_key_stands_at_its_position() {
        for (i, key) in Text::ALL.iter().enumerate() {
            assert_eq!(key.position(), i, "{key:?}");
        }
    }

    #[test]
    fn the_key_list_has_no_repeats() {
        for (i, key) in Text::ALL.iter().enumerate() {
            assert!(!Text::ALL[i + 1..].contains(key), "{key:?} listed twice");
        }
    }

    #[test]
    fn the_field_count_takes_the_plural_form_and_digits_of_the_language() {
        assert_eq!(
            fields_need_attention(Locale::En, 1),
            "1 field needs your attention."
        );
        assert_eq!(
            fields_need_attention(Locale::En, 6),
            "6 fields need your attention."
        );
        assert_eq!(
            fields_need_attention(Locale::De, 6),
            "6 Felder benötigen Ihre Aufmerksamkeit."
        );
        assert_eq!(
            fields_need_attention(Locale::Fr, 0),
            "0 champ nécessite votre attention."
        );
        assert_eq!(
            fields_need_attention(Locale::Ar, 2),
            "حقلان يحتاجان إلى انتباهك."
        );
        assert_eq!(
            fields_need_attention(Locale::Ar, 6),
            "٦ حقول تحتاج إلى انتباهك."
        );
        assert_eq!(
            fields_need_attention(Locale::Ar, 12),
            "١٢ حقلًا يحتاج إلى انتباهك."
        );
        assert_eq!(
            fields_need_attention(Locale::En, 1200),
            "1,200 fields need your attention."
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                Locale::De,
                Text::TooLong,
                &[("max", "2.000"), ("length", "2.001")]
            ),
            "Verwenden Sie höchstens 2.000 Zeichen (derzeit 2.001)."
        );
    }
}
