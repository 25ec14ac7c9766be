//! A destination's identity. Queued deliveries are stored with it and found by it, so inserting,
//! removing or reordering destinations never sends a queued lead to a different one.

use super::{Destination, FormDefinition};
use crate::error::DefinitionError;
use crate::redact::{short_hash, url_host};
use std::collections::BTreeMap;
use validator::ValidationError;

/// What an explicit `id` may be, as told to the marketer.
pub const DESTINATION_ID_RULE: &str =
    "use 1-64 lowercase letters, digits, `-` and `_`, starting with a letter or digit";

impl Destination {
    /// The `id` written in the definition, if any.
    pub fn explicit_id(&self) -> Option<&str> {
        match self {
            Destination::SalesforceWebToLead(d) => d.id.as_deref(),
            Destination::Hubspot(d) => d.id.as_deref(),
            Destination::PardotFormHandler(d) => d.id.as_deref(),
            Destination::Webhook(d) => d.id.as_deref(),
            Destination::Marketo(d) => d.id.as_deref(),
        }
    }

    /// The identity deliveries are stored under: the explicit `id`, or one derived from where the
    /// destination sends: `salesforce:<org_id>`, `hubspot:<portal_id>:<form_guid>`,
    /// `pardot:<host>:<hash>`, `marketo:<munchkin_id>:<form_id>`, `webhook:<host>:<hash>` (a hash of the whole URL, so a secret in its
    /// path or query never shows). Never the destination's position in the list. Explicit ids
    /// have no `:`, so they never collide with derived ones.
    pub fn id(&self) -> String {
        if let Some(id) = self.explicit_id() {
            return id.to_owned();
        }
        match self {
            // The same text as the key Salesforce rows were stored with before ids existed, so
            // those rows are backfilled by the migration.
            Destination::SalesforceWebToLead(sf) => format!("salesforce:{}", sf.org_id),
            Destination::Hubspot(hs) => format!("hubspot:{}:{}", hs.portal_id, hs.form_guid),
            Destination::PardotFormHandler(pardot) => {
                format!(
                    "pardot:{}:{}",
                    url_host(&pardot.url),
                    short_hash(&pardot.url)
                )
            }
            Destination::Webhook(hook) => {
                format!("webhook:{}:{}", url_host(&hook.url), short_hash(&hook.url))
            }
            Destination::Marketo(mkto) => format!("marketo:{}:{}", mkto.munchkin_id, mkto.form_id),
        }
    }
}

/// The rule for an explicit `id`.
pub(super) fn explicit_id(value: &str) -> Result<(), ValidationError> {
    let ok = (1..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    ok.then_some(()).ok_or_else(|| {
        ValidationError::new("destination_id").with_message(DESTINATION_ID_RULE.into())
    })
}

/// Two destinations of one form may not share an identity: their deliveries could not be told
/// apart.
pub(super) fn check_unique_ids(form: &FormDefinition) -> Result<(), DefinitionError> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (index, destination) in form.destinations.iter().enumerate() {
        let id = destination.id();
        if let Some(first) = seen.insert(id.clone(), index) {
            return Err(match destination.explicit_id() {
                Some(_) => DefinitionError::new(
                    format!("destinations[{index}].id"),
                    format!("`{id}` is already the id of destinations[{first}]"),
                ),
                None => DefinitionError::new(
                    format!("destinations[{index}]"),
                    format!(
                        "sends to the same place as destinations[{first}] (both are `{id}`); \
                         give each an `id` so their deliveries can be told apart"
                    ),
                ),
            });
        }
    }
    Ok(())
}
