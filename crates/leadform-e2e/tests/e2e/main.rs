//! Every integration test of this crate, in one binary: one link instead of one per file.

mod attribution;
mod console;
mod console_refusals;
mod contact_page;
mod cross_origin;
mod gated_content_and_profiling;
mod instant_form;
mod languages;
mod no_javascript;
#[allow(dead_code)]
mod support;
