//! `leadform-intake`: the Leadform form handler.
//!
//! - [`forms`] loads and checks the marketer's form definitions;
//! - [`intake`] decides what a submission becomes (validated, flagged, stored with its deliveries);
//! - [`http`] is the API, the no-JavaScript fallback forms and the static site;
//! - [`server`] runs it, [`serving`] keeps slow clients in check; [`commands`] is what each CLI
//!   command does;
//! - [`webhook_secrets`] stops `serve` when a webhook's signing secret (or a Marketo client
//!   secret) is not set;
//! - [`export`] and [`outbox_cli`] format stored data for people;
//! - [`metrics`] counts what `GET /metrics` reports.
//! - [`privacy_cli`] is `forget` and `export --email` (erasure and access requests);
//! - [`retention`] erases leads past their form's `retention_days`, once a day.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod csv_cell;
pub mod existing_db;
pub mod export;
pub mod form_token;
pub mod forms;
pub mod gated_assets;
pub mod http;
pub mod intake;
pub mod logging;
pub mod metrics;
pub mod outbox_cli;
pub mod privacy_cli;
pub mod retention;
pub mod score_commands;
pub mod score_pass;
pub mod scores_cli;
pub mod scoring_file;
pub mod server;
pub mod server_secret;
pub mod serving;
pub mod signing;
pub mod user_cli;
pub mod webhook_secrets;
