//! What `embed/` hands the components it mounts: the embed's resolved settings and, for a
//! takeover, the shown form's state. Its own module so components and payload need not import
//! `embed/`, which imports them.

use std::collections::BTreeMap;
use yew::Callback;

/// The settings of one embed, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedOptions {
    pub form_id: String,
    /// The handler's base URL, without a trailing slash; leads go to `{endpoint}/v1/leads`.
    pub endpoint: String,
    pub campaign_id: Option<String>,
    pub lead_source: Option<String>,
    pub locale: Option<String>,
}

/// What the widget starts from when it takes a shown form over.
#[derive(Clone, PartialEq)]
pub struct Takeover {
    /// Every named control's value as the visitor left it (checkboxes: `"true"` when ticked).
    pub values: BTreeMap<String, String>,
    /// When the visitor first saw the form (`Date.now()`): the fill time counts from then.
    pub shown_at_ms: f64,
    /// Called once the widget's form is in the DOM: swaps it in.
    pub on_rendered: Callback<()>,
}
