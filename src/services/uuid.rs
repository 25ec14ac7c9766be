//! UUID v4 from the browser's CSPRNG. `crypto.randomUUID` exists only in secure contexts, and a
//! form on a plain-http page must still work.

/// A new random UUID v4, or `None` when the browser has no `crypto` (then nothing can be sent
/// idempotently, and the caller says so).
pub fn new_uuid_v4() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(uuid_v4_from_bytes(bytes))
}

/// Formats 16 random bytes as a UUID v4 (sets the version and RFC 9562 variant bits).
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uuid_v4_from_bytes;
    use leadform_core::sanitize::is_uuid_v4;

    #[test]
    fn formats_any_bytes_as_a_valid_uuid_v4() {
        for seed in [0u8, 0x5a, 0xff] {
            let id = uuid_v4_from_bytes([seed; 16]);
            assert!(is_uuid_v4(&id), "{id}");
        }
        assert_eq!(
            uuid_v4_from_bytes([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
    }
}
