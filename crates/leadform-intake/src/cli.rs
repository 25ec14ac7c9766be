//! The command line: `serve`, `export`, `forget`, `backup`, `outbox list|retry`, `check`, `rescore`,
//! `scores` and `user add|list|remove|password`.

use crate::http::client_address::TrustedProxy;
use crate::http::own_origin::PublicUrl;
use crate::serving::limits;
use clap::{Args, Parser, Subcommand, ValueEnum};
use leadform_store::DeliveryStatus;
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
    /// Print every stored lead, oldest first; or, with --email, everything stored about one person.
    Export {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        /// csv (the default) or json; with --email, json (the default) or csv (their leads only).
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// An access request: the person, their leads, profiles and deliveries (case ignored).
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
        /// With --email: the forms folder, to add each form's consent wording to its leads.
        #[arg(long, requires = "email")]
        forms: Option<PathBuf>,
    },
    /// Erase a person: their leads' values, profiles and undelivered deliveries, leaving tombstones.
    Forget {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        /// The person's email address (case ignored).
        #[arg(long, value_name = "ADDRESS")]
        email: String,
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
        /// The handler's address, as `serve --public-url` will have it: a slack destination
        /// needs it for its links to the console.
        #[arg(long, value_name = "URL")]
        public_url: Option<PublicUrl>,
    },
    /// Copy a live SQLite database consistently, while serve keeps running (PostgreSQL: pg_dump).
    Backup {
        /// The SQLite file serve writes to.
        #[arg(long)]
        db: String,
        /// The copy to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replay every recorded scoring event under the forms folder's scoring.json (issue 10).
    Rescore {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        /// The forms folder whose scoring.json applies (the defaults when it has none).
        #[arg(long)]
        forms: PathBuf,
    },
    /// Print every person's score and velocity as of now, highest velocity first.
    Scores {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Use this forms folder's scoring.json instead of the rules saved by serve or rescore.
        #[arg(long)]
        forms: Option<PathBuf>,
    },
    /// Manage who may log in to the console at /console/.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from stdin (twice on a terminal, one line from a pipe).
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: UserRoleArg,
        /// A SQLite file path (created if missing) or a postgres:// URL.
        #[arg(long)]
        db: String,
    },
    /// List the users.
    List {
        /// An existing SQLite file or a postgres:// URL.
        #[arg(long)]
        db: String,
    },
    /// Remove a user; their console sessions end at once.
    Remove {
        name: String,
        /// An existing SQLite file or a postgres:// URL.
        #[arg(long)]
        db: String,
    },
    /// Set a user's password (read from stdin like `add`); their sessions end.
    Password {
        name: String,
        /// An existing SQLite file or a postgres:// URL.
        #[arg(long)]
        db: String,
    },
}

/// Members see and work leads; admins also manage deliveries and read the audit log.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UserRoleArg {
    Admin,
    Member,
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
    /// A second address for /readyz and /metrics (and /healthz), e.g. 127.0.0.1:9090, so they
    /// need not be public: the main address then answers 404 for them (it keeps /healthz).
    /// Without it, all three are on --addr.
    #[arg(long, value_name = "ADDR", env = "LEADFORM_ADMIN_ADDR")]
    pub admin_addr: Option<SocketAddr>,
    /// The built site (`dist/`): loader, widget, stylesheet and demo pages. Without it, the
    /// browser files built into this binary (`cargo xtask release`); a binary without them refuses
    /// to start.
    #[arg(long)]
    pub public: Option<PathBuf>,
    /// Lead submissions per minute per client address.
    #[arg(long, env = "LEADFORM_RATE_LIMIT_PER_MINUTE", default_value_t = crate::http::rate_limit::DEFAULT_PER_MINUTE)]
    pub rate_limit_per_minute: u32,
    /// Removed: it trusted X-Forwarded-For from any peer. `serve` refuses it and says to use
    /// --trusted-proxy.
    #[arg(long, hide = true)]
    pub trust_proxy: bool,
    /// A proxy of yours that appends X-Forwarded-For, as a CIDR network or one address (IPv4 or
    /// IPv6; repeatable, or comma-separated in the variable). Requests from it count against the
    /// rightmost address it did not write; any other peer is the client, whatever it sends.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "LEADFORM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<TrustedProxy>,
    /// Seconds a client has to send a request's headers; an idle kept-alive connection is closed
    /// after the same time.
    #[arg(long, value_name = "SECONDS", env = "LEADFORM_HEADER_READ_TIMEOUT", default_value_t = limits::DEFAULT_HEADER_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout: u64,
    /// Seconds a client has to send a request's body once its headers are in (408 after that).
    #[arg(long, value_name = "SECONDS", env = "LEADFORM_BODY_READ_TIMEOUT", default_value_t = limits::DEFAULT_BODY_READ_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout: u64,
    /// Seconds from a request's headers to its answer, body and database included (503 after that).
    #[arg(long, value_name = "SECONDS", env = "LEADFORM_REQUEST_TIMEOUT", default_value_t = limits::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Seconds a client may go without reading any of its answer before its connection is closed.
    #[arg(long, value_name = "SECONDS", env = "LEADFORM_SEND_TIMEOUT", default_value_t = limits::DEFAULT_SEND_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub send_timeout: u64,
    /// Connections served at once; more wait to be accepted. Lowered to fit the open-file limit,
    /// whose soft value is raised to the hard one at start-up.
    #[arg(long, value_name = "N", env = "LEADFORM_MAX_CONNECTIONS", default_value_t = limits::DEFAULT_MAX_CONNECTIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// Seconds requests in progress get to finish on SIGTERM or Ctrl-C; idle connections close at
    /// once, and whatever is still open at the deadline is closed.
    #[arg(long, value_name = "SECONDS", env = "LEADFORM_SHUTDOWN_TIMEOUT", default_value_t = limits::DEFAULT_SHUTDOWN_TIMEOUT.as_secs())]
    pub shutdown_timeout: u64,
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

/// `--status`: the store's [`DeliveryStatus`] names, listed in the help and in the error.
fn delivery_status_parser() -> impl clap::builder::TypedValueParser<Value = DeliveryStatus> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(DeliveryStatus::ALL.map(DeliveryStatus::as_str))
        .try_map(|text| text.parse::<DeliveryStatus>())
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List deliveries, optionally only those with one status.
    List {
        /// An existing SQLite file (made by serve) or a postgres:// URL.
        #[arg(long)]
        db: String,
        #[arg(long, value_parser = delivery_status_parser())]
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
