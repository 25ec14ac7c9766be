//! Tables installed at run time: how the widget, built without the `all-catalogues` feature,
//! speaks the visitor's language. The handler sends the table with the definition; a table that
//! does not fit (another language, another length: a widget cached in a browser meeting a newer
//! handler) is refused and the widget answers in English rather than with wrong texts.

use super::Text;
use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, PoisonError};
use thiserror::Error;

/// One language's texts in [`Text::ALL`] order, as the handler sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueTable {
    pub locale: Locale,
    pub texts: Vec<String>,
}

/// Why a table was not installed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    #[error("the table is for `{table}`, but the form is shown in `{shown}`")]
    OtherLocale { table: Locale, shown: Locale },
    #[error("the `{locale}` table has {found} texts where this widget knows {expected}")]
    WrongLength {
        locale: Locale,
        expected: usize,
        found: usize,
    },
    #[error("the `{locale}` table has no text for {key:?}")]
    EmptyText { locale: Locale, key: Text },
    #[error("English is built in and needs no table")]
    English,
}

/// Installed tables by `Locale as usize`. Each is leaked once, so `text` can keep answering
/// `&'static str`; a second table for the same language is not kept (one page, one language).
static INSTALLED: Mutex<[Option<&'static [&'static str]>; 5]> = Mutex::new([None; 5]);

impl CatalogueTable {
    /// The table for `locale` from the compiled catalogues; none for English.
    #[cfg(feature = "all-catalogues")]
    pub fn compiled(locale: Locale) -> Option<Self> {
        (locale != Locale::En).then(|| Self {
            locale,
            texts: Text::ALL
                .iter()
                .map(|&key| super::text(locale, key).to_owned())
                .collect(),
        })
    }

    /// Installs the table if it is for `shown`, the language the form is shown in.
    pub fn install_for(&self, shown: Locale) -> Result<(), CatalogueError> {
        if self.locale != shown {
            return Err(CatalogueError::OtherLocale {
                table: self.locale,
                shown,
            });
        }
        install(self.locale, &self.texts)
    }
}

/// Makes `texts` (in [`Text::ALL`] order) the answer of `text(locale, …)` where the table is
/// not compiled in. The whole table or nothing: a short, long or gappy one is refused.
pub fn install(locale: Locale, texts: &[String]) -> Result<(), CatalogueError> {
    if locale == Locale::En {
        return Err(CatalogueError::English);
    }
    if texts.len() != Text::ALL.len() {
        return Err(CatalogueError::WrongLength {
            locale,
            expected: Text::ALL.len(),
            found: texts.len(),
        });
    }
    if let Some(key) = Text::ALL
        .iter()
        .zip(texts)
        .find_map(|(&key, text)| text.trim().is_empty().then_some(key))
    {
        return Err(CatalogueError::EmptyText { locale, key });
    }
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    let slot = &mut installed[locale as usize];
    if slot.is_none() {
        let leaked: Vec<&'static str> = texts
            .iter()
            .map(|text| &*Box::leak(text.clone().into_boxed_str()))
            .collect();
        *slot = Some(Box::leak(leaked.into_boxed_slice()));
    }
    Ok(())
}

/// The installed text, if a table for `locale` was installed.
#[cfg_attr(feature = "all-catalogues", allow(dead_code))]
pub(super) fn installed_text(locale: Locale, key: Text) -> Option<&'static str> {
    let installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    installed[locale as usize].and_then(|table| table.get(key.position()).copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::text;

    /// A table whose every text names its key, so a test sees where an answer came from.
    fn marked(locale: Locale) -> Vec<String> {
        Text::ALL
            .iter()
            .map(|key| format!("{locale} {key:?}"))
            .collect()
    }

    #[test]
    fn a_table_of_the_wrong_length_is_refused_and_english_answers() {
        let mut short = marked(Locale::Fr);
        short.pop();
        assert_eq!(
            install(Locale::Fr, &short),
            Err(CatalogueError::WrongLength {
                locale: Locale::Fr,
                expected: Text::ALL.len(),
                found: Text::ALL.len() - 1,
            })
        );
        assert_eq!(installed_text(Locale::Fr, Text::Sending), None);
        #[cfg(not(feature = "all-catalogues"))]
        assert_eq!(
            text(Locale::Fr, Text::Sending),
            text(Locale::En, Text::Sending)
        );
    }

    #[test]
    fn a_table_with_an_empty_text_is_refused() {
        let mut gappy = marked(Locale::Fr);
        gappy[Text::Offline.position()] = " ".to_owned();
        assert_eq!(
            install(Locale::Fr, &gappy),
            Err(CatalogueError::EmptyText {
                locale: Locale::Fr,
                key: Text::Offline
            })
        );
        assert_eq!(installed_text(Locale::Fr, Text::Sending), None);
    }

    #[test]
    fn a_table_for_another_language_than_the_shown_one_is_refused() {
        let table = CatalogueTable {
            locale: Locale::Ar,
            texts: marked(Locale::Ar),
        };
        assert_eq!(
            table.install_for(Locale::Es),
            Err(CatalogueError::OtherLocale {
                table: Locale::Ar,
                shown: Locale::Es
            })
        );
        assert_eq!(installed_text(Locale::Ar, Text::Sending), None);
        assert_eq!(installed_text(Locale::Es, Text::Sending), None);
    }

    #[test]
    fn english_takes_no_table() {
        assert_eq!(
            install(Locale::En, &marked(Locale::En)),
            Err(CatalogueError::English)
        );
        assert_eq!(text(Locale::En, Text::Sending), "Sending…");
    }

    #[cfg(not(feature = "all-catalogues"))]
    #[test]
    fn without_the_compiled_tables_an_installed_table_answers() {
        assert_eq!(text(Locale::De, Text::Sent), text(Locale::En, Text::Sent));
        let table = CatalogueTable {
            locale: Locale::De,
            texts: marked(Locale::De),
        };
        assert_eq!(table.install_for(Locale::De), Ok(()));
        for key in Text::ALL {
            assert_eq!(text(Locale::De, key), format!("de {key:?}"));
        }
        // Other languages still answer in English.
        assert_eq!(text(Locale::Es, Text::Sent), text(Locale::En, Text::Sent));
    }

    #[cfg(feature = "all-catalogues")]
    #[test]
    fn with_the_compiled_tables_they_answer_and_travel_whole() {
        let table = CatalogueTable::compiled(Locale::De).expect("a German table");
        assert_eq!(table.texts.len(), Text::ALL.len());
        assert_eq!(
            table.texts[Text::Sending.position()],
            text(Locale::De, Text::Sending)
        );
        assert_eq!(CatalogueTable::compiled(Locale::En), None);
        // Installing changes nothing where the table is compiled in.
        assert_eq!(install(Locale::De, &marked(Locale::De)), Ok(()));
        assert_eq!(
            text(Locale::De, Text::Sending),
            table.texts[Text::Sending.position()]
        );
    }
}
