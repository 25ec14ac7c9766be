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

/// Merges `answers` into the visitor's stored profile inside the open transaction `tx`.
/// Expands per backend (like `with_backend!`) so one body serves both transaction types.
macro_rules! merge_profile_in_tx {
    ($tx:ident, $dialect:ident, $visitor_id:expr, $answers:expr, $now_ms:expr) => {{
        let fail = |action| $crate::error::failed($dialect.name(), action);
        // Make sure the row exists so that the read below can lock it.
        sqlx::query(
            "INSERT INTO visitor_profiles (visitor_id, known_json, updated_at_ms) VALUES ($1, '{}', $2)
             ON CONFLICT (visitor_id) DO NOTHING",
        )
        .bind($visitor_id)
        .bind($now_ms)
        .execute(&mut *$tx)
        .await
        .map_err(fail("create the visitor profile"))?;
        let stored_json: String = sqlx::query_scalar($dialect.select_profile_for_update_sql())
            .bind($visitor_id)
            .fetch_one(&mut *$tx)
            .await
            .map_err(fail("read the visitor profile"))?;
        // A profile we cannot read must not cost the visitor their lead: start it afresh.
        let stored = $crate::profiles::parse_profile($visitor_id, &stored_json).unwrap_or_default();
        let merged = stored.union($answers);
        let merged_json = serde_json::to_string(&merged).map_err(StoreError::EncodeLead)?;
        sqlx::query("UPDATE visitor_profiles SET known_json = $1, updated_at_ms = $2 WHERE visitor_id = $3")
            .bind(&merged_json)
            .bind($now_ms)
            .bind($visitor_id)
            .execute(&mut *$tx)
            .await
            .map_err(fail("update the visitor profile"))?;
    }};
}
pub(crate) use merge_profile_in_tx;

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
