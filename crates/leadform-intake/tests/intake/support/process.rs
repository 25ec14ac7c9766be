//! The real `leadform-intake` binary for fault tests: `serve` as a child process that can be
//! SIGKILLed or SIGTERMed and started again on the same port and database, and the `outbox` and
//! `export` commands run as separate processes, their output parsed the way an operator reads it.

use super::{fresh_postgres_database, Backend};
use leadform_store::DeliveryStatus;
use leadform_testdb::ScratchDatabase;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A "give up" limit for start-up and for one CLI run; they normally take well under a second.
const START_GIVE_UP: Duration = Duration::from_secs(60);
const STARTUP_LINE_PREFIX: &str = "Leadform intake listening on ";

/// The signing secret every `serve` child gets through `LEADFORM_SECRET`, so a test can make the
/// form tokens a visitor would have been given (see [`form_token_from_five_seconds_ago`]).
pub const SERVE_SECRET: &str = "process-tests-signing-secret-0123456789abcdef";

/// A form token as the handler would have issued it five seconds ago, when the visitor opened the
/// form: signed with [`SERVE_SECRET`], the same secret the child process verifies with.
pub fn form_token_from_five_seconds_ago(form_id: &str) -> String {
    let now = leadform_intake::clock::now_ms();
    leadform_intake::form_token::FormToken::issue(
        &leadform_intake::signing::SigningKey::new(SERVE_SECRET.as_bytes()),
        form_id,
        now - 5_000,
    )
}

/// Writes the fixture eBook's gated file into `<dir>/assets` and returns that folder.
pub fn write_assets(dir: &Path) -> PathBuf {
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets).expect("assets dir");
    std::fs::write(assets.join("12-charts.pdf"), super::EBOOK_ASSET_BYTES).expect("asset");
    assets
}

/// An empty `--public` folder: `serve` refuses to start with no browser files at all, and these
/// tests are about the API (the embedded site has its own test).
pub fn empty_public_dir(dir: &Path) -> PathBuf {
    let public = dir.join("public");
    std::fs::create_dir_all(&public).expect("public dir");
    public
}

/// Writes each form as `{id}.json` into `<dir>/forms` and returns that folder.
pub fn write_forms(dir: &Path, forms: &[Value]) -> PathBuf {
    let forms_dir = dir.join("forms");
    std::fs::create_dir_all(&forms_dir).expect("forms dir");
    for form in forms {
        let id = form["id"].as_str().expect("test forms have ids");
        std::fs::write(
            forms_dir.join(format!("{id}.json")),
            serde_json::to_string_pretty(form).expect("json"),
        )
        .expect("write form");
    }
    forms_dir
}

/// A database for the binary's `--db`: a SQLite file in `dir`, or a throwaway PostgreSQL database
/// on the server of `LEADFORM_TEST_POSTGRES_URL` (dropped by [`TestDatabase::drop_database`]).
pub struct TestDatabase {
    /// As `--db` takes it.
    pub db: String,
    /// The throwaway PostgreSQL database, if any.
    postgres: Option<ScratchDatabase>,
}

impl TestDatabase {
    pub async fn create(backend: Backend, dir: &Path) -> TestDatabase {
        match backend {
            Backend::Sqlite => TestDatabase {
                db: dir.join("leads.db").display().to_string(),
                postgres: None,
            },
            Backend::Postgres => {
                let database = fresh_postgres_database().await;
                TestDatabase {
                    db: database.url.clone(),
                    postgres: Some(database),
                }
            }
        }
    }

    pub async fn drop_database(self) {
        if let Some(database) = self.postgres {
            database.drop_database().await;
        }
    }
}

/// How to run `serve`; kept so the same handler can be started again after a kill.
pub struct ServeConfig {
    pub forms_dir: PathBuf,
    pub db: String,
    /// The built site; an empty folder is enough for these tests.
    pub public_dir: PathBuf,
    /// Extra environment, e.g. a webhook secret or `LEADFORM_RATE_LIMIT_PER_MINUTE`.
    pub env: Vec<(String, String)>,
    /// Every run's stderr (the structured logs) is appended here, for failure messages.
    pub log_path: PathBuf,
}

/// A running `leadform-intake serve` child process.
pub struct ServeProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// `127.0.0.1:<port>`, to start again on the same address.
    pub addr: String,
    log_path: PathBuf,
}

impl ServeProcess {
    /// Starts `serve` on `addr` (`127.0.0.1:0` for any free port) and waits for its start-up line.
    pub async fn start(config: &ServeConfig, addr: &str) -> ServeProcess {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.log_path)
            .expect("open log file");
        // The fixture eBook's gated file, beside the forms: serve refuses a path asset without it.
        let assets = write_assets(config.forms_dir.parent().unwrap_or(&config.forms_dir));
        let mut child = Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
            .arg("serve")
            .arg("--forms")
            .arg(&config.forms_dir)
            .arg("--assets")
            .arg(&assets)
            .arg("--db")
            .arg(&config.db)
            .arg("--addr")
            .arg(addr)
            .arg("--public")
            .arg(&config.public_dir)
            .env(
                leadform_intake::server_secret::SECRET_VARIABLE,
                SERVE_SECRET,
            )
            .envs(config.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("spawn leadform-intake serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let first = tokio::time::timeout(START_GIVE_UP, BufReader::new(stdout).lines().next_line())
            .await
            .expect("a start-up line within the give-up limit")
            .expect("read stdout");
        let Some(first) = first else {
            let status = child.wait().await.expect("wait");
            panic!(
                "serve exited ({status}) without a start-up line; log:\n{}",
                read_log(&config.log_path)
            );
        };
        let base_url = first
            .strip_prefix(STARTUP_LINE_PREFIX)
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_owned();
        let addr = base_url
            .strip_prefix("http://")
            .expect("http base URL")
            .to_owned();
        ServeProcess {
            child,
            base_url,
            addr,
            log_path: config.log_path.clone(),
        }
    }

    /// SIGKILL: no shutdown code runs, as when the machine loses power or the OOM killer strikes.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL the handler");
    }

    /// SIGTERM and wait: the graceful stop a service manager does. Fails if the exit is not clean.
    pub async fn terminate(mut self) {
        let pid = self.child.id().expect("still running").to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        let status = tokio::time::timeout(START_GIVE_UP, self.child.wait())
            .await
            .expect("serve stops after SIGTERM")
            .expect("wait");
        assert!(
            status.success(),
            "serve exited with {status}; log:\n{}",
            self.log()
        );
    }

    /// Everything the handler logged so far (all runs sharing the log file).
    pub fn log(&self) -> String {
        read_log(&self.log_path)
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| format!("(no log: {error})"))
}

/// What one CLI run printed.
#[derive(Debug)]
pub struct CliOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `leadform-intake <args>` as its own process.
pub async fn run_cli(args: &[&str]) -> CliOutput {
    let output = tokio::time::timeout(
        START_GIVE_UP,
        Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("leadform-intake {args:?} did not finish"))
    .expect("run leadform-intake");
    CliOutput {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `export --format json`, parsed.
pub async fn export_json(db: &str) -> Vec<Value> {
    let output = run_cli(&["export", "--db", db, "--format", "json"]).await;
    assert!(output.success, "export failed: {}", output.stderr);
    serde_json::from_str(&output.stdout).expect("export prints a JSON array")
}

/// One row of the `outbox list` table, as printed.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub lead_id: i64,
    pub form_id: String,
    pub destination: String,
    /// `lead.created` or `lead.mql`.
    pub event: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt: String,
    /// The last column: `delivered <time>` or the last error, or empty.
    pub note: String,
}

/// The whole `outbox list` output: its rows, the count its last line states, and the raw text.
#[derive(Debug, Clone)]
pub struct OutboxListing {
    pub rows: Vec<OutboxRow>,
    pub stated_count: usize,
    pub text: String,
}

impl OutboxListing {
    /// Rows whose destination key starts with `prefix` (e.g. `hubspot:`).
    pub fn to(&self, prefix: &str) -> Vec<&OutboxRow> {
        self.rows
            .iter()
            .filter(|row| row.destination.starts_with(prefix))
            .collect()
    }

    pub fn with_status(&self, status: DeliveryStatus) -> Vec<&OutboxRow> {
        self.rows
            .iter()
            .filter(|row| row.status == status)
            .collect()
    }
}

const OUTBOX_HEADER_START: &str = "id     lead   form";

/// `outbox list [--status S]`, run as the CLI and parsed. Fails on any line it cannot read, so a
/// change in the table is noticed rather than misread.
pub async fn outbox_list(db: &str, status: Option<&str>) -> OutboxListing {
    let mut args = vec!["outbox", "list", "--db", db];
    if let Some(status) = status {
        args.extend(["--status", status]);
    }
    let output = run_cli(&args).await;
    assert!(output.success, "outbox list failed: {}", output.stderr);
    parse_outbox_list(&output.stdout)
}

pub fn parse_outbox_list(text: &str) -> OutboxListing {
    let lines: Vec<&str> = text.lines().collect();
    let (header, body) = lines.split_first().expect("a header line");
    assert!(header.starts_with(OUTBOX_HEADER_START), "header: {text}");
    let (footer, rows) = body.split_last().expect("a count line");
    let stated_count = footer
        .strip_suffix(" deliveries")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("last line is not `N deliveries`: {text}"));
    let rows = rows
        .iter()
        .map(|line| {
            parse_row(line).unwrap_or_else(|| panic!("unreadable row `{line}` in:\n{text}"))
        })
        .collect();
    OutboxListing {
        rows,
        stated_count,
        text: text.to_owned(),
    }
}

/// Eight whitespace-separated columns, then the note (which may contain spaces).
fn parse_row(line: &str) -> Option<OutboxRow> {
    let mut rest = line;
    let mut columns = Vec::with_capacity(8);
    for _ in 0..8 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (column, after) = rest.split_at(end);
        if column.is_empty() {
            return None;
        }
        columns.push(column);
        rest = after;
    }
    Some(OutboxRow {
        id: columns[0].parse().ok()?,
        lead_id: columns[1].parse().ok()?,
        form_id: columns[2].to_owned(),
        destination: columns[3].to_owned(),
        event: columns[4].to_owned(),
        status: columns[5].parse().expect("a delivery status"),
        attempts: columns[6].parse().ok()?,
        next_attempt: columns[7].to_owned(),
        note: rest.trim().to_owned(),
    })
}

/// Runs `outbox list` until `done` holds, and returns that listing. `give_up` is only a limit
/// for a broken build; the handler's log is shown if it is reached.
pub async fn wait_for_outbox(
    db: &str,
    what: &str,
    give_up: Duration,
    log: impl Fn() -> String,
    done: impl Fn(&OutboxListing) -> bool,
) -> OutboxListing {
    let started = Instant::now();
    loop {
        let listing = outbox_list(db, None).await;
        if done(&listing) {
            return listing;
        }
        if started.elapsed() > give_up {
            panic!(
                "gave up after {give_up:?} waiting for {what}; outbox list:\n{}\nhandler log:\n{}",
                listing.text,
                log()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
