//! One input of a form.

use serde::{Deserialize, Serialize};
use validator::Validate;

/// What kind of input a field renders as, which also picks its format rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Email,
    Tel,
    Textarea,
    Select,
    Checkbox,
    /// A fixed value from the definition, sent with every lead and never shown.
    Hidden,
}

impl FieldKind {
    /// The length cap when the definition gives none. Email follows SMTP's limit.
    pub fn default_max_length(self) -> usize {
        match self {
            FieldKind::Text | FieldKind::Hidden | FieldKind::Select => 255,
            FieldKind::Email => crate::email::MAX_EMAIL_LEN,
            FieldKind::Tel => 40,
            FieldKind::Textarea => 5000,
            FieldKind::Checkbox => 5,
        }
    }
}

/// One choice of a `select` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SelectOption {
    #[validate(length(min = 1, max = 255))]
    pub value: String,
    #[validate(length(min = 1, max = 255))]
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct FieldDefinition {
    /// The key in the lead payload; lowercase letters, digits and `_`.
    #[validate(custom(function = "super::check::field_name"))]
    pub name: String,
    #[validate(length(min = 1, max = 200))]
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// Maximum length in characters; defaults to [`FieldKind::default_max_length`].
    #[serde(default)]
    #[validate(range(min = 1, max = 10000))]
    pub max_length: Option<usize>,
    /// The choices of a `select` field (required for selects, refused for other kinds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(nested)]
    pub options: Vec<SelectOption>,
    /// A hint shown under the input.
    #[serde(default)]
    #[validate(length(max = 500))]
    pub help: Option<String>,
    /// Placeholder text inside the input.
    #[serde(default)]
    #[validate(length(max = 200))]
    pub placeholder: Option<String>,
    /// May a known value be shown back to a returning visitor? Off by default: a shared computer
    /// should not display someone else's phone number.
    #[serde(default)]
    pub prefill: bool,
    /// The value of a `hidden` field.
    #[serde(default)]
    #[validate(length(max = 255))]
    pub value: Option<String>,
    /// The HTML `autocomplete` token, e.g. `given-name`, so browsers can fill the field.
    #[serde(default)]
    #[validate(length(max = 60))]
    pub autocomplete: Option<String>,
}

impl FieldDefinition {
    pub fn max_length(&self) -> usize {
        self.max_length
            .unwrap_or_else(|| self.kind.default_max_length())
    }

    pub fn is_visible(&self) -> bool {
        self.kind != FieldKind::Hidden
    }

    /// Does `value` answer this field? Blank never does, and neither does an unticked checkbox,
    /// which API clients may post as `"false"`. Validation and profiling share this one rule.
    pub fn is_answered_by(&self, value: &str) -> bool {
        let value = value.trim();
        !(value.is_empty() || (self.kind == FieldKind::Checkbox && value == "false"))
    }
}
