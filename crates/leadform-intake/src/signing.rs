//! HMAC-SHA256 signatures with the server secret: visitor ids, form tokens and asset links.
//!
//! Each use signs under its own [`Purpose`], so a signature made for one can never be replayed as
//! another (a signed visitor id is not a valid asset link). Verification is constant-time.

use hmac::{KeyInit, Mac};
use std::fmt;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The secret's length in bytes when the handler makes one.
pub const SECRET_BYTES: usize = 32;

/// What a signature is for; part of every signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VisitorId,
    FormToken,
    AssetLink,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::VisitorId => "leadform visitor id v1",
            Purpose::FormToken => "leadform form token v1",
            Purpose::AssetLink => "leadform asset link v1",
        }
    }
}

/// The server secret, ready to sign. Its bytes never appear in `Debug` output or logs.
#[derive(Clone)]
pub struct SigningKey {
    secret: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    pub fn new(secret: &[u8]) -> SigningKey {
        SigningKey {
            secret: secret.to_vec(),
        }
    }

    /// A fresh random secret, hex-encoded as the store keeps it.
    pub fn random_secret_hex() -> String {
        hex::encode(rand::random::<[u8; SECRET_BYTES]>())
    }

    fn mac(&self, purpose: Purpose, message: &str) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(purpose.label().as_bytes());
        mac.update(b"\n");
        mac.update(message.as_bytes());
        mac
    }

    /// The signature of `message` for `purpose`, as lowercase hex.
    pub fn sign(&self, purpose: Purpose, message: &str) -> String {
        hex::encode(self.mac(purpose, message).finalize().into_bytes())
    }

    /// Does `signature_hex` sign `message` for `purpose`? Compared in constant time, so the
    /// answer's timing says nothing about how much of a forged signature was right.
    pub fn verify(&self, purpose: Purpose, message: &str, signature_hex: &str) -> bool {
        let Ok(signature) = hex::decode(signature_hex) else {
            return false;
        };
        self.mac(purpose, message).verify_slice(&signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_message_purpose_and_key() {
        let key = SigningKey::new(b"key one");
        let signature = key.sign(Purpose::FormToken, "contact-us.1");
        assert_eq!(signature.len(), 64);
        assert!(key.verify(Purpose::FormToken, "contact-us.1", &signature));
        assert!(!key.verify(Purpose::FormToken, "contact-us.2", &signature));
        assert!(!key.verify(Purpose::AssetLink, "contact-us.1", &signature));
        assert!(!SigningKey::new(b"key two").verify(
            Purpose::FormToken,
            "contact-us.1",
            &signature
        ));
        assert!(!key.verify(Purpose::FormToken, "contact-us.1", &signature[..62]));
        assert!(!key.verify(Purpose::FormToken, "contact-us.1", "not hex"));
        assert!(!key.verify(Purpose::FormToken, "contact-us.1", ""));
    }

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // printf 'leadform visitor id v1\nabc' | openssl dgst -sha256 -hmac key
        let key = SigningKey::new(b"key");
        assert_eq!(
            key.sign(Purpose::VisitorId, "abc"),
            "7321cb084a6885287cc01c682fdb68a324a61458ed8fcdf0e878282bcc15ddbf"
        );
    }

    #[test]
    fn random_secrets_differ_and_are_32_bytes() {
        let (a, b) = (
            SigningKey::random_secret_hex(),
            SigningKey::random_secret_hex(),
        );
        assert_ne!(a, b);
        assert_eq!(hex::decode(&a).unwrap().len(), SECRET_BYTES);
        assert_eq!(
            format!("{:?}", SigningKey::new(a.as_bytes())),
            "SigningKey(..)"
        );
    }
}
