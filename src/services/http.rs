//! A thin layer over the browser's `fetch`: JSON in and out, a timeout, and errors as an enum.
//! gloo-net has neither timeouts nor `keepalive`, and web-sys directly is smaller.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials, RequestInit, Response};

/// How long a request may take before we give up and say so (a shared, slow network is normal).
const TIMEOUT_MS: u32 = 20_000;
/// Browsers cap the bodies of all in-flight keepalive requests at 64 KiB together.
const KEEPALIVE_MAX_BYTES: usize = 60 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("the server could not be reached")]
    Network,
    #[error("the server answered {status}")]
    Status { status: u16, body: String },
    #[error("the server's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("the request could not be made: {0}")]
    Request(String),
}

/// An answer: the status code and the parsed JSON body (`undefined` when the body is not JSON).
pub struct JsonAnswer {
    pub status: u16,
    pub body: JsValue,
    pub text: String,
}

impl JsonAnswer {
    /// The answer itself for a 2xx status, else the status as an error.
    pub fn success(self) -> Result<Self, HttpError> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(HttpError::Status {
                status: self.status,
                body: self.text,
            })
        }
    }

    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        super::js_value::from_js(self.body.clone()).map_err(|e| HttpError::BadAnswer(e.to_string()))
    }
}

/// Serialises `value` as JSON text. serde_json writes it directly: building JS objects
/// through serde-wasm-bindgen and stringifying them took more code and more JS imports.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, HttpError> {
    serde_json::to_string(value)
        .map_err(|_| HttpError::Request("the payload cannot be written as JSON".to_owned()))
}

/// Sends a request. `with_cookies` sends the handler's visitor cookie across origins.
pub async fn request(
    method: &str,
    url: &str,
    json_body: Option<&str>,
    with_cookies: bool,
) -> Result<JsonAnswer, HttpError> {
    let window = web_sys::window().ok_or(HttpError::Request("no window".to_owned()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(if with_cookies {
        RequestCredentials::Include
    } else {
        RequestCredentials::SameOrigin
    });
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    if let Some(body) = json_body {
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into());
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(body));
        // A lead sent just before the visitor leaves the page must still arrive. Browsers refuse
        // keepalive bodies over 64 KiB outright, so a larger one (which the handler answers
        // with a clear 413) goes without. web-sys has no setter; the init is a plain object.
        if body.len() < KEEPALIVE_MAX_BYTES {
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        }
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| HttpError::Network)?
        .dyn_into()
        .map_err(|_| HttpError::BadAnswer("not a Response".to_owned()))?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|_| HttpError::Network)?
            .as_string()
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let body = js_sys::JSON::parse(&text).unwrap_or(JsValue::UNDEFINED);
    Ok(JsonAnswer { status, body, text })
}
