//! The `leads.lead_json` column read back as a [`LeadSubmission`], in one place for every reader.

use crate::error::StoreError;
use leadform_core::LeadSubmission;

/// The submission of lead `lead_id` as stored; JSON the handler never wrote is a corrupt row.
pub(crate) fn read_lead_json(lead_id: i64, stored: &str) -> Result<LeadSubmission, StoreError> {
    serde_json::from_str(stored).map_err(|error| StoreError::CorruptRow {
        what: format!("lead {lead_id}"),
        detail: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_json_names_the_lead() {
        let error = read_lead_json(7, "{not json").expect_err("not a submission");
        assert!(
            error
                .to_string()
                .starts_with("stored lead 7 is unreadable: "),
            "{error}"
        );
    }
}
