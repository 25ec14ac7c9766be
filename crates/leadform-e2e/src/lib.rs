//! Harness for Leadform's end-to-end tests: the real `leadform-intake` binary, headless
//! Chromium driven over WebDriver, and a second loopback site that embeds the widget the
//! way a customer would, with only the two-line snippet.
//!
//! `cargo xtask test` builds `dist/` and the handler, then runs these tests with:
//!
//! | variable | what |
//! |---|---|
//! | `LEADFORM_INTAKE_BIN` | the `leadform-intake` binary |
//! | `LEADFORM_DIST` | the built site (`cargo xtask dist`) |
//! | `LEADFORM_FORMS` | the form definitions to copy for each handler |
//! | `CHROMEDRIVER`, `CHROMIUM` | Debian's `/usr/bin/chromedriver` and `/usr/bin/chromium` |
//!
//! Without them ([`E2eEnv::from_env`] returns `None`) each test reports itself skipped.

pub mod axe;
mod browser;
pub mod devtools;
mod env;
pub mod extra_forms;
mod foreign;
mod handler;
pub mod host_site;
mod lead;
mod net;
pub mod page_probe;
pub mod poll;
pub mod visits;
mod widget;

pub use browser::Browser;
pub use env::E2eEnv;
pub use foreign::ForeignSite;
pub use handler::{Handler, HandlerConfig};
pub use lead::{find_by_email, lead_json};
pub use net::free_port;
pub use widget::Widget;
