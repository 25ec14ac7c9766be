//! `/console/`: how many leads there are, and the contact requests past their form's response
//! target and still open, oldest first. (The reports and charts are added beside these.)

use crate::auth::CurrentUser;
use crate::error::ConsoleError;
use crate::layout::{page, short_time, Section};
use crate::state::ConsoleState;
use axum::extract::State;
use leadform_store::LeadFilter;
use maud::html;

/// How many open contact requests the overview considers (oldest first).
const OPEN_REQUESTS_SCANNED: u32 = 500;
const HOUR_MS: i64 = 60 * 60 * 1000;

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let now = state.now_ms();
    let total = state
        .store
        .list_leads(&LeadFilter::default(), 0, 0)
        .await?
        .total;
    let open_contact = LeadFilter {
        intent: Some("contact_request".into()),
        status: Some(leadform_store::LeadStatus::Open),
        ..LeadFilter::default()
    };
    let open_total = state.store.list_leads(&open_contact, 0, 0).await?.total;
    let overdue: Vec<_> = state
        .store
        .open_contact_requests(OPEN_REQUESTS_SCANNED)
        .await?
        .into_iter()
        .filter_map(|lead| {
            let target_hours = state
                .forms
                .get(&lead.form_id)
                .map_or(24, |f| f.response_target_hours);
            let waited_ms = now - lead.received_at_ms;
            (waited_ms > i64::from(target_hours) * HOUR_MS).then_some((
                lead,
                waited_ms,
                target_hours,
            ))
        })
        .collect();
    Ok(page(
        "Overview",
        Section::Overview,
        &current,
        html! {
            h1 { "Overview" }
            div.cards {
                a.card href="/console/leads" {
                    span.figure { (total) }
                    span.caption { "leads (not spam)" }
                }
                a.card href="/console/leads?intent=contact_request&status=open" {
                    span.figure { (open_total) }
                    span.caption { "open contact requests" }
                }
                div.card.warn[!overdue.is_empty()] {
                    span.figure { (overdue.len()) }
                    span.caption { "past their response target" }
                }
            }
            section aria-labelledby="overdue-h" {
                h2 #overdue-h { "Contact requests past their response target" }
                @if overdue.is_empty() {
                    p.muted { "None: every open contact request is still within its form's response target." }
                } @else {
                    div.table-wrap { table {
                        caption.visually-hidden { "Open contact requests past the response target, oldest first" }
                        thead { tr {
                            th scope="col" { "Received" } th scope="col" { "Person" }
                            th scope="col" { "Form" } th scope="col" { "Waiting" } th scope="col" { "Owner" }
                        } }
                        tbody { @for (lead, waited_ms, target) in &overdue { tr {
                            td.nowrap { (short_time(&lead.received_at)) }
                            td { a href={ "/console/leads/" (lead.id) } {
                                @let name = lead.display_name();
                                @if name.is_empty() { (lead.email.as_deref().unwrap_or("(no email)")) } @else { (name) }
                            } }
                            td { (lead.form_id) }
                            td { (waited_ms / HOUR_MS) " h (target " (target) " h)" }
                            td { (lead.owner_name.as_deref().unwrap_or("—")) }
                        } } }
                    } }
                }
            }
        },
    ))
}
