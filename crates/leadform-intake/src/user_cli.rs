//! `leadform-intake user add|list|remove|password`: who may log in to the console.
//!
//! Passwords come from standard input: typed twice without echo on a terminal, or one line from a
//! pipe (`printf '%s\n' "$PASSWORD" | leadform-intake user add ...`), never from an argument that
//! `ps` and shell history would show.

use crate::clock::now_ms;
use leadform_store::{ConsoleStoreError, Store, UserRole, COMMAND_LINE_ACTOR};
use std::io::{BufRead, IsTerminal, Write};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum UserCliError {
    #[error(transparent)]
    Store(#[from] ConsoleStoreError),
    #[error("reading the password: {0}")]
    ReadPassword(std::io::Error),
    #[error("no password on standard input (give it on one line)")]
    NoPassword,
    #[error("the two passwords differ; nothing was changed")]
    PasswordsDiffer,
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads a new password: twice without echo on a terminal, one line from a pipe.
pub fn read_new_password(name: &str) -> Result<String, UserCliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))
            .map_err(UserCliError::ReadPassword)?;
        let second = rpassword::prompt_password("Again: ").map_err(UserCliError::ReadPassword)?;
        if first != second {
            return Err(UserCliError::PasswordsDiffer);
        }
        return Ok(first);
    }
    let mut line = String::new();
    let read = stdin
        .lock()
        .read_line(&mut line)
        .map_err(UserCliError::ReadPassword)?;
    if read == 0 {
        return Err(UserCliError::NoPassword);
    }
    // Only the line ending goes: spaces inside or around a passphrase are part of it.
    Ok(line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line)
        .to_owned())
}

pub async fn add(store: &Store, name: &str, role: UserRole) -> Result<String, UserCliError> {
    // Refuse a taken or malformed name before asking for a password.
    if !leadform_store::is_valid_user_name(name) {
        return Err(ConsoleStoreError::InvalidUserName(name.to_owned()).into());
    }
    if store.list_users().await?.iter().any(|u| u.name == name) {
        return Err(ConsoleStoreError::DuplicateUser(name.to_owned()).into());
    }
    let password = read_new_password(name)?;
    let user = store
        .add_user(name, role, &password, COMMAND_LINE_ACTOR, now_ms())
        .await?;
    Ok(format!("added {} ({})", user.name, user.role.as_str()))
}

pub async fn list(store: &Store, out: &mut impl Write) -> Result<(), UserCliError> {
    let users = store.list_users().await?;
    if users.is_empty() {
        writeln!(
            out,
            "no users (add one with `leadform-intake user add NAME --role admin --db ...`)"
        )?;
        return Ok(());
    }
    let width = users.iter().map(|u| u.name.len()).max().unwrap_or(4).max(4);
    writeln!(out, "{:<width$}  {:<6}  created", "name", "role")?;
    for user in users {
        writeln!(
            out,
            "{:<width$}  {:<6}  {}",
            user.name,
            user.role.as_str(),
            user.created_at
        )?;
    }
    Ok(())
}

pub async fn remove(store: &Store, name: &str) -> Result<String, UserCliError> {
    store
        .remove_user(name, COMMAND_LINE_ACTOR, now_ms())
        .await?;
    Ok(format!("removed {name}; their sessions have ended"))
}

pub async fn password(store: &Store, name: &str) -> Result<String, UserCliError> {
    if !store.list_users().await?.iter().any(|u| u.name == name) {
        return Err(ConsoleStoreError::UnknownUser(name.to_owned()).into());
    }
    let password = read_new_password(name)?;
    store
        .set_user_password(name, &password, COMMAND_LINE_ACTOR, now_ms())
        .await?;
    Ok(format!(
        "changed the password of {name}; their sessions have ended"
    ))
}
