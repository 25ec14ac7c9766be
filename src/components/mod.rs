//! The widget's Yew components, one per file.

pub mod action_callback;
pub mod error_summary;
pub mod field;
pub mod honeypot;
pub mod lead_form;
pub mod one_click;
pub mod status;
pub mod success;
pub mod welcome;
pub mod widget;

pub use widget::{Widget, WidgetProps};
