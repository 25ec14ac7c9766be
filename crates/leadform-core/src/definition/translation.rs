//! A marketer's own texts in other languages: `translations` in a definition, keyed by locale.
//!
//! ```json
//! "translations": { "de": { "title": "Sprechen Sie mit uns", "submit_label": "Senden",
//!   "success_message": "Danke!", "fields": { "email": { "label": "Geschäftliche E-Mail" } } } }
//! ```
//!
//! A listed language must translate every text the form shows, so a German visitor never meets
//! an English label halfway down the form; [`check_translations`] names each one missing.

use super::{FieldKind, FormDefinition};
use crate::error::DefinitionError;
use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One language's version of a form's texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormTranslation {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub submit_label: Option<String>,
    #[serde(default)]
    pub success_message: Option<String>,
    #[serde(default)]
    pub consent_text: Option<String>,
    /// Field name → its texts.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldTranslation>,
}

/// One field's texts in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTranslation {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub placeholder: Option<String>,
    /// Option value → its label.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

/// Longest translated text accepted, as for the English originals' longest (success message).
const MAX_TRANSLATED_CHARS: usize = 2000;

/// Every listed language translates every text the form shows, names only fields and options
/// the form has, and writes nothing empty or overlong.
pub(super) fn check_translations(form: &FormDefinition) -> Result<(), DefinitionError> {
    for (locale, translation) in &form.translations {
        let at = |rest: &str| format!("translations.{locale}{rest}");
        let mut missing = Vec::new();
        let mut require = |present: bool, what: String| {
            if !present {
                missing.push(what);
            }
        };
        require(translation.title.is_some(), "title".into());
        require(translation.submit_label.is_some(), "submit_label".into());
        require(
            translation.success_message.is_some(),
            "success_message".into(),
        );
        if form.description.is_some() {
            require(translation.description.is_some(), "description".into());
        }
        if form.consent.is_some() {
            require(translation.consent_text.is_some(), "consent_text".into());
        }
        for field in form.fields.iter().filter(|f| f.kind != FieldKind::Hidden) {
            let translated = translation.fields.get(&field.name);
            let name = &field.name;
            require(
                translated.is_some_and(|t| t.label.is_some()),
                format!("fields.{name}.label"),
            );
            if field.help.is_some() {
                require(
                    translated.is_some_and(|t| t.help.is_some()),
                    format!("fields.{name}.help"),
                );
            }
            if field.placeholder.is_some() {
                require(
                    translated.is_some_and(|t| t.placeholder.is_some()),
                    format!("fields.{name}.placeholder"),
                );
            }
            for option in &field.options {
                require(
                    translated.is_some_and(|t| t.options.contains_key(&option.value)),
                    format!("fields.{name}.options.{}", option.value),
                );
            }
        }
        if !missing.is_empty() {
            return Err(DefinitionError::new(
                at(""),
                format!("the {locale} translation misses {}", missing.join(", ")),
            ));
        }
        for (name, field_translation) in &translation.fields {
            let Some(field) = form.field(name).filter(|f| f.kind != FieldKind::Hidden) else {
                return Err(DefinitionError::new(
                    at(&format!(".fields.{name}")),
                    format!("the form has no visible field `{name}` to translate"),
                ));
            };
            for value in field_translation.options.keys() {
                if !field.options.iter().any(|o| &o.value == value) {
                    return Err(DefinitionError::new(
                        at(&format!(".fields.{name}.options.{value}")),
                        format!("`{name}` has no option `{value}` to translate"),
                    ));
                }
            }
        }
        for (path, text) in translated_texts(translation) {
            if text.trim().is_empty() || text.chars().count() > MAX_TRANSLATED_CHARS {
                return Err(DefinitionError::new(
                    at(&format!(".{path}")),
                    format!("write a text of 1 to {MAX_TRANSLATED_CHARS} characters"),
                ));
            }
        }
    }
    Ok(())
}

/// Every text of a translation with its path, for the length rule.
fn translated_texts(translation: &FormTranslation) -> Vec<(String, &str)> {
    let mut texts: Vec<(String, &str)> = [
        ("title", &translation.title),
        ("description", &translation.description),
        ("submit_label", &translation.submit_label),
        ("success_message", &translation.success_message),
        ("consent_text", &translation.consent_text),
    ]
    .into_iter()
    .filter_map(|(path, text)| text.as_deref().map(|t| (path.to_owned(), t)))
    .collect();
    for (name, field) in &translation.fields {
        for (part, text) in [
            ("label", &field.label),
            ("help", &field.help),
            ("placeholder", &field.placeholder),
        ] {
            if let Some(text) = text {
                texts.push((format!("fields.{name}.{part}"), text));
            }
        }
        for (value, label) in &field.options {
            texts.push((format!("fields.{name}.options.{value}"), label));
        }
    }
    texts
}

impl FormDefinition {
    /// The form with its texts in `locale` where the definition translates them; the form itself
    /// otherwise (for a language without a translation, or the form's own language), uncopied:
    /// every submission is checked against its form in the visitor's language.
    pub fn translated(&self, locale: Locale) -> Cow<'_, FormDefinition> {
        let Some(translation) = self.translations.get(&locale) else {
            return Cow::Borrowed(self);
        };
        let mut form = self.clone();
        let replace = |target: &mut String, text: &Option<String>| {
            if let Some(text) = text {
                target.clone_from(text);
            }
        };
        replace(&mut form.title, &translation.title);
        replace(&mut form.submit_label, &translation.submit_label);
        replace(&mut form.success.message, &translation.success_message);
        if translation.description.is_some() {
            form.description.clone_from(&translation.description);
        }
        if let (Some(consent), Some(text)) = (&mut form.consent, &translation.consent_text) {
            consent.text.clone_from(text);
        }
        for field in &mut form.fields {
            let Some(field_translation) = translation.fields.get(&field.name) else {
                continue;
            };
            replace(&mut field.label, &field_translation.label);
            if field_translation.help.is_some() {
                field.help.clone_from(&field_translation.help);
            }
            if field_translation.placeholder.is_some() {
                field.placeholder.clone_from(&field_translation.placeholder);
            }
            for option in &mut field.options {
                if let Some(label) = field_translation.options.get(&option.value) {
                    option.label.clone_from(label);
                }
            }
        }
        Cow::Owned(form)
    }
}
