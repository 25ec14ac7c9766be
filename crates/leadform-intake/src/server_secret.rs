//! Where the signing secret comes from: `LEADFORM_SECRET`, or else the database, where the first
//! instance to start stores a random one that every instance on that database then shares.

use crate::signing::SigningKey;
use leadform_store::{Store, StoreError};
use thiserror::Error;

/// The environment variable that, when set, is the secret (at least [`MIN_SECRET_CHARS`]).
pub const SECRET_VARIABLE: &str = "LEADFORM_SECRET";
/// Shorter secrets are refused: 32 random characters are the least worth signing with.
pub const MIN_SECRET_CHARS: usize = 32;
/// The `server_secrets` row the handler signs with.
const PURPOSE: &str = "signing";

#[derive(Debug, Error)]
pub enum SecretError {
    #[error("{SECRET_VARIABLE} is set but has {chars} characters; use at least {MIN_SECRET_CHARS} random ones (for example `openssl rand -hex 32`), or unset it to keep a secret in the database")]
    TooShort { chars: usize },
    #[error("reading or storing the signing secret: {0}")]
    Store(#[from] StoreError),
}

/// The secret from the environment, if the operator set one.
pub fn from_environment() -> Option<String> {
    std::env::var(SECRET_VARIABLE).ok()
}

/// The key to sign with: `configured` (from [`from_environment`]) when given, else the database's.
pub async fn signing_key(
    store: &Store,
    configured: Option<String>,
    now_ms: i64,
) -> Result<SigningKey, SecretError> {
    match configured {
        Some(secret) => {
            let chars = secret.chars().count();
            if chars < MIN_SECRET_CHARS {
                return Err(SecretError::TooShort { chars });
            }
            Ok(SigningKey::new(secret.as_bytes()))
        }
        None => {
            let stored = store
                .server_secret(PURPOSE, &SigningKey::random_secret_hex(), now_ms)
                .await?;
            Ok(SigningKey::new(stored.as_bytes()))
        }
    }
}
