//! Error types. Every message is meant to be read by a person: a marketer fixing a definition file,
//! or a visitor fixing what they typed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// A problem with one value a visitor entered. `code` is stable for programs; `message` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Field name → its error. Ordered so the JSON answer and the error summary are stable.
pub type FieldErrors = BTreeMap<String, FieldError>;

/// Why a submission was refused. The handler maps `Fields` to 422 and the rest to 400.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SubmissionError {
    #[error("the submission is for form `{submitted}`, not `{expected}`")]
    WrongForm { expected: String, submitted: String },
    #[error("the submission id must be a UUID v4, got `{0}`")]
    BadSubmissionId(String),
    #[error("`{field}` is not a field of this form")]
    UnknownField { field: String },
    #[error("{} field(s) are invalid", .0.len())]
    Fields(FieldErrors),
    #[error("munchkin_cookie: {0}")]
    BadMunchkinCookie(#[from] crate::munchkin::MunchkinCookieError),
}

/// Why a form definition file was refused at start-up. `path` is a dotted path to the value at fault,
/// e.g. `fields[2].options`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct DefinitionError {
    pub path: String,
    pub message: String,
}

impl DefinitionError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}
