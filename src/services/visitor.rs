//! Who the visitor is on this site: a random visitor id and what they told us before (the local
//! half of progressive profiling; the handler keeps the other half behind its cookie).

use super::{storage, uuid};
use leadform_core::{FieldDefinition, KnownProfile, StoragePolicy};
use std::collections::BTreeMap;

pub const VISITOR_ID_KEY: &str = "visitor_id";
pub const PROFILE_KEY: &str = "profile";

/// The stored visitor id, made and stored on first use when the policy allows; `None` otherwise.
pub fn visitor_id(policy: StoragePolicy, consent_given: bool) -> Option<String> {
    if !policy.allows(consent_given) {
        return None;
    }
    if let Some(id) = storage::read::<String>(VISITOR_ID_KEY) {
        return Some(id);
    }
    let id = uuid::new_uuid_v4()?;
    storage::write(VISITOR_ID_KEY, &id).then_some(id)
}

/// Does this browser hold a visitor id (so it was allowed to remember this visitor before)?
pub fn has_visitor_id() -> bool {
    storage::read::<String>(VISITOR_ID_KEY).is_some()
}

/// What this browser remembers about the visitor (field names, and prefillable values).
pub fn local_profile() -> KnownProfile {
    storage::read(PROFILE_KEY).unwrap_or_default()
}

/// Adds a successful submission's answers to the local profile, when the policy allows.
/// Only values of `prefill: true` fields are kept; for the rest only the name is.
pub fn remember_answers(
    policy: StoragePolicy,
    consent_given: bool,
    fields: &[FieldDefinition],
    answers: &BTreeMap<String, String>,
) -> bool {
    if !policy.allows(consent_given) {
        return false;
    }
    let mut profile = local_profile();
    profile.merge_answers(answers, fields);
    storage::write(PROFILE_KEY, &profile)
}

/// "Not you?": forgets the profile and the visitor id on this device. Attribution stays: it
/// describes how the browser reached the site, not who uses it.
pub fn forget() {
    storage::remove(PROFILE_KEY);
    storage::remove(VISITOR_ID_KEY);
}
