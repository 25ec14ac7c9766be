//! `GET {endpoint}/v1/forms/{id}`: the form's public definition.

use super::http::{request, HttpError};
use leadform_core::{Locale, PublicFormDefinition};

/// The definition with the marketer's texts in `locale` (when the page states one; else the
/// handler goes by the browser's `Accept-Language` and the form's default).
pub async fn fetch_definition(
    endpoint: &str,
    form_id: &str,
    locale: Option<Locale>,
) -> Result<PublicFormDefinition, HttpError> {
    let mut url = [endpoint, "/v1/forms/", &encode_path_segment(form_id)].concat();
    if let Some(locale) = locale {
        url.push_str("?locale=");
        url.push_str(locale.code());
    }
    request("GET", &url, None, false).await?.success()?.parse()
}

/// Percent-encodes everything but unreserved characters, so a form id cannot change the path.
pub fn encode_path_segment(segment: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_path_segment;

    #[test]
    fn form_ids_cannot_escape_their_path_segment() {
        assert_eq!(encode_path_segment("contact-us"), "contact-us");
        assert_eq!(encode_path_segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }
}
