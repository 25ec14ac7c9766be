//! Marketo's Munchkin cookie, `_mkto_trk`, which the widget reads from the host page and Marketo's
//! `submitForm` takes as `cookie` to join the form fill to the visitor's tracked web activity.
//!
//! Its documented shape is `id:{munchkin id}&token:_mch-{domain}-{milliseconds}-{random}`, e.g.
//! `id:123-ABC-456&token:_mch-example.com-1528393958427-67123`. Anything else is refused: the value
//! goes verbatim into a vendor request, so it may hold nothing a cookie of that shape would not.

/// Longer than any real one (about 60 characters for a long domain); a cap, not an expectation.
pub const MAX_MUNCHKIN_COOKIE_CHARS: usize = 200;

/// The cookie's name on the host page.
pub const MUNCHKIN_COOKIE_NAME: &str = "_mkto_trk";

/// Why a `munchkin_cookie` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MunchkinCookieError {
    #[error("the Munchkin cookie is longer than {MAX_MUNCHKIN_COOKIE_CHARS} characters")]
    TooLong,
    #[error(
        "the Munchkin cookie must look like `id:123-ABC-456&token:_mch-example.com-1528393958427-67123`"
    )]
    Shape,
}

/// Checks a `_mkto_trk` value against its documented shape; the value is returned unchanged.
pub fn check_munchkin_cookie(value: &str) -> Result<&str, MunchkinCookieError> {
    if value.len() > MAX_MUNCHKIN_COOKIE_CHARS {
        return Err(MunchkinCookieError::TooLong);
    }
    let rest = value
        .strip_prefix("id:")
        .ok_or(MunchkinCookieError::Shape)?;
    let (munchkin_id, token) = rest
        .split_once("&token:_mch-")
        .ok_or(MunchkinCookieError::Shape)?;
    if !is_munchkin_id(munchkin_id) || !is_token(token) {
        return Err(MunchkinCookieError::Shape);
    }
    Ok(value)
}

/// `123-ABC-456`: three digits, three letters, three digits.
pub fn is_munchkin_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    matches!(parts.as_slice(), [a, b, c]
        if a.len() == 3 && a.bytes().all(|x| x.is_ascii_digit())
            && b.len() == 3 && b.bytes().all(|x| x.is_ascii_alphabetic())
            && c.len() == 3 && c.bytes().all(|x| x.is_ascii_digit()))
}

/// `{domain}-{milliseconds}-{random}` after `_mch-`: a host name, then two runs of digits.
fn is_token(token: &str) -> bool {
    let mut parts = token.rsplitn(3, '-');
    let (Some(random), Some(millis), Some(domain)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let host = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    host(domain) && digits(millis) && digits(random)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_shape() {
        for value in [
            "id:123-ABC-456&token:_mch-example.com-1528393958427-67123",
            "id:299-BYM-827&token:_mch-www.brightchart-demo.co.uk-1764400000000-1",
            "id:123-abc-456&token:_mch-localhost-1-2",
        ] {
            assert_eq!(check_munchkin_cookie(value), Ok(value));
        }
    }

    #[test]
    fn refuses_anything_else() {
        for value in [
            "",
            "id:123-ABC-456",
            "token:_mch-example.com-1-2",
            "id:12-ABC-456&token:_mch-example.com-1-2",
            "id:123-AB1-456&token:_mch-example.com-1-2",
            "id:123-ABC-456&token:_mch-example.com-1",
            "id:123-ABC-456&token:_mch-example.com-x-2",
            "id:123-ABC-456&token:_mch-exa mple.com-1-2",
            "id:123-ABC-456&token:_mch-example.com-1-2\r\nX: y",
            "id:123-ABC-456&token:_mch-example.com-1-2&x=1",
            "id:123-ABC-456&token:_mch--1-2",
        ] {
            assert_eq!(
                check_munchkin_cookie(value),
                Err(MunchkinCookieError::Shape),
                "{value:?}"
            );
        }
        let long = format!(
            "id:123-ABC-456&token:_mch-{}-1-2",
            "a".repeat(MAX_MUNCHKIN_COOKIE_CHARS)
        );
        assert_eq!(
            check_munchkin_cookie(&long),
            Err(MunchkinCookieError::TooLong)
        );
    }
}
