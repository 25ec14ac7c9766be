//! `leadform-intake export`: every stored lead, oldest first, as CSV or JSON.
//!
//! CSV is for spreadsheets: every cell is quoted and any cell a spreadsheet could run as a formula
//! gets a leading `'` ([`crate::csv_cell`]). JSON is for programs and keeps values unchanged.

use leadform_core::attribution::AttributionTouch;
// The attribution values exported for the first and the last touch, in this order.
use crate::csv_cell::{csv_cell, csv_writer};
use leadform_core::attribution::TOUCH_VALUES as TOUCH_COLUMNS;
use leadform_store::StoredLead;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the JSON failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// The lead columns every row has, before the form fields.
const LEAD_COLUMNS: [&str; 12] = [
    "id",
    "received_at",
    "form_id",
    "submission_id",
    "intent",
    "person_id",
    "first_for_person",
    "is_spam",
    "lead_source",
    "campaign_id",
    "email",
    // Set on a tombstone: the lead's values were erased then (`forget`, retention).
    "erased_at",
];

pub fn write_json(leads: &[StoredLead], out: impl Write) -> Result<(), ExportError> {
    let rows: Vec<Value> = leads
        .iter()
        .map(|stored| {
            let lead = &stored.lead;
            json!({
                "id": stored.id,
                "received_at": stored.received_at,
                "form_id": stored.form_id,
                "submission_id": stored.submission_id,
                "intent": stored.intent,
                "person_id": stored.person_id,
                "first_for_person": stored.first_for_person,
                "is_spam": stored.is_spam,
                "lead_source": lead.hidden.lead_source,
                "campaign_id": lead.hidden.campaign_id,
                "email": stored.email,
                "erased_at": stored.erased_at,
                "fields": lead.fields,
                "hidden": lead.hidden,
                "attribution": lead.attribution,
                "page_url": lead.page_url,
                "page_title": lead.page_title,
                "referrer": lead.referrer,
                "submitted_at": lead.submitted_at,
                "locale": lead.locale,
                "consent": lead.consent,
                "visitor_id": lead.visitor_id,
            })
        })
        .collect();
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &rows)?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn write_csv(leads: &[StoredLead], out: impl Write) -> Result<(), ExportError> {
    let field_names: BTreeSet<&str> = leads
        .iter()
        .flat_map(|stored| stored.lead.fields.keys().map(String::as_str))
        .collect();
    let mut header: Vec<String> = LEAD_COLUMNS.iter().map(|c| c.to_string()).collect();
    // A form field named like a lead column (often `email`) gets a prefix so headers stay unique.
    header.extend(field_names.iter().map(|name| {
        if LEAD_COLUMNS.contains(name) || matches!(*name, "page_url" | "referrer") {
            format!("field_{name}")
        } else {
            (*name).to_owned()
        }
    }));
    for touch in ["first_touch", "last_touch"] {
        header.extend(TOUCH_COLUMNS.iter().map(|c| format!("{touch}_{c}")));
    }
    header.extend(["page_url".to_owned(), "referrer".to_owned()]);

    let mut writer = csv_writer(out);
    writer.write_record(header.iter().map(|h| csv_cell(h)))?;
    for stored in leads {
        let lead = &stored.lead;
        let mut row: Vec<String> = vec![
            stored.id.to_string(),
            stored.received_at.clone(),
            stored.form_id.clone(),
            stored.submission_id.clone(),
            stored.intent.to_string(),
            stored.person_id.map(|p| p.to_string()).unwrap_or_default(),
            stored.first_for_person.to_string(),
            stored.is_spam.to_string(),
            lead.hidden.lead_source.clone().unwrap_or_default(),
            lead.hidden.campaign_id.clone().unwrap_or_default(),
            stored.email.clone().unwrap_or_default(),
            stored.erased_at.clone().unwrap_or_default(),
        ];
        row.extend(
            field_names
                .iter()
                .map(|name| lead.fields.get(*name).cloned().unwrap_or_default()),
        );
        let attribution = lead.attribution.clone().unwrap_or_default();
        for touch in [&attribution.first_touch, &attribution.last_touch] {
            row.extend(touch_values(touch.as_ref()));
        }
        row.push(lead.page_url.clone());
        row.push(lead.referrer.clone());
        writer.write_record(row.iter().map(|cell| csv_cell(cell)))?;
    }
    writer.flush()?;
    Ok(())
}

fn touch_values(touch: Option<&AttributionTouch>) -> Vec<String> {
    TOUCH_COLUMNS
        .iter()
        .map(|name| {
            touch
                .and_then(|t| t.value(name))
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}
