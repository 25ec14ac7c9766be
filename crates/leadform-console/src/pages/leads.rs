//! `/console/leads`: every lead, newest first, paged and filtered by query parameters, and
//! `/console/leads.csv`: exactly that view as a file.

use crate::auth::CurrentUser;
use crate::csv_export::to_csv;
use crate::error::ConsoleError;
use crate::layout::{page, short_time, Section};
use crate::lead_filters::{LeadsQuery, PAGE_SIZE};
use crate::state::ConsoleState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use leadform_store::{LeadStatus, LeadSummary};
use maud::{html, Markup};

/// The CSV holds at most this many leads; a bigger view is refused with a message to narrow it.
const CSV_MAX_ROWS: u32 = 100_000;

fn query_of(
    raw: Result<Query<LeadsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<LeadsQuery, ConsoleError> {
    raw.map(|Query(q)| q)
        .map_err(|e| ConsoleError::BadRequest(format!("the filters are unreadable: {e}")))
}

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    query: Result<Query<LeadsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let query = query_of(query)?;
    let filter = query.to_filter(current.user.id, state.now_ms())?;
    let page_number = query.page_number();
    let offset = u64::from(page_number - 1) * u64::from(PAGE_SIZE);
    let found = state.store.list_leads(&filter, offset, PAGE_SIZE).await?;
    let pages = found.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let first_shown = if found.leads.is_empty() {
        0
    } else {
        offset + 1
    };
    let last_shown = offset + found.leads.len() as u64;
    let csv_link = format!("/console/leads.csv?{}", query.query_string(None));
    Ok(page(
        "Leads",
        Section::Leads,
        &current,
        html! {
            div.page-head {
                h1 { "Leads" }
                a.button href=(csv_link) download { "Download CSV" }
            }
            (filter_form(&state, &query))
            p.count role="status" {
                @if found.total == 0 {
                    "No leads match."
                } @else {
                    (first_shown) "–" (last_shown) " of " (found.total) " leads"
                }
            }
            @if !found.leads.is_empty() {
                div.table-wrap {
                    table.leads {
                        caption.visually-hidden { "Leads, newest first" }
                        thead { tr {
                            th scope="col" { "Received" }
                            th scope="col" { "Person" }
                            th scope="col" { "Form" }
                            th scope="col" { "Campaign" }
                            th scope="col" { "Lead source" }
                            th scope="col" { "Status" }
                            th scope="col" { "Owner" }
                        } }
                        tbody {
                            @for lead in &found.leads { (lead_row(&state, lead)) }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label="Pages" {
                    @if page_number > 1 {
                        a rel="prev" href={ "/console/leads?" (query.query_string(Some(page_number - 1))) } { "← Newer" }
                    }
                    span { "Page " (page_number) " of " (pages) }
                    @if u64::from(page_number) < pages {
                        a rel="next" href={ "/console/leads?" (query.query_string(Some(page_number + 1))) } { "Older →" }
                    }
                }
            }
        },
    ))
}

fn lead_row(state: &ConsoleState, lead: &LeadSummary) -> Markup {
    let name = lead.display_name();
    let form_title = state
        .forms
        .get(&lead.form_id)
        .map_or(lead.form_id.as_str(), |f| f.title.as_str());
    html! {
        tr {
            td.nowrap { (short_time(&lead.received_at)) }
            td {
                a href={ "/console/leads/" (lead.id) } {
                    @if name.is_empty() { (lead.email.as_deref().unwrap_or("(no email)")) } @else { (name) }
                }
                @if !name.is_empty() { br; span.muted { (lead.email.as_deref().unwrap_or("")) } }
                @if lead.is_spam { " " span.badge.spam { "spam" } }
            }
            td { (form_title) br; span.muted { (intent_label(&lead.intent)) } }
            td { (lead.campaign_id.as_deref().unwrap_or("—")) }
            td { (lead.lead_source.as_deref().unwrap_or("—")) }
            td { span class={ "badge status-" (lead.status.as_str()) } { (lead.status.label()) } }
            td { (lead.owner_name.as_deref().unwrap_or("—")) }
        }
    }
}

pub fn intent_label(intent: &str) -> &str {
    match intent {
        "contact_request" => "Contact request",
        "content_download" => "Content download",
        other => other,
    }
}

fn filter_form(state: &ConsoleState, query: &LeadsQuery) -> Markup {
    let option = |value: &str, label: &str, current: &str| {
        html! {
            @if value == current { option value=(value) selected { (label) } }
            @else { option value=(value) { (label) } }
        }
    };
    html! {
        form.filters method="get" action="/console/leads" role="search" aria-label="Filter leads" {
            div.field {
                label for="f-q" { "Email or name" }
                input #f-q type="search" name="q" value=(query.q);
            }
            div.field {
                label for="f-form" { "Form" }
                select #f-form name="form" {
                    (option("", "Any form", &query.form))
                    @for (id, form) in state.forms.iter() { (option(id, &form.title, &query.form)) }
                }
            }
            div.field {
                label for="f-intent" { "Intent" }
                select #f-intent name="intent" {
                    (option("", "Any", &query.intent))
                    (option("contact_request", "Contact request", &query.intent))
                    (option("content_download", "Content download", &query.intent))
                }
            }
            div.field {
                label for="f-status" { "Status" }
                select #f-status name="status" {
                    (option("", "Any", &query.status))
                    @for status in LeadStatus::ALL { (option(status.as_str(), status.label(), &query.status)) }
                }
            }
            div.field {
                label for="f-campaign" { "Campaign id" }
                input #f-campaign type="text" name="campaign_id" value=(query.campaign_id);
            }
            div.field {
                label for="f-source" { "Lead source" }
                input #f-source type="text" name="lead_source" value=(query.lead_source);
            }
            div.field {
                label for="f-from" { "Received from" }
                input #f-from type="date" name="from" value=(query.from);
            }
            div.field {
                label for="f-to" { "Received to" }
                input #f-to type="date" name="to" value=(query.to);
            }
            div.field {
                label for="f-spam" { "Spam" }
                select #f-spam name="spam" {
                    (option("", "Hide spam", &query.spam))
                    (option("yes", "Only spam", &query.spam))
                    (option("any", "Spam and not spam", &query.spam))
                }
            }
            div.field {
                label for="f-min-score" { "Score at least" }
                input #f-min-score type="number" step="1" name="min_score" value=(query.min_score);
            }
            div.field {
                label for="f-min-velocity" { "Points this week at least" }
                input #f-min-velocity type="number" step="1" name="min_velocity" value=(query.min_velocity);
            }
            div.field.check {
                @if query.mine == "1" { input #f-mine type="checkbox" name="mine" value="1" checked; }
                @else { input #f-mine type="checkbox" name="mine" value="1"; }
                label for="f-mine" { "Only mine" }
            }
            div.actions {
                button.primary type="submit" { "Filter" }
                @if query.is_filtered() { a href="/console/leads" { "Clear filters" } }
            }
        }
    }
}

pub async fn download_csv(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    query: Result<Query<LeadsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ConsoleError> {
    let query = query_of(query)?;
    let filter = query.to_filter(current.user.id, state.now_ms())?;
    let found = state.store.list_leads(&filter, 0, CSV_MAX_ROWS).await?;
    if found.total > u64::from(CSV_MAX_ROWS) {
        return Err(ConsoleError::BadRequest(format!(
            "this view has {} leads; the CSV holds at most {CSV_MAX_ROWS}: narrow the filters (for example by date), or use `leadform-intake export`",
            found.total
        )));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"leads.csv\"",
            ),
        ],
        to_csv(&found.leads),
    )
        .into_response())
}
