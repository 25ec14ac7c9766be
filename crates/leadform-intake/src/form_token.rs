//! The signed form token: the server's own record of when a visitor was given a form.
//!
//! `GET /v1/forms/{id}` and the fallback page hand one out; the lead carries it back. The token says
//! which form it is for and when the issuing instance's clock said it was issued, signed with the
//! server secret. A lead whose token is missing, forged, for another form, used too soon, too old,
//! or already used by another submission is stored as spam (see [`TokenFlaw`]). Timing is the
//! server's: nothing the client reports about itself (`fill_ms`, `shown_fields`) is trusted.

use crate::signing::{Purpose, SigningKey};
use leadform_core::FormDefinition;

/// How long a token is accepted after it was issued: a visitor who leaves the form open over
/// lunch or overnight is still a person.
pub const FORM_TOKEN_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// How far apart two instances' clocks may be before a fast real visitor can look "too fast". A token
/// issued by one instance and checked by another compares two clocks; NTP keeps hosts within
/// milliseconds, so one second is generous and costs a bot only one second of waiting.
pub const CLOCK_SKEW_TOLERANCE_MS: i64 = 1_000;

/// A token that verified: for this form, issued at `issued_at_ms` (the issuer's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken {
    pub form_id: String,
    pub issued_at_ms: i64,
    /// Random and unique per token: the key under which its use is recorded.
    pub nonce: String,
}

/// Why a lead's token makes it spam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFlaw {
    Missing,
    /// Malformed, or a signature the server secret did not make.
    Forged,
    /// Genuine, but issued for a different form.
    OtherForm,
    /// Used sooner than the form's `min_fill_seconds` after it was issued.
    TooFast,
    /// Older than [`FORM_TOKEN_LIFETIME_MS`].
    Expired,
    /// Already carried a different submission.
    Replayed,
}

impl TokenFlaw {
    /// For logs: why a lead was stored as spam.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenFlaw::Missing => "form_token_missing",
            TokenFlaw::Forged => "form_token_forged",
            TokenFlaw::OtherForm => "form_token_for_another_form",
            TokenFlaw::TooFast => "form_token_too_fast",
            TokenFlaw::Expired => "form_token_expired",
            TokenFlaw::Replayed => "form_token_replayed",
        }
    }
}

impl FormToken {
    /// A new token for `form_id`, as the text handed to the browser:
    /// `{form_id}.{issued_at_ms}.{nonce}.{signature}`.
    pub fn issue(key: &SigningKey, form_id: &str, now_ms: i64) -> String {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let body = format!("{form_id}.{now_ms}.{nonce}");
        let signature = key.sign(Purpose::FormToken, &body);
        format!("{body}.{signature}")
    }

    /// Reads a token's text, checking its signature. Form ids never contain `.`, so the four
    /// parts split unambiguously.
    pub fn verify(key: &SigningKey, text: &str) -> Option<FormToken> {
        let (body, signature) = text.rsplit_once('.')?;
        if !key.verify(Purpose::FormToken, body, signature) {
            return None;
        }
        let mut parts = body.split('.');
        let (Some(form_id), Some(issued), Some(nonce), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(FormToken {
            form_id: form_id.to_owned(),
            issued_at_ms: issued.parse().ok()?,
            nonce: nonce.to_owned(),
        })
    }
}

/// What a lead's token says, before the store is asked whether it was used already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenJudgement {
    /// A genuine token for this form, used neither too soon nor too late.
    Sound(FormToken),
    Flawed(TokenFlaw),
}

/// Judges `text` for `form` at `now_ms` (this instance's clock).
///
/// `timing_exempt` skips the too-soon check; the caller sets it only for what the server itself
/// can vouch for (a one-click submission by a visitor whose stored profile already holds every
/// answer sent).
///
/// Clocks: the issue time is the issuing instance's clock and `now_ms` this one's. A token that
/// looks issued in the future can only come from an instance whose clock is ahead (nobody else can
/// sign one), so it is never "too fast"; and "too fast" allows [`CLOCK_SKEW_TOLERANCE_MS`].
pub fn judge(
    key: &SigningKey,
    form: &FormDefinition,
    text: Option<&str>,
    now_ms: i64,
    timing_exempt: bool,
) -> TokenJudgement {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenJudgement::Flawed(TokenFlaw::Missing);
    };
    let Some(token) = FormToken::verify(key, text) else {
        return TokenJudgement::Flawed(TokenFlaw::Forged);
    };
    if token.form_id != form.id {
        return TokenJudgement::Flawed(TokenFlaw::OtherForm);
    }
    let age_ms = now_ms.saturating_sub(token.issued_at_ms);
    if age_ms < 0 {
        tracing::warn!(
            form_id = %form.id,
            ahead_ms = -age_ms,
            "a form token was issued by an instance whose clock is ahead of this one's; keep the instances' clocks in sync (NTP)"
        );
        return TokenJudgement::Sound(token);
    }
    if age_ms > FORM_TOKEN_LIFETIME_MS + CLOCK_SKEW_TOLERANCE_MS {
        return TokenJudgement::Flawed(TokenFlaw::Expired);
    }
    let min_fill_ms = i64::from(form.min_fill_seconds) * 1000;
    if !timing_exempt && age_ms < min_fill_ms - CLOCK_SKEW_TOLERANCE_MS {
        return TokenJudgement::Flawed(TokenFlaw::TooFast);
    }
    TokenJudgement::Sound(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_417_506_000;

    fn form(id: &str) -> FormDefinition {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": "T", "kind": "contact", "submit_label": "Send",
            "success": { "message": "Thanks" },
            "fields": [{ "name": "email", "label": "Email", "kind": "email", "required": true }],
            "min_fill_seconds": 3
        }))
        .unwrap()
    }

    fn judged(token: &str, at_ms: i64) -> TokenJudgement {
        judge(
            &SigningKey::new(b"k"),
            &form("contact-us"),
            Some(token),
            at_ms,
            false,
        )
    }

    #[test]
    fn a_token_round_trips_and_each_flaw_is_named() {
        let key = SigningKey::new(b"k");
        let token = FormToken::issue(&key, "contact-us", NOW);
        let read = FormToken::verify(&key, &token).unwrap();
        assert_eq!(
            (read.form_id.as_str(), read.issued_at_ms),
            ("contact-us", NOW)
        );
        assert_ne!(
            FormToken::issue(&key, "contact-us", NOW),
            token,
            "fresh nonce"
        );

        assert!(matches!(
            judged(&token, NOW + 4_000),
            TokenJudgement::Sound(_)
        ));
        assert_eq!(
            judge(&key, &form("contact-us"), None, NOW, false),
            TokenJudgement::Flawed(TokenFlaw::Missing)
        );
        let forged = token.replacen(&NOW.to_string(), &(NOW - 60_000).to_string(), 1);
        assert_eq!(
            judged(&forged, NOW + 4_000),
            TokenJudgement::Flawed(TokenFlaw::Forged)
        );
        let other_key = FormToken::issue(&SigningKey::new(b"other"), "contact-us", NOW);
        assert_eq!(
            judged(&other_key, NOW + 4_000),
            TokenJudgement::Flawed(TokenFlaw::Forged)
        );
        let other_form = FormToken::issue(&key, "ebook", NOW);
        assert_eq!(
            judged(&other_form, NOW + 4_000),
            TokenJudgement::Flawed(TokenFlaw::OtherForm)
        );
        assert_eq!(
            judged(&token, NOW + 500),
            TokenJudgement::Flawed(TokenFlaw::TooFast)
        );
        assert_eq!(
            judged(&token, NOW + FORM_TOKEN_LIFETIME_MS + 2_000),
            TokenJudgement::Flawed(TokenFlaw::Expired)
        );
        assert!(matches!(
            judged(&token, NOW + FORM_TOKEN_LIFETIME_MS),
            TokenJudgement::Sound(_)
        ));
    }

    #[test]
    fn a_clock_difference_between_instances_does_not_make_a_person_spam() {
        let token = FormToken::issue(&SigningKey::new(b"k"), "contact-us", NOW);
        // The checking instance's clock is 800 ms behind: the visitor took 3 s, it sees 2.2 s.
        assert!(matches!(
            judged(&token, NOW + 2_200),
            TokenJudgement::Sound(_)
        ));
        // Far behind: the token looks issued in the future; only an instance could sign it.
        assert!(matches!(
            judged(&token, NOW - 30_000),
            TokenJudgement::Sound(_)
        ));
        // Without skew, 1.5 s is too fast for a 3 s form.
        assert_eq!(
            judged(&token, NOW + 1_500),
            TokenJudgement::Flawed(TokenFlaw::TooFast)
        );
    }

    #[test]
    fn the_server_vouched_one_click_skips_only_the_timing() {
        let key = SigningKey::new(b"k");
        let token = FormToken::issue(&key, "contact-us", NOW);
        assert!(matches!(
            judge(&key, &form("contact-us"), Some(&token), NOW + 300, true),
            TokenJudgement::Sound(_)
        ));
        assert_eq!(
            judge(&key, &form("contact-us"), Some("x.1.2.3"), NOW + 300, true),
            TokenJudgement::Flawed(TokenFlaw::Forged)
        );
    }
}
