//! `leadform-intake forget --email` (erasure) and `export --email` (access request).
//!
//! Both find the person by the normalised email the store links leads with (trimmed, lowercased),
//! and both exit non-zero when nothing is stored under it, so a script handling a request notices
//! a mistyped address instead of reporting the person as erased or as having no data.

use crate::cli::ExportFormat;
use crate::export::{self, ExportError};
use crate::forms::FormRegistry;
use leadform_store::{PersonAccessRecord, Store, StoreError, StoredLead};
use std::io::Write;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PrivacyCliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(
        "nothing is stored for {0}: no person and no lead has this email \
         (nothing was erased; it may have been erased before)"
    )]
    UnknownEmail(String),
}

/// Erases the person in one transaction and says what was erased.
pub async fn forget(store: &Store, email: &str, now_ms: i64) -> Result<String, PrivacyCliError> {
    let report = store
        .forget_person(email, now_ms)
        .await?
        .ok_or_else(|| PrivacyCliError::UnknownEmail(email.trim().to_lowercase()))?;
    Ok(format!(
        "erased {} lead(s) of {}: {} person record(s), {} visitor profile(s) deleted, \
         {} undelivered delivery(ies) cancelled",
        report.leads,
        email.trim().to_lowercase(),
        report.persons,
        report.profiles,
        report.deliveries_cancelled,
    ))
}

/// Writes everything stored about the person: JSON (the whole record) or CSV (their leads, in
/// `export`'s columns). With `forms`, each JSON lead also gets `consent_text`: the wording of its
/// form's consent checkbox in that definition (a lead stores whether the box was ticked, and the
/// definition holds what it said).
pub async fn export_person(
    store: &Store,
    email: &str,
    format: ExportFormat,
    forms: Option<&FormRegistry>,
    mut out: impl Write,
) -> Result<(), PrivacyCliError> {
    let record: PersonAccessRecord = store
        .person_access_record(email)
        .await?
        .ok_or_else(|| PrivacyCliError::UnknownEmail(email.trim().to_lowercase()))?;
    match format {
        ExportFormat::Json => {
            let mut json = serde_json::to_value(&record).map_err(ExportError::Json)?;
            if let (Some(forms), Some(leads)) = (forms, json["leads"].as_array_mut()) {
                for lead in leads {
                    let consent_text = lead["form_id"]
                        .as_str()
                        .and_then(|id| forms.get(id))
                        .and_then(|form| form.consent.as_ref())
                        .map(|consent| consent.text.clone());
                    lead["consent_text"] = consent_text.into();
                }
            }
            serde_json::to_writer_pretty(&mut out, &json).map_err(ExportError::Json)?;
            out.write_all(b"\n").map_err(ExportError::Io)?;
        }
        ExportFormat::Csv => {
            let leads: Vec<StoredLead> = record.leads.into_iter().map(|l| l.stored).collect();
            export::write_csv(&leads, out)?;
        }
    }
    Ok(())
}
