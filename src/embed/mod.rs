//! How the widget gets onto a page: reading an embed's settings, mounting into a shadow root, the
//! DOM events a host page can listen to, and the `window.Leadform` JS API.

pub mod attributes;
mod js_api;
pub mod mount;
pub mod takeover;

pub use crate::handoff::EmbedOptions;
pub use attributes::EmbedSettings;
pub use js_api::install_js_api;
pub use mount::{mount, mount_with_definition, MountHandle};

/// Why an embed could not be mounted. The message is shown in the console and in `leadform:error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("the container needs a data-leadform attribute (or a formId option) naming the form")]
    MissingFormId,
    #[error("the endpoint `{0}` is not an http(s) URL")]
    BadEndpoint(String),
    #[error("the page has no document to mount into")]
    NoDocument,
    #[error("could not build the widget's shadow root: {0}")]
    ShadowRoot(String),
    #[error("could not load form `{form_id}`: {reason}")]
    Definition { form_id: String, reason: String },
}
