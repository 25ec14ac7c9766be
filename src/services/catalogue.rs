//! Installs the product's texts in the visitor's language from the definition's `catalogue`
//! (the widget is built without the non-English tables; see `leadform_core::catalogue`).

use super::locale::visitor_locale;
use leadform_core::PublicFormDefinition;

/// Installs the definition's table if it is for the language the widget will render in. A table
/// that does not fit (a newer handler, another language) leaves the texts in English: a warning
/// in the console, never a broken form.
pub fn install_visitor_table(explicit_locale: Option<&str>, definition: &PublicFormDefinition) {
    let Some(table) = &definition.catalogue else {
        return;
    };
    let shown = visitor_locale(explicit_locale, definition.default_locale);
    if let Err(error) = table.install_for(shown) {
        let message = format!("Leadform: texts left in English: {error}");
        web_sys::console::warn_1(&message.into());
    }
}
