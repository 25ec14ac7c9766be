//! Visitor profiles: what a returning visitor has already told us, keyed by the visitor cookie.

use crate::backend::with_backend;
use crate::error::{failed, StoreError};
use crate::Store;
use leadform_core::KnownProfile;

/// Reads a stored profile's JSON. An unreadable one is reported, naming the visitor row.
pub(crate) fn parse_profile(visitor_id: &str, json: &str) -> Result<KnownProfile, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::CorruptRow {
        what: format!("profile of visitor {visitor_id:?}"),
        detail: e.to_string(),
    })
}

/// The JSON to store for a visitor once `answers` are merged into their stored profile (`None`:
/// there is none yet). A profile we cannot read must not cost the visitor their lead: it starts
/// afresh.
pub(crate) fn merged_profile_json(
    visitor_id: &str,
    stored_json: Option<&str>,
    answers: &KnownProfile,
) -> Result<String, StoreError> {
    let stored = stored_json
        .and_then(|json| parse_profile(visitor_id, json).ok())
        .unwrap_or_default();
    serde_json::to_string(&stored.union(answers)).map_err(StoreError::EncodeLead)
}

impl Store {
    /// What is known about a visitor; empty when nothing is.
    pub async fn visitor_profile(&self, visitor_id: &str) -> Result<KnownProfile, StoreError> {
        let stored: Option<String> = with_backend!(&self.backend, |pool, dialect| {
            sqlx::query_scalar("SELECT known_json FROM visitor_profiles WHERE visitor_id = $1")
                .bind(visitor_id)
                .fetch_optional(pool)
                .await
                .map_err(failed(dialect.name(), "read the visitor profile"))?
        });
        match stored {
            Some(json) => parse_profile(visitor_id, &json),
            None => Ok(KnownProfile::default()),
        }
    }

    /// Forgets a visitor ("Not you?"). Their leads stay; only the profile used for prefill goes.
    pub async fn forget_visitor(&self, visitor_id: &str) -> Result<(), StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            sqlx::query("DELETE FROM visitor_profiles WHERE visitor_id = $1")
                .bind(visitor_id)
                .execute(pool)
                .await
                .map_err(failed(dialect.name(), "forget the visitor"))?;
        });
        Ok(())
    }
}
