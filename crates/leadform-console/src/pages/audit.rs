//! `/console/audit` (admins): logins, failed logins, status changes, spam marks, retried
//! deliveries and user changes, newest first, paged by id.

use crate::auth::AdminUser;
use crate::error::ConsoleError;
use crate::layout::{page, short_time, Section};
use crate::state::ConsoleState;
use axum::extract::{Query, State};
use leadform_store::AuditAction;
use maud::html;
use serde::Deserialize;

const AUDIT_PAGE_SIZE: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Show entries older than this id.
    before: Option<i64>,
}

pub async fn show(
    State(state): State<ConsoleState>,
    AdminUser(current): AdminUser,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let Query(query) = query
        .map_err(|e| ConsoleError::BadRequest(format!("`before` must be an entry id: {e}")))?;
    let entries = state.store.audit_log(query.before, AUDIT_PAGE_SIZE).await?;
    let older = (entries.len() == AUDIT_PAGE_SIZE as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(page(
        "Audit log",
        Section::Audit,
        &current,
        html! {
            h1 { "Audit log" }
            @if entries.is_empty() {
                p.muted { "Nothing recorded yet." }
            } @else {
                div.table-wrap { table.audit {
                    caption.visually-hidden { "Audit log, newest first" }
                    thead { tr {
                        th scope="col" { "When" } th scope="col" { "Who" }
                        th scope="col" { "What" } th scope="col" { "Lead" } th scope="col" { "Detail" }
                    } }
                    tbody { @for entry in &entries { tr {
                        td.nowrap { (short_time(&entry.at)) }
                        td { @if entry.actor.is_empty() { span.muted { "(not logged in)" } } @else { (entry.actor) } }
                        td { (AuditAction::label(&entry.action)) }
                        td { @if let Some(lead) = entry.lead_id { a href={ "/console/leads/" (lead) } { (lead) } } @else { "—" } }
                        td.break { (entry.detail) }
                    } } }
                } }
            }
            @if let Some(older) = older {
                nav.pager aria-label="Pages" { a href={ "/console/audit?before=" (older) } { "Older entries →" } }
            }
        },
    ))
}
