//! The view rules live in the core, shared with the handler's first markup.

pub use leadform_core::form_view::{form_view, greeting_name, FormView};
