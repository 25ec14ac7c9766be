//! What a vendor module asks the sender to do: one HTTP request, fully described, so its bytes can be
//! checked in unit tests without a network.

/// The HTTP methods a delivery uses. Every vendor takes a POST; Marketo's token is a GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Post,
    Get,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Get => "GET",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingRequest {
    pub method: HttpMethod,
    pub url: String,
    /// `(name, value)` in the order they are sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl OutgoingRequest {
    pub fn post(url: String, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            method: HttpMethod::Post,
            url,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
        }
    }

    /// A GET without a body.
    pub fn get(url: String) -> Self {
        Self {
            method: HttpMethod::Get,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

pub const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

/// `application/x-www-form-urlencoded` with UTF-8 percent-encoding, as browsers post forms.
pub fn urlencode(pairs: &[(String, String)]) -> Vec<u8> {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish().into_bytes()
}
