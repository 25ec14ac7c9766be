//! The leads list as CSV, formula-safe: every cell quoted, and each cell through the one rule every
//! Leadform CSV follows ([`leadform_core::spreadsheet_cell::csv_cell`]).

use leadform_core::spreadsheet_cell::csv_cell;
use leadform_store::LeadSummary;

pub const CSV_HEADER: [&str; 15] = [
    "id",
    "received_at",
    "form_id",
    "intent",
    "status",
    "closed_reason",
    "owner",
    "spam",
    "email",
    "name",
    "company",
    "campaign_id",
    "lead_source",
    "page_url",
    "submission_id",
];

fn quoted(cell: &str) -> String {
    format!("\"{}\"", csv_cell(cell).replace('"', "\"\""))
}

/// The cells of one lead, in [`CSV_HEADER`] order.
pub fn row(lead: &LeadSummary) -> [String; 15] {
    [
        lead.id.to_string(),
        lead.received_at.clone(),
        lead.form_id.clone(),
        lead.intent.clone(),
        lead.status.as_str().to_owned(),
        lead.closed_reason
            .map_or_else(String::new, |r| r.as_str().to_owned()),
        lead.owner_name.clone().unwrap_or_default(),
        if lead.is_spam { "yes" } else { "no" }.to_owned(),
        lead.email.clone().unwrap_or_default(),
        lead.display_name(),
        lead.lead.fields.get("company").cloned().unwrap_or_default(),
        lead.campaign_id.clone().unwrap_or_default(),
        lead.lead_source.clone().unwrap_or_default(),
        lead.lead.page_url.clone(),
        lead.submission_id.clone(),
    ]
}

/// The whole CSV, header first, CRLF line ends (RFC 4180).
pub fn to_csv(leads: &[LeadSummary]) -> String {
    let mut out = String::new();
    let line =
        |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(&mut CSV_HEADER.iter().map(|h| quoted(h))));
    for lead in leads {
        out.push_str(&line(&mut row(lead).iter().map(|c| quoted(c))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(quoted("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx", " =1"] {
            assert!(quoted(risky).starts_with("\"'"), "{risky:?}");
        }
        assert_eq!(quoted("Ada"), "\"Ada\"");
        // The same rule as `export`: invisible characters a spreadsheet skips, and NULs.
        assert_eq!(quoted("\u{200b}=1+1"), "\"'\u{200b}=1+1\"");
        assert_eq!(quoted("\0=1+1"), "\"'=1+1\"");
        assert_eq!(quoted(""), "\"\"");
    }
}
