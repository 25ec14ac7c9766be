//! The command line: `serve`, `export`, `outbox list|retry` and `check`.

use crate::http::own_origin::PublicUrl;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "leadform-intake", version, about = "The Leadform form handler")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the fallback forms and the built site; deliver leads to CRMs.
    Serve(ServeArgs),
    /// Print every stored lead, oldest first.
    Export {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
    /// Show or replay CRM deliveries.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Check every form definition in a folder and exit.
    Check {
        #[arg(long)]
        forms: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Folder of form definitions, one `{id}.json` per form.
    #[arg(long)]
    pub forms: PathBuf,
    /// A SQLite file path (created if missing) or a postgres:// URL.
    #[arg(long)]
    pub db: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The built site (`dist/`): loader, widget, stylesheet and demo pages.
    #[arg(long)]
    pub public: Option<PathBuf>,
    /// Lead submissions per minute per client address.
    #[arg(long, env = "LEADFORM_RATE_LIMIT_PER_MINUTE", default_value_t = crate::http::rate_limit::DEFAULT_PER_MINUTE)]
    pub rate_limit_per_minute: u32,
    /// Count rate limits by the rightmost X-Forwarded-For address (the one our proxy saw).
    /// Only behind a proxy you control that appends it.
    #[arg(long)]
    pub trust_proxy: bool,
    /// The address visitors use for this handler, e.g. https://forms.example.com (scheme, host
    /// and port only). Set it behind a reverse proxy: its origin is then the handler's own for
    /// CORS and form posts instead of the Host header, and an https URL makes the visitor cookie
    /// Secure. Without it both follow the Host header (Secure unless the host is loopback).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<PublicUrl>,
    /// The private folder of gated files: a content download's asset `url` that is a path names a
    /// file here, given out only through signed links that expire after 24 hours. Never put it
    /// inside --public.
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DeliveryStatus {
    Pending,
    #[value(name = "in_flight")]
    InFlight,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::InFlight => "in_flight",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List deliveries, optionally only those with one status.
    List {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        #[arg(long, value_enum)]
        status: Option<DeliveryStatus>,
    },
    /// Send a delivery again (by id), or every dead one (--dead).
    Retry {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        #[arg(required_unless_present = "dead", conflicts_with = "dead")]
        id: Option<i64>,
        #[arg(long)]
        dead: bool,
    },
}
