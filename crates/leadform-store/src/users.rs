//! Console users: admins and members, with Argon2id password hashes. Removing a user or changing
//! their password ends their sessions at once, on every instance (the sessions are rows).

use crate::audit::{insert_audit, AuditAction};
use crate::backend::{with_backend, BeginWrite};
use crate::clock::rfc3339_from_ms;
use crate::console_error::ConsoleStoreError;
use crate::passwords::{check_new_password, decoy_hash, hash_password, verify_password};
use crate::Store;
use serde::Serialize;

/// What a user may do: members see and work leads; admins also manage deliveries and read the
/// audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Admin,
    Member,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Member => "member",
        }
    }

    pub fn parse(text: &str) -> Option<UserRole> {
        match text {
            "admin" => Some(UserRole::Admin),
            "member" => Some(UserRole::Member),
            _ => None,
        }
    }
}

/// A user, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleUser {
    pub id: i64,
    pub name: String,
    pub role: UserRole,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// 1 to 64 of letters, digits, `.`, `_`, `-`, `@`: safe in URLs, logs and the audit page.
pub fn is_valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// Argon2 takes tens of milliseconds of CPU on purpose: off the async workers.
async fn hash_off_thread(password: &str) -> Result<String, ConsoleStoreError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ConsoleStoreError::Hashing(e.to_string()))?
        .map_err(ConsoleStoreError::Hashing)
}

/// A `users` row's `id, name, role, created_at_ms`, as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    name: String,
    role: String,
    created_at_ms: i64,
}

impl UserRow {
    /// The user with `role`, read from the stored text by the caller's rule: a user list refuses an
    /// unknown role as a corrupt row, a session lookup reads it as a member.
    fn into_user(self, role: UserRole) -> ConsoleUser {
        ConsoleUser {
            id: self.id,
            name: self.name,
            role,
            created_at: rfc3339_from_ms(self.created_at_ms),
        }
    }

    /// An unknown role is a corrupt row.
    fn checked(self) -> Result<ConsoleUser, ConsoleStoreError> {
        let role = role_of(&self.role)?;
        Ok(self.into_user(role))
    }

    /// An unknown role reads as a member, for a session lookup.
    pub(crate) fn into_session_user(self) -> ConsoleUser {
        let role = UserRole::parse(&self.role).unwrap_or(UserRole::Member);
        self.into_user(role)
    }
}

/// A user row with its password hash, for a login.
#[derive(sqlx::FromRow)]
struct UserLoginRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

fn role_of(text: &str) -> Result<UserRole, ConsoleStoreError> {
    UserRole::parse(text).ok_or_else(|| {
        ConsoleStoreError::Store(crate::StoreError::CorruptRow {
            what: "user role".into(),
            detail: text.into(),
        })
    })
}

impl Store {
    /// Adds a user. `actor` is who did it, for the audit log.
    pub async fn add_user(
        &self,
        name: &str,
        role: UserRole,
        password: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<ConsoleUser, ConsoleStoreError> {
        if !is_valid_user_name(name) {
            return Err(ConsoleStoreError::InvalidUserName(name.to_owned()));
        }
        check_new_password(name, password)?;
        let hash = hash_off_thread(password).await?;
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin adding the user"))?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (name, role, password_hash, created_at_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(&hash)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail("add the user"))?;
            let Some(id) = id else {
                return Err(ConsoleStoreError::DuplicateUser(name.to_owned()));
            };
            let detail = format!("{name} ({})", role.as_str());
            insert_audit!(
                tx,
                fail,
                now_ms,
                actor,
                AuditAction::UserAdded,
                None::<i64>,
                &detail
            );
            tx.commit().await.map_err(fail("commit the new user"))?;
            Ok(ConsoleUser {
                id,
                name: name.to_owned(),
                role,
                created_at: rfc3339_from_ms(now_ms),
            })
        })
    }

    /// Every user, by name.
    pub async fn list_users(&self) -> Result<Vec<ConsoleUser>, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let rows: Vec<UserRow> =
                sqlx::query_as("SELECT id, name, role, created_at_ms FROM users ORDER BY name")
                    .fetch_all(pool)
                    .await
                    .map_err(fail("list the users"))?;
            rows.into_iter().map(UserRow::checked).collect()
        })
    }

    /// `true` when at least one user exists (the console is served only then).
    pub async fn has_users(&self) -> Result<bool, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await
                .map_err(ConsoleStoreError::query(dialect.name(), "count the users"))?;
            Ok(count > 0)
        })
    }

    /// Removes a user: their sessions end at once, their leads lose their owner; the history they
    /// wrote keeps their name.
    pub async fn remove_user(
        &self,
        name: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin removing the user"))?;
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail("find the user"))?;
            let Some(id) = id else {
                return Err(ConsoleStoreError::UnknownUser(name.to_owned()));
            };
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(fail("end the user's sessions"))?;
            sqlx::query("UPDATE leads SET owner_user_id = NULL WHERE owner_user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(fail("unassign the user's leads"))?;
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(fail("remove the user"))?;
            insert_audit!(
                tx,
                fail,
                now_ms,
                actor,
                AuditAction::UserRemoved,
                None::<i64>,
                name
            );
            tx.commit().await.map_err(fail("commit the removal"))?;
            Ok(())
        })
    }

    /// Sets a new password and ends every session the user had.
    pub async fn set_user_password(
        &self,
        name: &str,
        password: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), ConsoleStoreError> {
        check_new_password(name, password)?;
        let hash = hash_off_thread(password).await?;
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let mut tx = pool
                .begin_write()
                .await
                .map_err(fail("begin the password change"))?;
            let id: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET password_hash = $1 WHERE name = $2 RETURNING id",
            )
            .bind(&hash)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail("change the password"))?;
            let Some(id) = id else {
                return Err(ConsoleStoreError::UnknownUser(name.to_owned()));
            };
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(fail("end the user's sessions"))?;
            insert_audit!(
                tx,
                fail,
                now_ms,
                actor,
                AuditAction::PasswordChanged,
                None::<i64>,
                name
            );
            tx.commit()
                .await
                .map_err(fail("commit the password change"))?;
            Ok(())
        })
    }

    /// The user when `name` and `password` match; `None` otherwise, taking as long for an unknown
    /// name as for a wrong password.
    pub async fn verify_user_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<Option<ConsoleUser>, ConsoleStoreError> {
        let found = with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let row: Option<UserLoginRow> = sqlx::query_as(
                "SELECT id, name, role, password_hash, created_at_ms FROM users WHERE name = $1",
            )
            .bind(name)
            .fetch_optional(pool)
            .await
            .map_err(fail("find the user"))?;
            match row {
                None => None,
                Some(UserLoginRow {
                    user,
                    password_hash,
                }) => Some((user.checked()?, password_hash)),
            }
        });
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || match found {
            Some((user, hash)) => verify_password(&password, &hash).then_some(user),
            None => {
                verify_password(&password, decoy_hash());
                None
            }
        })
        .await
        .map_err(|e| ConsoleStoreError::Hashing(e.to_string()))
    }
}
