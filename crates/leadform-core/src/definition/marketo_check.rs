//! The rules for a Marketo destination's account values, told to the marketer in Marketo's words.

use validator::ValidationError;

/// A Munchkin id as Admin → Munchkin shows it: three digits, three capital letters, three digits.
pub(super) fn munchkin_id(value: &str) -> Result<(), ValidationError> {
    let parts: Vec<&str> = value.split('-').collect();
    let ok = matches!(parts.as_slice(), [a, b, c]
        if a.len() == 3 && a.bytes().all(|b| b.is_ascii_digit())
            && b.len() == 3 && b.bytes().all(|b| b.is_ascii_uppercase())
            && c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(()).ok_or_else(|| {
        ValidationError::new("munchkin_id").with_message(
            "a Munchkin id looks like `123-ABC-456` (Admin → Munchkin in Marketo)".into(),
        )
    })
}

/// A LaunchPoint client id: it goes into the token request's query, so no spaces or controls.
pub(super) fn client_id(value: &str) -> Result<(), ValidationError> {
    let ok = (1..=100).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then_some(()).ok_or_else(|| {
        ValidationError::new("client_id").with_message(
            "use the client id from Admin → LaunchPoint → View Details (letters, digits and `-`)"
                .into(),
        )
    })
}
