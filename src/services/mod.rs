//! The widget's side effects: HTTP to the handler, browser storage, page facts, randomness.
//! Components call these; the state reducer never does.

pub mod attribution;
pub mod catalogue;
pub mod definition;
pub mod events;
pub mod handler_url;
mod http;
pub mod js_value;
pub mod leads;
pub mod locale;
pub mod not_you;
pub mod page;
pub mod profile;
pub mod storage;
pub mod submit;
pub mod uuid;
pub mod visitor;

pub use http::HttpError;
