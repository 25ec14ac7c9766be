//! `serve` refuses to start while a webhook destination's secret (or a Marketo destination's
//! client secret, `client_secret_env`) is missing.
//!
//! The forwarder would otherwise keep every lead for that webhook pending with a `last_error`
//! (it still does, if the variable disappears later); stopping at start-up tells the operator at
//! once, naming the file and the variable, e.g.
//! `forms/contact-us.json: destinations[2].secret_env: environment variable LEADFORM_HOOK_SECRET is not set`.

use crate::forms::FormRegistry;
use leadform_core::Destination;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// One webhook whose signing secret is not available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSecret {
    /// The form's definition file.
    pub path: PathBuf,
    pub destination_index: usize,
    /// The setting that names the variable: `secret_env` or `client_secret_env`.
    pub setting: &'static str,
    pub variable: String,
    /// Set but empty, rather than not set at all.
    pub empty: bool,
}

impl fmt::Display for MissingSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = if self.empty { "is empty" } else { "is not set" };
        write!(
            f,
            "{}: destinations[{}].{}: environment variable {} {problem}",
            self.path.display(),
            self.destination_index,
            self.setting,
            self.variable
        )
    }
}

/// Every missing secret, one per line.
#[derive(Debug, Error)]
#[error("{}", lines(.0))]
pub struct MissingSecrets(pub Vec<MissingSecret>);

fn lines(missing: &[MissingSecret]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every webhook of every form in `registry` (loaded from `forms_dir`, where each form is
/// `{id}.json`) against `lookup`, which reads one environment variable.
pub fn check(
    forms_dir: &Path,
    registry: &FormRegistry,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<(), MissingSecrets> {
    let mut missing = Vec::new();
    for form in registry.iter() {
        for (index, destination) in form.destinations.iter().enumerate() {
            let (setting, variable) = match destination {
                Destination::Webhook(hook) => ("secret_env", &hook.secret_env),
                Destination::Marketo(mkto) => ("client_secret_env", &mkto.client_secret_env),
                _ => continue,
            };
            let empty = match lookup(variable) {
                Some(value) if !value.is_empty() => continue,
                Some(_) => true,
                None => false,
            };
            missing.push(MissingSecret {
                path: forms_dir.join(format!("{}.json", form.id)),
                destination_index: index,
                setting,
                variable: variable.clone(),
                empty,
            });
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MissingSecrets(missing))
    }
}

/// [`check`] against the process environment.
pub fn check_environment(forms_dir: &Path, registry: &FormRegistry) -> Result<(), MissingSecrets> {
    check(forms_dir, registry, |name| std::env::var_os(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadform_core::FormDefinition;

    fn form_with_destinations(destinations: serde_json::Value) -> FormRegistry {
        let form: FormDefinition = serde_json::from_value(serde_json::json!({
            "id": "contact-us",
            "title": "Talk to us",
            "kind": "contact",
            "submit_label": "Send",
            "success": { "message": "Thanks" },
            "fields": [{ "name": "email", "label": "Email", "kind": "email", "required": true }],
            "destinations": destinations
        }))
        .unwrap();
        FormRegistry::from_definitions([form]).unwrap()
    }

    fn two_webhooks() -> FormRegistry {
        form_with_destinations(serde_json::json!([
            { "kind": "hubspot", "portal_id": "123456", "form_guid": "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d" },
            { "kind": "webhook", "url": "https://hooks.example.com/a", "secret_env": "HOOK_A" },
            { "kind": "webhook", "url": "https://hooks.example.com/b", "secret_env": "HOOK_B" }
        ]))
    }

    #[test]
    fn an_unset_variable_is_named_with_its_file_and_destination() {
        let registry = two_webhooks();
        let error = check(Path::new("forms"), &registry, |name| {
            (name == "HOOK_A").then(|| "s3cret".into())
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "forms/contact-us.json: destinations[2].secret_env: environment variable HOOK_B is not set"
        );
    }

    #[test]
    fn an_empty_variable_counts_as_missing_and_every_problem_is_listed() {
        let registry = two_webhooks();
        let error = check(Path::new("forms"), &registry, |name| {
            (name == "HOOK_A").then(OsString::new)
        })
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "forms/contact-us.json: destinations[1].secret_env: environment variable HOOK_A is empty\n\
             forms/contact-us.json: destinations[2].secret_env: environment variable HOOK_B is not set"
        );
    }

    #[test]
    fn a_marketo_client_secret_is_checked_too() {
        let registry = form_with_destinations(serde_json::json!([{
            "kind": "marketo", "munchkin_id": "123-ABC-456", "client_id": "abc",
            "client_secret_env": "MKTO_SECRET", "form_id": 1029
        }]));
        let error = check(Path::new("forms"), &registry, |_| None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "forms/contact-us.json: destinations[0].client_secret_env: environment variable \
             MKTO_SECRET is not set"
        );
        assert!(check(Path::new("forms"), &registry, |_| Some("x".into())).is_ok());
    }

    #[test]
    fn set_secrets_and_other_destinations_pass() {
        let registry = two_webhooks();
        assert!(check(Path::new("forms"), &registry, |_| Some("x".into())).is_ok());
        let no_webhooks = form_with_destinations(serde_json::json!([]));
        assert!(check(Path::new("forms"), &no_webhooks, |_| None).is_ok());
    }
}
