//! The `leads.intent` column read back as an [`Intent`]: parsed once here, so no reader compares
//! the stored text. The SQL keeps the text (`WHERE intent = 'contact_request'`).

use crate::error::StoreError;
use leadform_core::Intent;

/// The intent of lead `lead_id` as stored; anything the handler never writes is a corrupt row.
pub(crate) fn read_intent(lead_id: i64, stored: &str) -> Result<Intent, StoreError> {
    stored.parse().map_err(|error| StoreError::CorruptRow {
        what: format!("intent of lead {lead_id}"),
        detail: format!("{error}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_intent_reads_back_and_a_foreign_one_names_the_lead() {
        assert_eq!(
            read_intent(7, "content_download").ok(),
            Some(Intent::ContentDownload)
        );
        let error = read_intent(7, "phone_call").expect_err("not an intent");
        assert_eq!(
            error.to_string(),
            "stored intent of lead 7 is unreadable: \"phone_call\" is not contact_request or content_download"
        );
    }
}
