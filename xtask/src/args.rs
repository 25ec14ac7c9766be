//! A tiny argument parser: a command word followed by `--flag` and `--name value` options.
//!
//! Hand-rolled because xtask has four commands and three options; anything not consumed
//! is reported by `finish`, so a typo is an error rather than silently ignored.

use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};

pub struct Args {
    rest: Vec<String>,
}

impl Args {
    pub fn from_env() -> Self {
        Self::new(std::env::args().skip(1))
    }

    pub fn new(args: impl IntoIterator<Item = String>) -> Self {
        Self {
            rest: args.into_iter().collect(),
        }
    }

    /// Takes the first word, the command.
    pub fn command(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            None
        } else {
            Some(self.rest.remove(0))
        }
    }

    /// Takes `name` if present.
    pub fn flag(&mut self, name: &str) -> bool {
        match self.rest.iter().position(|a| a == name) {
            Some(i) => {
                self.rest.remove(i);
                true
            }
            None => false,
        }
    }

    /// Takes `name VALUE` or `name=VALUE` if present and parses VALUE.
    pub fn value<T>(&mut self, name: &str) -> Result<Option<T>>
    where
        T: FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let prefix = format!("{name}=");
        let Some(i) = self
            .rest
            .iter()
            .position(|a| a == name || a.starts_with(&prefix))
        else {
            return Ok(None);
        };
        let arg = self.rest.remove(i);
        let raw = match arg.strip_prefix(&prefix) {
            Some(inline) => inline.to_string(),
            None => {
                if i >= self.rest.len() || self.rest[i].starts_with("--") {
                    bail!("{name} needs a value");
                }
                self.rest.remove(i)
            }
        };
        raw.parse()
            .map(Some)
            .with_context(|| format!("invalid value `{raw}` for {name}"))
    }

    /// Fails on anything left over: unknown options or stray words.
    pub fn finish(self) -> Result<()> {
        match self.rest.first() {
            None => Ok(()),
            Some(first) => Err(anyhow!(
                "unexpected argument `{first}` (see `cargo xtask help`)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Args {
        Args::new(s.split_whitespace().map(String::from))
    }

    #[test]
    fn parses_command_flags_and_values() {
        let mut a = args("bench --leads 10 --concurrency=4 --debug");
        assert_eq!(a.command().as_deref(), Some("bench"));
        assert!(a.flag("--debug"));
        assert_eq!(a.value::<u32>("--leads").unwrap(), Some(10));
        assert_eq!(a.value::<u32>("--concurrency").unwrap(), Some(4));
        assert_eq!(a.value::<u32>("--port").unwrap(), None);
        a.finish().unwrap();
    }

    #[test]
    fn rejects_bad_values_missing_values_and_leftovers() {
        let err = args("--port eighty").value::<u16>("--port").unwrap_err();
        assert!(format!("{err:#}").contains("invalid value `eighty` for --port"));

        let err = args("--port --debug").value::<u16>("--port").unwrap_err();
        assert!(err.to_string().contains("--port needs a value"));

        let err = args("--prot 80").finish().unwrap_err();
        assert!(err.to_string().contains("unexpected argument `--prot`"));
    }
}
