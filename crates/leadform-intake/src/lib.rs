//! `leadform-intake`: the Leadform form handler.
//!
//! - [`forms`] loads and checks the marketer's form definitions;
//! - [`intake`] decides what a submission becomes (validated, flagged, stored with its deliveries);
//! - [`http`] is the API, the no-JavaScript fallback forms and the static site;
//! - [`server`] runs it; [`commands`] is what each CLI command does;
//! - [`webhook_secrets`] stops `serve` when a webhook's signing secret is not set;
//! - [`export`] and [`outbox_cli`] format stored data for people.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod existing_db;
pub mod export;
pub mod form_token;
pub mod forms;
pub mod gated_assets;
pub mod http;
pub mod intake;
pub mod logging;
pub mod outbox_cli;
pub mod server;
pub mod server_secret;
pub mod signing;
pub mod webhook_secrets;
