//! What a destination sends for each of a lead's values, the same rule for every kind: the kind's
//! default map, then the destination's `field_map` on top. A `field_map` entry adds a value or
//! renames one; an entry mapped to `null` leaves that value out. A `field_map` never replaces the
//! defaults, so naming a few custom fields cannot silently stop the email being sent.

use super::{Destination, FieldKind, FormDefinition};
use crate::error::DefinitionError;
use std::collections::BTreeMap;

/// Leadform name → the vendor's name, or `None` to leave the value out.
pub type FieldMap = BTreeMap<String, Option<String>>;

/// Leadform field → Web-to-Lead field. Only these are sent unless the `field_map` adds others
/// (Web-to-Lead refuses nothing, but unknown names are silently dropped by Salesforce).
pub const SALESFORCE_DEFAULT_FIELD_MAP: [(&str, &str); 12] = [
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("company", "company"),
    ("phone", "phone"),
    ("mobile", "mobile"),
    ("job_title", "title"),
    ("city", "city"),
    ("state", "state"),
    ("zip", "zip"),
    ("country", "country"),
    ("message", "description"),
];

/// Leadform field → HubSpot contact property; every other field is sent under its own name.
pub const HUBSPOT_DEFAULT_FIELD_MAP: [(&str, &str); 3] = [
    ("first_name", "firstname"),
    ("last_name", "lastname"),
    ("job_title", "jobtitle"),
];

/// Leadform field → Marketo REST API field name. Only these are sent unless the `field_map` adds
/// others: Marketo refuses a lead naming a field it does not know, so guessing names would lose it.
pub const MARKETO_DEFAULT_FIELD_MAP: [(&str, &str); 11] = [
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("email", "email"),
    ("company", "company"),
    ("phone", "phone"),
    ("mobile", "mobilePhone"),
    ("job_title", "title"),
    ("city", "city"),
    ("state", "state"),
    ("zip", "postalCode"),
    ("country", "country"),
];

/// The name every supported vendor gives a lead's email address.
pub const VENDOR_EMAIL_NAME: &str = "email";

/// How one destination names a lead's values.
#[derive(Debug, Clone, Copy)]
pub struct FieldMapping<'a> {
    defaults: &'static [(&'static str, &'static str)],
    /// Only defaulted or mapped names are sent (Salesforce); otherwise others keep their own name.
    defaults_only: bool,
    overrides: &'a FieldMap,
}

impl<'a> FieldMapping<'a> {
    /// Web-to-Lead: only [`SALESFORCE_DEFAULT_FIELD_MAP`] and the `field_map` are sent.
    pub fn salesforce(field_map: &'a FieldMap) -> Self {
        Self {
            defaults: &SALESFORCE_DEFAULT_FIELD_MAP,
            defaults_only: true,
            overrides: field_map,
        }
    }

    /// HubSpot: every field, renamed by [`HUBSPOT_DEFAULT_FIELD_MAP`] and the `field_map`.
    pub fn hubspot(field_map: &'a FieldMap) -> Self {
        Self {
            defaults: &HUBSPOT_DEFAULT_FIELD_MAP,
            defaults_only: false,
            overrides: field_map,
        }
    }

    /// Marketo: only [`MARKETO_DEFAULT_FIELD_MAP`] and the `field_map` are sent.
    pub fn marketo(field_map: &'a FieldMap) -> Self {
        Self {
            defaults: &MARKETO_DEFAULT_FIELD_MAP,
            defaults_only: true,
            overrides: field_map,
        }
    }

    /// Pardot: every field under its own name unless the `field_map` renames it.
    pub fn pardot(field_map: &'a FieldMap) -> Self {
        Self {
            defaults: &[],
            defaults_only: false,
            overrides: field_map,
        }
    }

    /// The vendor's name for a Leadform name, or `None` when the value is not sent.
    pub fn vendor_name<'b>(&self, ours: &'b str) -> Option<&'b str>
    where
        'a: 'b,
    {
        match self.overrides.get(ours) {
            Some(Some(theirs)) => Some(theirs.as_str()),
            Some(None) => None,
            None => match self.defaults.iter().find(|(name, _)| *name == ours) {
                Some((_, theirs)) => Some(theirs),
                None if self.defaults_only => None,
                None => Some(ours),
            },
        }
    }

    /// Names the `field_map` sends explicitly (the form's fields and the hidden values
    /// `lead_source` and `campaign_id`), with the vendor's name.
    pub fn explicit(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.overrides
            .iter()
            .filter_map(|(ours, theirs)| Some((ours.as_str(), theirs.as_deref()?)))
    }
}

impl Destination {
    /// How this destination names values; `None` for a webhook, which sends every value under its
    /// Leadform name.
    pub fn field_mapping(&self) -> Option<FieldMapping<'_>> {
        match self {
            Destination::SalesforceWebToLead(sf) => Some(FieldMapping::salesforce(&sf.field_map)),
            Destination::Hubspot(hs) => Some(FieldMapping::hubspot(&hs.field_map)),
            Destination::PardotFormHandler(pardot) => Some(FieldMapping::pardot(&pardot.field_map)),
            Destination::Marketo(mkto) => Some(FieldMapping::marketo(&mkto.field_map)),
            Destination::Webhook(_) => None,
        }
    }
}

/// Every destination must send the lead's email as the vendor's `email`: a CRM lead without one
/// cannot be followed up or deduplicated.
pub(super) fn check_destinations_send_email(form: &FormDefinition) -> Result<(), DefinitionError> {
    let email_fields: Vec<&str> = form
        .fields
        .iter()
        .filter(|field| field.kind == FieldKind::Email)
        .map(|field| field.name.as_str())
        .collect();
    for (index, destination) in form.destinations.iter().enumerate() {
        let Some(mapping) = destination.field_mapping() else {
            continue;
        };
        let sends_email = email_fields.iter().any(|name| {
            mapping
                .vendor_name(name)
                .is_some_and(|theirs| theirs.eq_ignore_ascii_case(VENDOR_EMAIL_NAME))
        });
        if !sends_email {
            let hint = match email_fields.first() {
                Some(field) => format!("map the form's email field with `\"{field}\": \"email\"`"),
                None => "the form has no field of kind `email`".to_owned(),
            };
            return Err(DefinitionError::new(
                format!("destinations[{index}].field_map"),
                format!(
                    "this {} destination would send no email; {hint}",
                    destination.kind_name()
                ),
            ));
        }
    }
    Ok(())
}
