//! Marketo's access tokens, kept between deliveries. A client-credentials token lasts about an
//! hour (`expires_in`); fetching one per lead would double the calls and race other deliveries.
//! This is storage only: `marketo_attempt` fetches, uses and forgets tokens.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A token is not used in its last minute (or last tenth, for a short-lived one): a request
/// started just before expiry could arrive just after it.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// An access token and until when it may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    pub access_token: String,
    pub usable_until: SystemTime,
}

impl CachedToken {
    /// A token issued at `now` for `expires_in`, minus the margin.
    pub fn issued(access_token: String, expires_in: Duration, now: SystemTime) -> Self {
        let margin = EXPIRY_MARGIN.min(expires_in / 10);
        Self {
            access_token,
            usable_until: now + expires_in.saturating_sub(margin),
        }
    }
}

/// `(REST host, client id)` → the token last issued for it.
#[derive(Debug, Default)]
pub struct MarketoTokens {
    tokens: Mutex<HashMap<String, CachedToken>>,
    /// Serialises fetching, so deliveries that find no token wait for one fetch instead of each
    /// asking Marketo for its own.
    fetching: tokio::sync::Mutex<()>,
}

impl MarketoTokens {
    /// The cached token for `key`, unless it is (nearly) expired at `now`.
    pub fn usable(&self, key: &str, now: SystemTime) -> Option<String> {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens
            .get(key)
            .filter(|token| token.usable_until > now)
            .map(|token| token.access_token.clone())
    }

    pub fn store(&self, key: &str, token: CachedToken) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.insert(key.to_owned(), token);
    }

    /// Drops `rejected` (Marketo answered 601/602 to it), unless another delivery already
    /// replaced it with a fresh one.
    pub fn forget(&self, key: &str, rejected: &str) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if tokens
            .get(key)
            .is_some_and(|token| token.access_token == rejected)
        {
            tokens.remove(key);
        }
    }

    /// Held while a token is fetched.
    pub async fn fetch_guard(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.fetching.lock().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_shortly_before_it_expires() {
        let tokens = MarketoTokens::default();
        let issued_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let hour = Duration::from_secs(3599);
        tokens.store("k", CachedToken::issued("t1".into(), hour, issued_at));
        let at = |seconds| issued_at + Duration::from_secs(seconds);
        assert_eq!(tokens.usable("k", at(3538)), Some("t1".into()));
        assert_eq!(
            tokens.usable("k", at(3539)),
            None,
            "the last minute is not used"
        );
        assert_eq!(tokens.usable("other", at(0)), None);
        let short = CachedToken::issued("t2".into(), Duration::from_secs(20), issued_at);
        assert_eq!(
            short.usable_until,
            at(18),
            "a short token keeps 90% of its life"
        );
    }

    #[test]
    fn forgetting_a_rejected_token_keeps_a_newer_one() {
        let tokens = MarketoTokens::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let hour = Duration::from_secs(3600);
        tokens.store("k", CachedToken::issued("new".into(), hour, now));
        tokens.forget("k", "old");
        assert_eq!(tokens.usable("k", now), Some("new".into()));
        tokens.forget("k", "new");
        assert_eq!(tokens.usable("k", now), None);
    }
}
