//! Console passwords: Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), stored as PHC
//! strings so the parameters and salt travel with each hash.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted. Long passphrases beat complexity rules (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest accepted, so a login cannot make the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password is empty")]
    Empty,
    #[error("the password has {0} characters; use at least {MIN_PASSWORD_CHARS}")]
    TooShort(usize),
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("the password must not be the user's name")]
    SameAsName,
}

/// Checks a new password against the rules above.
pub fn check_new_password(name: &str, password: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if password.trim().is_empty() {
        return Err(WeakPassword::Empty);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(WeakPassword::TooLong);
    }
    if chars < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort(chars));
    }
    if password.eq_ignore_ascii_case(name) {
        return Err(WeakPassword::SameAsName);
    }
    Ok(())
}

fn argon2id() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1. The values are constants that
    // Params::new accepts, so the fallback is never taken.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string for `password` with a fresh random salt.
pub(crate) fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| format!("no random salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2id()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// `true` when `password` matches the stored PHC string. An unreadable hash never matches.
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(hash) => argon2id()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a password nobody knows, verified when the name is unknown so that a wrong name takes
/// as long as a wrong password and the answer's timing does not tell which names exist.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that is never issued").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(
            phc,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert_eq!(check_new_password("ada", ""), Err(WeakPassword::Empty));
        assert_eq!(check_new_password("ada", "   "), Err(WeakPassword::Empty));
        assert_eq!(
            check_new_password("ada", "short"),
            Err(WeakPassword::TooShort(5))
        );
        assert_eq!(
            check_new_password("ada.lovelace", "Ada.Lovelace"),
            Err(WeakPassword::SameAsName)
        );
        assert_eq!(
            check_new_password("ada", &"x".repeat(2000)),
            Err(WeakPassword::TooLong)
        );
        assert_eq!(check_new_password("ada", "a long passphrase"), Ok(()));
    }
}
