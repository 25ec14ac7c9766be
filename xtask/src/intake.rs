//! Building and running the `leadform-intake` binary for the demo and the benches.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::paths;
use crate::run::{self, cargo, cmd};

/// How long a fresh handler may take to listen (it may run migrations first).
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// `cargo build [--release] -p leadform-intake`, returning the binary's path.
pub fn build(release: bool) -> Result<PathBuf> {
    let mut build = cargo();
    build.args(["build", "-p", "leadform-intake"]);
    if release {
        build.arg("--release");
    }
    run::run(&mut build)?;
    let profile_dir = if release { "release" } else { "debug" };
    Ok(paths::target_dir()
        .join(profile_dir)
        .join(format!("leadform-intake{}", std::env::consts::EXE_SUFFIX)))
}

/// A port that was free a moment ago. The handler binds it right after, so a clash is
/// unlikely; if one happens, startup fails loudly rather than testing the wrong server.
pub fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// What `leadform-intake serve` is started with.
pub struct ServeOptions<'a> {
    pub bin: &'a Path,
    pub forms: &'a Path,
    /// A SQLite path or a `postgres://` URL.
    pub db: &'a str,
    /// `--public`; `None` serves the API only (an empty folder).
    pub public: Option<&'a Path>,
    /// `--assets`: the private folder of gated files the forms name.
    pub assets: &'a Path,
    /// Where the handler's stdout and stderr go, so they do not interleave with figures.
    pub log: &'a Path,
    pub env: Vec<(&'a str, String)>,
}

/// A running handler, killed when dropped.
pub struct Handler {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Handler {
    pub fn start(options: ServeOptions<'_>) -> Result<Self> {
        let port = free_port()?;
        let log = File::create(options.log)
            .with_context(|| format!("creating {}", options.log.display()))?;
        let mut serve = Command::new(options.bin);
        serve
            .arg("serve")
            .arg("--forms")
            .arg(options.forms)
            .args(["--db", options.db])
            .args(["--addr", &format!("127.0.0.1:{port}")]);
        // No site: an empty folder, since serve refuses to start with no browser files at all.
        let empty_site = options.log.with_extension("public");
        let public = match options.public {
            Some(public) => public,
            None => {
                std::fs::create_dir_all(&empty_site)
                    .with_context(|| format!("creating {}", empty_site.display()))?;
                &empty_site
            }
        };
        serve.arg("--public").arg(public);
        serve.arg("--assets").arg(options.assets);
        serve
            .envs(options.env)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = serve
            .spawn()
            .with_context(|| format!("starting {}", run::describe(&serve)))?;
        let mut handler = Handler {
            child,
            port,
            log: options.log.to_path_buf(),
        };
        handler.wait_until_listening(options.log)?;
        Ok(handler)
    }

    /// The handler's process id, to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The storage durability the handler announces in its JSON start-up log line
    /// (`"durability": "SQLite WAL, synchronous=FULL"`), if it did.
    pub fn reported_durability(&self) -> Option<String> {
        let log = std::fs::read_to_string(&self.log).ok()?;
        log.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find_map(|entry| entry["fields"]["durability"].as_str().map(String::from))
    }

    fn wait_until_listening(&mut self, log: &Path) -> Result<()> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "leadform-intake exited during startup ({status}); its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > STARTUP_DEADLINE {
                bail!(
                    "leadform-intake did not listen on {addr} within {STARTUP_DEADLINE:?}; see {}",
                    log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every stored lead, via `leadform-intake export --db DB --format json` (a JSON array).
pub fn export(bin: &Path, db: &str) -> Result<Vec<serde_json::Value>> {
    let json = run::output(cmd(bin).args(["export", "--db", db, "--format", "json"]))?;
    serde_json::from_str(&json)
        .context("`leadform-intake export --format json` did not print a JSON array")
}
