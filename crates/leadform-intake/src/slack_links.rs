//! `check` and `serve` refuse a Slack destination while the handler has no `--public-url`.
//!
//! Each Slack message links to the lead's console page, and only `--public-url` says where the
//! console is for someone reading Slack (the `Host` header of a request is not there when the
//! forwarder sends). Without it every nudge would wait in the outbox; stopping at start-up says so
//! at once, naming the file and the destination.

use crate::forms::FormRegistry;
use crate::http::own_origin::PublicUrl;
use leadform_core::Destination;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The first Slack destination found while the handler has no public URL.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{}: destinations[{destination_index}]: a slack destination links each message to the lead's \
     console page, so the handler needs its address: pass --public-url (e.g. --public-url \
     https://forms.example.com)",
    path.display()
)]
pub struct SlackNeedsPublicUrl {
    /// The form's definition file.
    pub path: PathBuf,
    pub destination_index: usize,
}

/// Checks the forms in `registry` (loaded from `forms_dir`, where each form is `{id}.json`).
pub fn check(
    forms_dir: &Path,
    registry: &FormRegistry,
    public_url: Option<&PublicUrl>,
) -> Result<(), SlackNeedsPublicUrl> {
    if public_url.is_some() {
        return Ok(());
    }
    for form in registry.iter() {
        if let Some(index) = form
            .destinations
            .iter()
            .position(|destination| matches!(destination, Destination::Slack(_)))
        {
            return Err(SlackNeedsPublicUrl {
                path: forms_dir.join(format!("{}.json", form.id)),
                destination_index: index,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry `serve` would load from a forms folder holding this one form.
    fn registry(destinations: serde_json::Value) -> FormRegistry {
        let form = serde_json::json!({
            "id": "contact-us",
            "title": "Talk to us",
            "kind": "contact",
            "submit_label": "Send",
            "success": { "message": "Thanks" },
            "fields": [{ "name": "email", "label": "Email", "kind": "email", "required": true }],
            "destinations": destinations
        });
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("contact-us.json"), form.to_string()).expect("form file");
        FormRegistry::load_dir(dir.path()).expect("form is valid")
    }

    #[test]
    fn a_slack_destination_needs_the_public_url() {
        let forms = registry(serde_json::json!([
            { "kind": "hubspot", "portal_id": "123456", "form_guid": "0b1c2d3e" },
            { "kind": "slack", "url": "https://hooks.slack.com/services/T0/B0/secret" }
        ]));
        let error = check(Path::new("forms"), &forms, None).expect_err("refused");
        assert_eq!(
            error.to_string(),
            "forms/contact-us.json: destinations[1]: a slack destination links each message to \
             the lead's console page, so the handler needs its address: pass --public-url (e.g. \
             --public-url https://forms.example.com)"
        );
        let public_url: PublicUrl = "https://forms.example.com".parse().expect("url");
        assert!(check(Path::new("forms"), &forms, Some(&public_url)).is_ok());
    }

    #[test]
    fn forms_without_slack_need_no_public_url() {
        let forms = registry(serde_json::json!([
            { "kind": "hubspot", "portal_id": "123456", "form_guid": "0b1c2d3e" }
        ]));
        assert!(check(Path::new("forms"), &forms, None).is_ok());
    }
}
