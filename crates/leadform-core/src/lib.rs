//! Leadform's shared core: what a form is, what a lead is, and which input is acceptable.
//!
//! Both the widget (compiled to wasm) and the intake handler depend on this crate, so the browser and
//! the server judge a submission with the same code. It stays pure Rust — no web-sys, yew or tokio —
//! and is tested natively with `cargo test -p leadform-core`.

pub mod attribution;
pub mod catalogue;
pub mod definition;
pub mod email;
pub mod error;
pub mod form_view;
pub mod locale;
pub mod munchkin;
pub mod profiling;
pub mod redact;
pub mod sanitize;
pub mod spreadsheet_cell;
pub mod submission;
pub mod time;
pub mod validation;

pub use attribution::{AttributionTouch, LeadAttribution};
pub use catalogue::{CatalogueTable, Text};
pub use definition::{
    ConsentDefinition, Destination, FieldDefinition, FieldKind, FormDefinition, FormKind,
    GatedAsset, ProgressivePolicy, PublicFormDefinition, SelectOption, StoragePolicy,
    SuccessBehaviour,
};
pub use error::{DefinitionError, FieldError, FieldErrors, SubmissionError};
pub use locale::{negotiate, Locale, LocalePreferences};
pub use profiling::{choose_fields, KnownProfile, VisibleFields};
pub use submission::{BotCheck, HiddenValues, Intent, LeadAccepted, LeadSubmission, UnknownIntent};
pub use validation::{
    looks_automated, submission_locale, validate_field, validate_field_in, validate_submission,
    ValidatedLead,
};
