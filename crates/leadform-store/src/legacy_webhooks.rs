//! Webhook deliveries stored before issue 7 kept the whole URL (often the hook's secret) in
//! `destination_key` and in rate-limit reasons in `last_error`, and had no `destination_id`. SQL
//! cannot compute the SHA-256 the redacted form and the derived id need, so the store rewrites
//! those rows itself when it opens. Rows already rewritten are never selected again.

use crate::backend::{with_backend, BeginWrite};
use crate::error::{failed, StoreError};
use crate::Store;
use leadform_core::definition::WebhookDestination;
use leadform_core::redact::redact_url;
use leadform_core::Destination;
use sqlx::Row;

/// Old webhook keys are `webhook:` followed by the URL itself; a redacted one contains `/…#`.
const SELECT_SQL: &str = "SELECT DISTINCT destination_key FROM deliveries
    WHERE destination_kind = 'webhook' AND destination_key LIKE 'webhook:%://%'
      AND destination_key NOT LIKE '%/…#%'";

/// Binds: $1 old key, $2 new key, $3 URL, $4 redacted URL.
const REDACT_SQL: &str = "UPDATE deliveries SET destination_key = $2,
        last_error = REPLACE(last_error, $3, $4)
    WHERE destination_kind = 'webhook' AND destination_key = $1";

/// Binds: $1 new key, $2 destination id. Skips a lead that has a row with that id already (two
/// destinations of one form with the same URL): that row stays without an id, and the forwarder
/// marks it dead as ambiguous rather than guess.
const SET_ID_SQL: &str = "UPDATE deliveries SET destination_id = $2
    WHERE destination_kind = 'webhook' AND destination_key = $1 AND destination_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries other
                      WHERE other.lead_id = deliveries.lead_id AND other.destination_id = $2)";

impl Store {
    /// Redacts the URL of every old webhook row and gives it the id its destination has now
    /// (when the destination has no explicit `id`, which old definitions never had).
    pub(crate) async fn upgrade_legacy_webhook_rows(&self) -> Result<(), StoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| failed(dialect.name(), action);
            let keys: Vec<String> = sqlx::query(SELECT_SQL)
                .fetch_all(pool)
                .await
                .map_err(fail("find old webhook deliveries"))?
                .iter()
                .map(|row| row.try_get("destination_key"))
                .collect::<Result<_, _>>()
                .map_err(fail("read old webhook deliveries"))?;
            for old_key in keys {
                let Some(url) = old_key.strip_prefix("webhook:") else {
                    continue;
                };
                let destination = Destination::Webhook(WebhookDestination {
                    id: None,
                    url: url.to_owned(),
                    secret_env: String::new(),
                    events: leadform_core::definition::default_webhook_events(),
                });
                let new_key = leadform_delivery::destination_key(&destination);
                let mut tx = pool
                    .begin_write()
                    .await
                    .map_err(fail("begin redacting old webhook deliveries"))?;
                sqlx::query(REDACT_SQL)
                    .bind(&old_key)
                    .bind(&new_key)
                    .bind(url)
                    .bind(redact_url(url))
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("redact old webhook deliveries"))?;
                sqlx::query(SET_ID_SQL)
                    .bind(&new_key)
                    .bind(destination.id())
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("give old webhook deliveries their destination id"))?;
                tx.commit()
                    .await
                    .map_err(fail("commit redacting old webhook deliveries"))?;
            }
            Ok(())
        })
    }
}
