//! Form definitions a test needs besides the demo's: a folder holding copies of the demo's forms
//! plus the test's own, and an [`E2eEnv`] pointing at it for [`crate::Handler::config`].

use std::fs;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tempfile::TempDir;

use crate::E2eEnv;

/// The folder lives as long as this value; the handler copies the forms when it starts.
pub struct ExtraForms {
    pub env: E2eEnv,
    _dir: TempDir,
}

/// `env` with its forms folder replaced by the demo's forms plus `forms` (each written as
/// `{id}.json`; a demo form with the same id is replaced).
pub fn with_extra_forms(env: &E2eEnv, forms: &[Value]) -> Result<ExtraForms> {
    let dir = tempfile::Builder::new()
        .prefix("leadform-e2e-forms-")
        .tempdir()?;
    for entry in
        fs::read_dir(&env.forms).with_context(|| format!("reading {}", env.forms.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let name = path
                .file_name()
                .ok_or_else(|| anyhow!("{} has no file name", path.display()))?;
            fs::copy(&path, dir.path().join(name))?;
        }
    }
    for form in forms {
        let Some(id) = form["id"].as_str() else {
            bail!("a test form definition needs an `id`: {form}");
        };
        fs::write(
            dir.path().join(format!("{id}.json")),
            serde_json::to_string_pretty(form)?,
        )?;
    }
    let env = E2eEnv {
        forms: dir.path().to_path_buf(),
        ..env.clone()
    };
    Ok(ExtraForms { env, _dir: dir })
}
