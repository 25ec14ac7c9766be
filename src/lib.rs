//! The Leadform widget: a Yew form compiled to WebAssembly and embedded with one script tag.
//!
//! `www/leadform.js` loads this module and calls [`boot`]. Layout: `embed/` gets the widget onto
//! the page, `components/` draw it, `state` holds the form's rules of behaviour, `services/` do
//! the side effects, and `payload`/`form_view` are the pure steps between them;
//! `handoff` holds what `embed/` gives the components.

pub mod components;
pub mod embed;
pub mod form_view;
pub mod handoff;
pub mod payload;
pub mod services;
pub mod state;

use wasm_bindgen::prelude::*;

/// Called by the loader once the wasm is ready: installs `window.Leadform` and mounts every
/// `[data-leadform]` container on the page. `base_url` is where the loader was served from.
#[wasm_bindgen]
pub fn boot(base_url: &str) {
    embed::mount::set_asset_base(base_url);
    embed::install_js_api(base_url);
    embed::mount::mount_all(base_url);
}
