//! `scoring.json` in the forms folder: the lead-scoring rules, checked like the definitions.
//!
//! Absent, the documented defaults apply. Present and wrong, `serve` and `check` stop naming the
//! file and the field, e.g. `forms/scoring.json: decay.floor: must be between 0 and 1000000`.

use crate::forms::FormRegistry;
// Named in `forms`, which must skip the file when it reads the folder of forms.
pub use crate::forms::SCORING_FILE;
use leadform_scoring::{ScoringRules, ScoringRulesError};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScoringFileError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Rules(#[from] ScoringRulesError),
    #[error("{}: events.form_submitted.by_form.{form_id}: no form has this id", path.display())]
    UnknownForm { path: PathBuf, form_id: String },
}

/// The rules in force and where they came from.
#[derive(Debug, Clone)]
pub struct LoadedScoringRules {
    pub rules: ScoringRules,
    /// `None` when the file is absent and the defaults apply.
    pub path: Option<PathBuf>,
}

/// Loads `scoring.json` from the forms folder, or the defaults when there is none.
pub fn load_scoring_rules(
    forms_dir: &Path,
    forms: &FormRegistry,
) -> Result<LoadedScoringRules, ScoringFileError> {
    let path = forms_dir.join(SCORING_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(LoadedScoringRules {
                rules: ScoringRules::default(),
                path: None,
            })
        }
        Err(source) => return Err(ScoringFileError::Read { path, source }),
    };
    let rules = ScoringRules::from_json(&path.display().to_string(), &text)?;
    if let Some(form_id) = rules.form_ids().find(|id| forms.get(id).is_none()) {
        return Err(ScoringFileError::UnknownForm {
            form_id: form_id.to_owned(),
            path,
        });
    }
    Ok(LoadedScoringRules {
        rules,
        path: Some(path),
    })
}
