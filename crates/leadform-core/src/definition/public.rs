//! The definition as served to browsers by `GET /v1/forms/{id}`.
//!
//! It leaves out what a visitor must not see: the gated asset's URL (revealed only after a
//! submission), the CRM destinations, and the allow-lists.

use super::HiddenValues;
use super::{
    ConsentDefinition, FieldDefinition, FormDefinition, FormKind, ProgressivePolicy, StoragePolicy,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAsset {
    pub title: String,
    #[serde(default)]
    pub cover_image_url: Option<String>,
    #[serde(default)]
    pub cover_alt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicFormDefinition {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: FormKind,
    pub submit_label: String,
    pub success_message: String,
    pub fields: Vec<FieldDefinition>,
    #[serde(default)]
    pub hidden: HiddenValues,
    #[serde(default)]
    pub asset: Option<PublicAsset>,
    #[serde(default)]
    pub progressive: Option<ProgressivePolicy>,
    #[serde(default)]
    pub storage: StoragePolicy,
    #[serde(default)]
    pub consent: Option<ConsentDefinition>,
    /// The widget's last choice before English, after the page's and the browser's languages.
    #[serde(default)]
    pub default_locale: Option<crate::locale::Locale>,
    /// A signed token the handler adds to each answer of `GET /v1/forms/{id}`; the widget posts
    /// it back with the lead as `form_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_token: Option<String>,
    /// The product's own texts in the visitor's language, which the widget (built without the
    /// other languages) installs before it renders; none for English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<crate::catalogue::CatalogueTable>,
}

impl From<&FormDefinition> for PublicFormDefinition {
    fn from(definition: &FormDefinition) -> Self {
        Self {
            id: definition.id.clone(),
            title: definition.title.clone(),
            description: definition.description.clone(),
            kind: definition.kind,
            submit_label: definition.submit_label.clone(),
            success_message: definition.success.message.clone(),
            fields: definition.fields.clone(),
            hidden: definition.hidden.clone(),
            asset: definition.asset.as_ref().map(|asset| PublicAsset {
                title: asset.title.clone(),
                cover_image_url: asset.cover_image_url.clone(),
                cover_alt: asset.cover_alt.clone(),
            }),
            progressive: definition.progressive.clone(),
            storage: definition.storage,
            consent: definition.consent.clone(),
            default_locale: definition.default_locale,
            form_token: None,
            catalogue: None,
        }
    }
}
