//! Running child processes with the command line echoed, so a failure says what to rerun.

use std::ffi::{OsStr, OsString};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::paths;

/// A command that runs in the workspace root.
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(paths::root());
    cmd
}

/// `cargo`, the same one that runs xtask.
pub fn cargo() -> Command {
    cmd(cargo_program())
}

pub fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs `cmd` with inherited stdio; fails if it does not exit 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = describe(cmd);
    println!("$ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout; fails (showing stderr) if it does not exit 0.
pub fn output(cmd: &mut Command) -> Result<String> {
    let line = describe(cmd);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not start `{line}`"))?;
    if !out.status.success() {
        bail!(
            "`{line}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    String::from_utf8(out.stdout).with_context(|| format!("`{line}` printed invalid UTF-8"))
}

/// Whether `program args` starts and exits 0, with its output discarded.
pub fn succeeds(program: impl AsRef<OsStr>, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A section header, so long logs can be scanned for where each step starts.
pub fn header(title: &str) {
    println!("\n==> {title}");
}

pub fn describe(cmd: &Command) -> String {
    let envs: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| {
            v.map(|v| {
                let value = redact_password(&v.to_string_lossy());
                format!("{}={value}", k.to_string_lossy())
            })
        })
        .collect();
    // Database URLs are arguments here (`--db postgres://…`): never print their passwords.
    let words = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|w| redact_password(&w.to_string_lossy()));
    envs.into_iter().chain(words).collect::<Vec<_>>().join(" ")
}

/// The one redaction shared with the store: URL user-info passwords (encoded or not),
/// `password=` query parameters and key/value pairs become `***`.
pub use leadform_core::redact::redact_password;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_never_show_passwords() {
        let mut psql = Command::new("psql");
        psql.args(["postgres://u:s3cret@db/x", "-c", "SELECT 1"]);
        assert_eq!(describe(&psql), "psql postgres://u:***@db/x -c SELECT 1");
        let mut handler = Command::new("leadform-intake");
        handler
            .env("LEADFORM_TEST_POSTGRES_URL", "postgres://u:p%40ss@db/x")
            .args(["serve", "--db", "host=db user=u password=s3cret"]);
        let shown = describe(&handler);
        assert!(
            !shown.contains("p%40ss") && !shown.contains("s3cret"),
            "{shown}"
        );
    }
}
