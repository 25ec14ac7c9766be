//! Console sessions: a random id in the cookie, only its SHA-256 in the database, with a per-session
//! CSRF token. Idle and absolute expiry are checked on every lookup, so any instance agrees.

use crate::backend::{with_backend, BeginWrite};
use crate::console_error::ConsoleStoreError;
use crate::users::{ConsoleUser, UserRow};
use crate::Store;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A live session's row with its user, as stored.
#[derive(sqlx::FromRow)]
struct SessionRow {
    csrf_token: String,
    last_seen_at_ms: i64,
    absolute_expires_at_ms: i64,
    #[sqlx(flatten)]
    user: UserRow,
}

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    /// Ends after this long without a request.
    pub idle_ms: i64,
    /// Ends this long after login, however busy.
    pub absolute_ms: i64,
}

impl Default for SessionLifetime {
    fn default() -> Self {
        Self {
            idle_ms: 2 * 60 * 60 * 1000,
            absolute_ms: 12 * 60 * 60 * 1000,
        }
    }
}

/// Last-seen is written at most this often, so reading pages is not a write per request.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// A session just created: the cookie value and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsoleSession {
    pub token: String,
    pub csrf_token: String,
}

/// A live session and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    pub user: ConsoleUser,
    pub csrf_token: String,
}

/// 32 random bytes, URL-safe base64 (43 characters).
fn random_token() -> Result<String, ConsoleStoreError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ConsoleStoreError::Hashing(format!("no randomness for a session: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Starts a session for `user_id`. Expired sessions of every user are swept at the same time.
    pub async fn create_console_session(
        &self,
        user_id: i64,
        now_ms: i64,
        lifetime: SessionLifetime,
    ) -> Result<NewConsoleSession, ConsoleStoreError> {
        let token = random_token()?;
        let csrf_token = random_token()?;
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the session"))?;
            sqlx::query(
                "DELETE FROM console_sessions
                 WHERE idle_expires_at_ms <= $1 OR absolute_expires_at_ms <= $1",
            )
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .map_err(fail("sweep expired sessions"))?;
            sqlx::query(
                "INSERT INTO console_sessions (id_sha256, user_id, csrf_token, created_at_ms,
                     last_seen_at_ms, idle_expires_at_ms, absolute_expires_at_ms)
                 VALUES ($1, $2, $3, $4, $4, $5, $6)",
            )
            .bind(token_sha256(&token))
            .bind(user_id)
            .bind(&csrf_token)
            .bind(now_ms)
            .bind(now_ms.saturating_add(lifetime.idle_ms))
            .bind(now_ms.saturating_add(lifetime.absolute_ms))
            .execute(&mut *tx)
            .await
            .map_err(fail("store the session"))?;
            tx.commit().await.map_err(fail("commit the session"))?;
        });
        Ok(NewConsoleSession { token, csrf_token })
    }

    /// The live session for a cookie value, extending its idle expiry; `None` when unknown,
    /// expired, or its user was removed.
    pub async fn console_session(
        &self,
        token: &str,
        now_ms: i64,
        lifetime: SessionLifetime,
    ) -> Result<Option<ActiveSession>, ConsoleStoreError> {
        let id = token_sha256(token);
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let row: Option<SessionRow> = sqlx::query_as(
                "SELECT s.csrf_token, s.last_seen_at_ms, s.absolute_expires_at_ms,
                        u.id, u.name, u.role, u.created_at_ms
                 FROM console_sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_sha256 = $1 AND s.idle_expires_at_ms > $2
                   AND s.absolute_expires_at_ms > $2",
            )
            .bind(&id)
            .bind(now_ms)
            .fetch_optional(pool)
            .await
            .map_err(fail("find the session"))?;
            let Some(row) = row else {
                return Ok(None);
            };
            let (last_seen, absolute) = (row.last_seen_at_ms, row.absolute_expires_at_ms);
            if now_ms - last_seen >= TOUCH_EVERY_MS {
                sqlx::query(
                    "UPDATE console_sessions SET last_seen_at_ms = $1, idle_expires_at_ms = $2
                     WHERE id_sha256 = $3",
                )
                .bind(now_ms)
                .bind(now_ms.saturating_add(lifetime.idle_ms).min(absolute))
                .bind(&id)
                .execute(pool)
                .await
                .map_err(fail("extend the session"))?;
            }
            Ok(Some(ActiveSession {
                csrf_token: row.csrf_token,
                user: row.user.into_session_user(),
            }))
        })
    }

    /// Ends a session (logout). Unknown tokens are ignored.
    pub async fn end_console_session(&self, token: &str) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            sqlx::query("DELETE FROM console_sessions WHERE id_sha256 = $1")
                .bind(token_sha256(token))
                .execute(pool)
                .await
                .map_err(ConsoleStoreError::query(dialect.name(), "end the session"))?;
            Ok(())
        })
    }
}
