//! Loading the marketer's form definitions: every `*.json` file in the forms folder.
//!
//! Any problem stops start-up with a message naming the file and the value at fault, e.g.
//! `forms/ebook.json: fields[3].options: a select needs at least one option`, because a handler that
//! silently skipped a broken form would lose that form's leads.

use leadform_core::{DefinitionError, FormDefinition};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// The rules file's name in the forms folder (never read as a form definition).
pub const SCORING_FILE: &str = "scoring.json";

#[derive(Debug, Error)]
pub enum FormsError {
    #[error("{}: cannot read the forms folder: {source}", dir.display())]
    ReadDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot read the file: {source}", path.display())]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {at}{message}", path.display())]
    Parse {
        path: PathBuf,
        /// `fields[3].kind: ` or empty when the problem is the document as a whole.
        at: String,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Invalid {
        path: PathBuf,
        source: DefinitionError,
    },
    #[error("{}: id: the form id is `{id}`, so the file must be named `{id}.json`", path.display())]
    FileNameMismatch { path: PathBuf, id: String },
    #[error("{}: no form definitions (*.json) in this folder", dir.display())]
    Empty { dir: PathBuf },
}

/// The loaded forms, by id. Read-only after start-up, so it is shared without a lock.
#[derive(Debug, Clone, Default)]
pub struct FormRegistry {
    forms: BTreeMap<String, Arc<FormDefinition>>,
}

impl FormRegistry {
    /// Loads and checks every `*.json` file in `dir`, in file-name order.
    pub fn load_dir(dir: &Path) -> Result<Self, FormsError> {
        let entries = std::fs::read_dir(dir).map_err(|source| FormsError::ReadDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| FormsError::ReadDir {
                dir: dir.to_path_buf(),
                source,
            })?;
            let path = entry.path();
            // The scoring rules live beside the forms but are not a form.
            let is_scoring_rules = path.file_name().is_some_and(|name| name == SCORING_FILE);
            if path.extension().is_some_and(|ext| ext == "json")
                && path.is_file()
                && !is_scoring_rules
            {
                paths.push(path);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(FormsError::Empty {
                dir: dir.to_path_buf(),
            });
        }
        let mut forms = BTreeMap::new();
        for path in paths {
            let form = load_file(&path)?;
            forms.insert(form.id.clone(), Arc::new(form));
        }
        Ok(Self { forms })
    }

    pub fn get(&self, id: &str) -> Option<&Arc<FormDefinition>> {
        self.forms.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.forms.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<FormDefinition>> {
        self.forms.values()
    }

    pub fn len(&self) -> usize {
        self.forms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// Plain copies of the definitions, by id, as the forwarder takes them.
    pub fn definitions(&self) -> BTreeMap<String, FormDefinition> {
        self.forms
            .iter()
            .map(|(id, form)| (id.clone(), FormDefinition::clone(form)))
            .collect()
    }

    /// `true` when any form lists `origin`; used for preflights, which do not say which form.
    pub fn any_allows_origin(&self, origin: &str) -> bool {
        self.forms.values().any(|form| form.allows_origin(origin))
    }
}

/// Parses one definition file strictly, checks it, and checks its file name.
pub fn load_file(path: &Path) -> Result<FormDefinition, FormsError> {
    let text = std::fs::read_to_string(path).map_err(|source| FormsError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let deserializer = &mut serde_json::Deserializer::from_str(&text);
    let form: FormDefinition = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let at = error.path().to_string();
        FormsError::Parse {
            path: path.to_path_buf(),
            // serde_path_to_error prints `.` for the document root; that says nothing to a reader.
            at: if at == "." {
                String::new()
            } else {
                format!("{at}: ")
            },
            message: error.into_inner().to_string(),
        }
    })?;
    form.check().map_err(|source| FormsError::Invalid {
        path: path.to_path_buf(),
        source,
    })?;
    let expected_name = format!("{}.json", form.id);
    if path.file_name().and_then(|n| n.to_str()) != Some(expected_name.as_str()) {
        return Err(FormsError::FileNameMismatch {
            path: path.to_path_buf(),
            id: form.id,
        });
    }
    Ok(form)
}
