//! `cargo xtask <command>`: building, running, testing and measuring Leadform.
//!
//! Written in Rust rather than shell so it runs wherever cargo does and fails with
//! clear messages. Each command lives in its own module; this file only dispatches.

mod args;
mod bench;
mod compress;
mod demo;
mod demo_data;
mod dist;
mod dist_cache;
mod dist_minify;
mod intake;
mod paths;
mod postgres;
mod release;
mod run;
mod test;
mod tools;

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::args::Args;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  dist [--debug]       build the widget and copy the site into dist/
                       (--debug: dev profile, keeps debug info, skips wasm-opt)
  release              dist, then the handler with dist's browser files built in:
                       target/release/leadform-intake serves the widget with no --public
  demo [--port PORT]   dist, seed ./leadform.db with demo leads if it has none, then serve the
                       demo site and the handler on 127.0.0.1:PORT (default 8080)
  test                 fmt, clippy, native tests, browser tests, end-to-end tests
  bench [--leads N] [--concurrency N] [--browser-only | --intake-only | --recovery-only]
                       print download sizes, the form's startup side by side with React +
                       Formspree and Preact (cold Chromium, CPU slowed 4x), the handler's
                       loopback throughput, 500 slow clients, scoring and the console overview
                       on 100,000 leads (defaults: 5000 leads, 64 at a time; --browser-only
                       stops after the startup comparison; --intake-only runs only the
                       handler's throughput; --recovery-only only the outage-and-recovery
                       run); never fails on a figure
  help                 this text
";

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nerror: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<()> {
    let mut args = Args::from_env();
    let Some(command) = args.command() else {
        print!("{USAGE}");
        bail!("no command given");
    };
    match command.as_str() {
        "dist" => {
            let debug = args.flag("--debug");
            args.finish()?;
            dist::dist(dist::Profile::from_debug_flag(debug)).map(drop)
        }
        "release" => {
            args.finish()?;
            release::release().map(drop)
        }
        "demo" => {
            let port = args.value("--port")?.unwrap_or(8080);
            args.finish()?;
            demo::demo(port)
        }
        "test" => {
            args.finish()?;
            test::test()
        }
        "bench" => {
            let scopes = [
                (args.flag("--browser-only"), bench::Scope::Browser),
                (args.flag("--intake-only"), bench::Scope::Intake),
                (args.flag("--recovery-only"), bench::Scope::Recovery),
            ];
            let mut chosen = scopes.iter().filter(|(given, _)| *given);
            let scope = match (chosen.next(), chosen.next()) {
                (None, _) => bench::Scope::Everything,
                (Some((_, scope)), None) => *scope,
                (Some(_), Some(_)) => bail!(
                    "choose one of --browser-only, --intake-only and --recovery-only, or none for everything"
                ),
            };
            let options = bench::Options {
                leads: args.value("--leads")?.unwrap_or(5000),
                concurrency: args.value("--concurrency")?.unwrap_or(64),
                scope,
            };
            args.finish()?;
            bench::bench(options)
        }
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            print!("{USAGE}");
            bail!("unknown command `{other}`")
        }
    }
}
