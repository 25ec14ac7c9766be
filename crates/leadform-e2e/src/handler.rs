//! A `leadform-intake serve` process with its own fresh database and form definitions.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tempfile::TempDir;

use crate::env::E2eEnv;
use crate::net::{free_port, wait_for_listener};

const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

/// How to start a [`Handler`].
pub struct HandlerConfig<'a> {
    env: &'a E2eEnv,
    port: Option<u16>,
    extra_origins: Vec<String>,
    /// Console users (name, role, password) added with `user add` before `serve` starts.
    console_users: Vec<(String, String, String)>,
}

impl HandlerConfig<'_> {
    /// Listen on this port (reserved with [`free_port`]) instead of a fresh one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Add `origin` to every form's `allowed_origins` in this handler's copy of the forms.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.extra_origins.push(origin.into());
        self
    }

    /// Add a console user (`admin` or `member`) before the handler starts, so `/console/` is on.
    pub fn console_user(mut self, name: &str, role: &str, password: &str) -> Self {
        self.console_users
            .push((name.to_owned(), role.to_owned(), password.to_owned()));
        self
    }

    pub async fn start(self) -> Result<Handler> {
        let port = match self.port {
            Some(port) => port,
            None => free_port()?,
        };
        let base_url = format!("http://127.0.0.1:{port}");
        let dir = tempfile::Builder::new().prefix("leadform-e2e-").tempdir()?;
        let forms = dir.path().join("forms");
        // The handler's own origin is allowed too: its demo pages embed the forms same-origin.
        let mut origins = vec![base_url.clone()];
        origins.extend(self.extra_origins);
        copy_forms(&self.env.forms, &forms, &origins)?;

        let db = dir.path().join("leads.db");
        for (name, role, password) in &self.console_users {
            add_console_user(&self.env.intake_bin, &db, name, role, password)?;
        }
        let log_path = dir.path().join("handler.log");
        let log = File::create(&log_path)?;
        let child = Command::new(&self.env.intake_bin)
            .arg("serve")
            .arg("--forms")
            .arg(&forms)
            .arg("--db")
            .arg(&db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--public")
            .arg(&self.env.dist)
            .arg("--assets")
            .arg(&self.env.assets)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.env.intake_bin.display()))?;
        let mut handler = Handler {
            child,
            port,
            base_url,
            db,
            forms,
            log: log_path,
            bin: self.env.intake_bin.clone(),
            _dir: dir,
        };
        let Handler { child, log, .. } = &mut handler;
        wait_for_listener("leadform-intake", port, STARTUP_DEADLINE, || {
            match child.try_wait()? {
                Some(status) => bail!(
                    "leadform-intake exited during startup ({status}); its log:\n{}",
                    fs::read_to_string(&*log).unwrap_or_default()
                ),
                None => Ok(()),
            }
        })
        .await?;
        Ok(handler)
    }
}

/// A running handler. Killed when dropped; its log is printed then, which the test harness
/// shows only for a failing test.
pub struct Handler {
    child: Child,
    pub port: u16,
    base_url: String,
    db: PathBuf,
    forms: PathBuf,
    log: PathBuf,
    bin: PathBuf,
    _dir: TempDir,
}

impl Handler {
    pub fn config(env: &E2eEnv) -> HandlerConfig<'_> {
        HandlerConfig {
            env,
            port: None,
            extra_origins: Vec::new(),
            console_users: Vec::new(),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// This handler's copy of a form definition, as JSON.
    pub fn form(&self, id: &str) -> Result<Value> {
        let path = self.forms.join(format!("{id}.json"));
        Ok(serde_json::from_str(&fs::read_to_string(&path)?)?)
    }

    /// The form's `min_fill_seconds` (the handler's default of 3 when it is not set).
    pub fn min_fill(&self, id: &str) -> Result<Duration> {
        let seconds = self.form(id)?["min_fill_seconds"].as_u64().unwrap_or(3);
        Ok(Duration::from_secs(seconds))
    }

    /// Every stored lead, via `leadform-intake export --db DB --format json`.
    pub async fn leads(&self) -> Result<Vec<Value>> {
        let out = tokio::process::Command::new(&self.bin)
            .arg("export")
            .arg("--db")
            .arg(&self.db)
            .args(["--format", "json"])
            .stdin(Stdio::null())
            .output()
            .await?;
        if !out.status.success() {
            bail!(
                "leadform-intake export failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        serde_json::from_slice(&out.stdout).map_err(|err| {
            anyhow!(
                "export did not print a JSON array ({err}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!(
            "--- leadform-intake log ---\n{}",
            fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

/// Copies every `*.json` form from `from` to `to`, adding `origins` to `allowed_origins`.
fn copy_forms(from: &Path, to: &Path, origins: &[String]) -> Result<()> {
    fs::create_dir_all(to)?;
    let mut copied = 0;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let mut form: Value = serde_json::from_str(&fs::read_to_string(&path)?)
            .with_context(|| format!("parsing {}", path.display()))?;
        allow_origins(&mut form, origins)
            .with_context(|| format!("patching {}", path.display()))?;
        let name = path.file_name().expect("read_dir entries have names");
        fs::write(to.join(name), serde_json::to_string_pretty(&form)?)?;
        copied += 1;
    }
    if copied == 0 {
        bail!("no form definitions (*.json) in {}", from.display());
    }
    Ok(())
}

fn allow_origins(form: &mut Value, origins: &[String]) -> Result<()> {
    let object = form
        .as_object_mut()
        .ok_or_else(|| anyhow!("a form definition is a JSON object"))?;
    let allowed = object
        .entry("allowed_origins")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| anyhow!("allowed_origins is not an array"))?;
    for origin in origins {
        allowed.push(Value::String(origin.clone()));
    }
    Ok(())
}

/// `leadform-intake user add NAME --role ROLE --db DB` with the password on a pipe.
fn add_console_user(bin: &Path, db: &Path, name: &str, role: &str, password: &str) -> Result<()> {
    use std::io::Write;
    let mut child = Command::new(bin)
        .args(["user", "add", name, "--role", role, "--db"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {} user add", bin.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{password}")?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "user add {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn copies_forms_with_extra_origins_and_skips_other_files() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        fs::write(
            from.path().join("a.json"),
            r#"{"id":"a","allowed_origins":["http://127.0.0.1:8080"]}"#,
        )
        .unwrap();
        fs::write(from.path().join("b.json"), r#"{"id":"b"}"#).unwrap();
        fs::write(from.path().join("README.md"), "not a form").unwrap();

        let origins = ["http://127.0.0.1:1".to_string()];
        copy_forms(from.path(), to.path(), &origins).unwrap();

        let read = |name: &str| -> Value {
            serde_json::from_str(&fs::read_to_string(to.path().join(name)).unwrap()).unwrap()
        };
        assert_eq!(
            read("a.json")["allowed_origins"],
            json!(["http://127.0.0.1:8080", "http://127.0.0.1:1"])
        );
        assert_eq!(
            read("b.json")["allowed_origins"],
            json!(["http://127.0.0.1:1"])
        );
        assert!(!to.path().join("README.md").exists());
    }

    #[test]
    fn refuses_an_empty_forms_folder() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let err = copy_forms(from.path(), to.path(), &[]).unwrap_err();
        assert!(err.to_string().contains("no form definitions"));
    }
}
