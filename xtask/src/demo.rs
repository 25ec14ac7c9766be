//! `cargo xtask demo`: the demo site and the handler on one loopback port.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use crate::demo_data;
use crate::dist::{self, Profile};
use crate::intake;
use crate::paths;
use crate::run::{self, cmd};

pub fn demo(port: u16) -> Result<()> {
    dist::dist(Profile::Release)?;
    run::header("demo: building the handler");
    let bin = intake::build(true)?;
    // A few weeks of leads for the console's charts, only while ./leadform.db has none.
    demo_data::seed(&demo_data::build()?, "./leadform.db")?;
    let password = console_login(&bin)?;

    let base = format!("http://127.0.0.1:{port}");
    let bin_shown = paths::display(&bin);
    println!(
        "\nLeadform demo: {base}/\n\
         \n\
         The console: {base}/console/ (user demo, password {password})\n\
         \n\
         Embed the Contact Us form on a page of an origin listed in forms/contact-us.json\n\
         (allowed_origins) with:\n\
         \n\
         <div data-leadform=\"contact-us\"></div>\n\
         <script src=\"{base}/leadform.js\" defer></script>\n\
         \n\
         See the stored leads with:\n\
         \n\
         {bin_shown} export --db ./leadform.db --format csv\n\
         \n\
         Ctrl-C stops the server.\n"
    );
    // Foreground: Ctrl-C reaches the handler too, since it shares our process group.
    run::run(
        cmd(&bin)
            .args(["serve", "--forms", "forms", "--db", "./leadform.db"])
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--public", "dist"])
            .args(["--assets", "assets"]),
    )
}

/// The console's demo login: the admin `demo`, with a fresh password each run (added on the first
/// run, reset on later ones), printed with the console's address. Returns the password.
fn console_login(bin: &Path) -> Result<String> {
    let password = format!("demo-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let list = cmd(bin)
        .args(["user", "list", "--db", "./leadform.db"])
        .output()
        .context("listing the console's users")?;
    let listed = String::from_utf8_lossy(&list.stdout);
    let exists = listed
        .lines()
        .any(|line| line.split_whitespace().next() == Some("demo"));
    let mut user = cmd(bin);
    if exists {
        user.args(["user", "password", "demo"]);
    } else {
        user.args(["user", "add", "demo", "--role", "admin"]);
    }
    let mut child = user
        .args(["--db", "./leadform.db"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("setting the console's demo user")?;
    // One line from a pipe is the password (the CLI asks twice only on a terminal).
    child
        .stdin
        .take()
        .context("the user command's stdin")?
        .write_all(format!("{password}\n").as_bytes())?;
    let status = child.wait()?;
    if !status.success() {
        bail!("setting the console's demo user failed ({status})");
    }
    Ok(password)
}
