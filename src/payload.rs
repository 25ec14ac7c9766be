//! Builds the `LeadSubmission` the widget posts, from the form's state and the page's facts.
//! Pure, so what is sent is unit-tested natively.

use crate::embed::EmbedOptions;
use crate::services::page::PageContext;
use leadform_core::{
    BotCheck, ConsentDefinition, FieldDefinition, HiddenValues, LeadAttribution, LeadSubmission,
    PublicFormDefinition,
};
use std::collections::BTreeMap;

pub struct PayloadInput<'a> {
    pub definition: &'a PublicFormDefinition,
    pub options: &'a EmbedOptions,
    /// What the visitor typed (and known values sent by the one-click form).
    pub values: &'a BTreeMap<String, String>,
    /// The inputs the visitor was shown.
    pub shown: &'a [FieldDefinition],
    pub submission_id: &'a str,
    pub page: &'a PageContext,
    pub attribution: Option<LeadAttribution>,
    pub visitor_id: Option<String>,
    pub bot_check: BotCheck,
}

pub fn build_submission(input: PayloadInput<'_>) -> LeadSubmission {
    let definition = input.definition;
    // Only the form's own visible fields travel; hidden ones are filled in by the handler.
    let fields = definition
        .fields
        .iter()
        .filter(|f| f.is_visible())
        .filter_map(|f| {
            let value = input.values.get(&f.name)?.trim();
            let unticked = value == "false";
            (!value.is_empty() && !unticked).then(|| (f.name.clone(), value.to_owned()))
        })
        .collect();
    let shown_fields = input
        .shown
        .iter()
        .filter(|f| f.name != ConsentDefinition::FIELD_NAME)
        .map(|f| f.name.clone())
        .collect();
    let consent = input
        .values
        .get(ConsentDefinition::FIELD_NAME)
        .is_some_and(|v| v == "true");
    LeadSubmission {
        form_id: definition.id.clone(),
        submission_id: input.submission_id.to_owned(),
        fields,
        hidden: HiddenValues {
            lead_source: input
                .options
                .lead_source
                .clone()
                .or_else(|| definition.hidden.lead_source.clone()),
            campaign_id: input
                .options
                .campaign_id
                .clone()
                .or_else(|| definition.hidden.campaign_id.clone()),
        },
        page_url: input.page.url.clone(),
        page_title: input.page.title.clone(),
        referrer: input.page.referrer.clone(),
        submitted_at: input.page.now_iso.clone(),
        locale: input
            .options
            .locale
            .clone()
            .unwrap_or_else(|| input.page.language.clone()),
        attribution: input.attribution,
        consent,
        visitor_id: input.visitor_id,
        shown_fields: Some(shown_fields),
        bot_check: input.bot_check,
    }
}

/// Has the visitor ticked the form's consent checkbox?
pub fn consent_given(values: &BTreeMap<String, String>) -> bool {
    values
        .get(ConsentDefinition::FIELD_NAME)
        .is_some_and(|v| v == "true")
}
