//! `/console/leads/{id}`: one lead with everything known about it, the person's other leads, its
//! deliveries, and the forms that work it (status, owner, spam; retry for admins).

use crate::auth::{AdminUser, CsrfChecked, CurrentUser};
use crate::error::ConsoleError;
use crate::layout::{page, short_time, Section};
use crate::pages::leads::intent_label;
use crate::state::ConsoleState;
use axum::extract::{Path, State};
use axum::response::Redirect;
use leadform_core::{AttributionTouch, FieldDefinition, FieldKind};
use leadform_store::{ClosedReason, ConsoleUser, LeadDetail, LeadStatus, NewDelivery};
use maud::{html, Markup};
use serde::Deserialize;

fn lead_id(raw: &str) -> Result<i64, ConsoleError> {
    raw.parse()
        .map_err(|_| ConsoleError::NotFound(format!("There is no lead {raw:?}.")))
}

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    Path(raw_id): Path<String>,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let id = lead_id(&raw_id)?;
    let detail = state
        .store
        .lead_detail(id)
        .await?
        .ok_or_else(|| ConsoleError::NotFound(format!("There is no lead {id}.")))?;
    let users = state.store.list_users().await?;
    let score = person_score(&state, detail.summary.person_id).await?;
    let title = match (detail.summary.display_name(), &detail.summary.email) {
        (name, _) if !name.is_empty() => name,
        (_, Some(email)) => email.clone(),
        _ => format!("Lead {id}"),
    };
    Ok(page(
        &title,
        Section::Leads,
        &current,
        html! {
            p.crumbs { a href="/console/leads" { "← All leads" } }
            div.page-head {
                h1 { (title) }
                span class={ "badge status-" (detail.summary.status.as_str()) } { (detail.summary.status.label()) }
                @if detail.summary.is_spam { span.badge.spam { "spam" } }
            }
            div.columns {
                div.main-column {
                    (values_section(&state, &detail))
                    (person_section(&state, &detail))
                    @if let Some((figures, snapshots)) = &score {
                        (crate::pages::lead_score::score_section(figures, snapshots))
                    }
                    (deliveries_section(&current, &detail))
                    (history_section(&detail))
                }
                aside.side-column aria-label="Work this lead" {
                    (status_form(&current, &detail))
                    (owner_form(&current, &detail, &users))
                    (spam_form(&current, &detail))
                }
            }
        },
    ))
}

/// The person's score figures now and their weekly snapshots; `None` for a lead without a person
/// or a person never scored.
async fn person_score(
    state: &ConsoleState,
    person_id: Option<i64>,
) -> Result<
    Option<(
        crate::person_scores::PersonScoreFigures,
        Vec<leadform_store::StoredSnapshot>,
    )>,
    ConsoleError,
> {
    let store_error = |e: leadform_store::StoreError| ConsoleError::Store(e.into());
    let Some(person_id) = person_id else {
        return Ok(None);
    };
    let Some(log) = state
        .store
        .person_score_log(person_id)
        .await
        .map_err(store_error)?
        .filter(|log| !log.rows.is_empty())
    else {
        return Ok(None);
    };
    let rules = state
        .store
        .saved_scoring_rules()
        .await
        .map_err(store_error)?
        .unwrap_or_default();
    let snapshots = state
        .store
        .score_snapshots(person_id)
        .await
        .map_err(store_error)?;
    Ok(Some((
        crate::person_scores::figures(&rules, log, state.now_ms()),
        snapshots,
    )))
}

fn touch_text(touch: Option<&AttributionTouch>) -> String {
    let Some(touch) = touch else {
        return "—".to_owned();
    };
    let parts: Vec<String> = [
        ("source", &touch.utm_source),
        ("medium", &touch.utm_medium),
        ("campaign", &touch.utm_campaign),
        ("content", &touch.utm_content),
        ("term", &touch.utm_term),
    ]
    .iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}: {v}")))
    .collect();
    if parts.is_empty() {
        touch
            .landing_page
            .clone()
            .unwrap_or_else(|| "direct".to_owned())
    } else {
        parts.join(", ")
    }
}

fn values_section(state: &ConsoleState, detail: &LeadDetail) -> Markup {
    let lead = &detail.summary.lead;
    let form = state.forms.get(&detail.summary.form_id);
    let label_of = |name: &str| {
        form.and_then(|f| f.field(name))
            .map_or(name.to_owned(), |f| f.label.clone())
    };
    let is_hidden = |name: &str| {
        form.and_then(|f| f.field(name))
            .is_some_and(|f| !f.is_visible())
    };
    // In the form's order (as the visitor saw them), then anything the form no longer has.
    let mut ordered_fields: Vec<(&String, &String)> = lead.fields.iter().collect();
    ordered_fields.sort_by_key(|(name, _)| {
        form.and_then(|f| f.fields.iter().position(|field| &field.name == *name))
            .unwrap_or(usize::MAX)
    });
    let attribution = lead.attribution.as_ref();
    html! {
        section aria-labelledby="values-h" {
            h2 #values-h { "What they sent" }
            dl.values {
                @for (name, value) in &ordered_fields {
                    dt { (label_of(name)) @if is_hidden(name) { " " span.muted { "(hidden)" } } }
                    dd.break { (shown_value(form.and_then(|f| f.field(name)), value)) }
                }
                dt { "Consent" } dd { @if lead.consent { "Given" } @else { "Not given" } }
            }
            h2 { "Where it came from" }
            dl.values {
                dt { "Received" } dd { (short_time(&detail.summary.received_at)) }
                dt { "Form" } dd { (form.map_or(detail.summary.form_id.as_str(), |f| f.title.as_str())) " · " (intent_label(detail.summary.intent)) }
                dt { "Campaign id" } dd { (detail.summary.campaign_id.as_deref().unwrap_or("—")) }
                dt { "Lead source" } dd { (detail.summary.lead_source.as_deref().unwrap_or("—")) }
                dt { "Page" } dd.break { (lead.page_url) }
                @if !lead.referrer.is_empty() { dt { "Referrer" } dd.break { (lead.referrer) } }
                dt { "Locale" } dd { @if lead.locale.is_empty() { "—" } @else { (lead.locale) } }
                dt { "First touch" } dd { (touch_text(attribution.and_then(|a| a.first_touch.as_ref()))) }
                dt { "Last touch" } dd { (touch_text(attribution.and_then(|a| a.last_touch.as_ref()))) }
            }
        }
    }
}

/// A value as the visitor chose it: a select's option label rather than its stored value, and a
/// checkbox as Yes or No. Values the form no longer offers are shown as stored.
fn shown_value<'a>(field: Option<&'a FieldDefinition>, value: &'a str) -> &'a str {
    let Some(field) = field else { return value };
    match field.kind {
        FieldKind::Select => field
            .options
            .iter()
            .find(|option| option.value == value)
            .map_or(value, |option| option.label.as_str()),
        FieldKind::Checkbox => match value {
            "true" => "Yes",
            "false" => "No",
            other => other,
        },
        _ => value,
    }
}

fn person_section(state: &ConsoleState, detail: &LeadDetail) -> Markup {
    // The form's title says what the person did ("Get the eBook"); its id is for machines.
    let form_title = |form_id: &str| {
        state
            .forms
            .get(form_id)
            .map_or(form_id.to_owned(), |form| form.title.clone())
    };
    let count = detail.person_leads.len();
    let position = detail
        .person_leads
        .iter()
        .position(|l| l.id == detail.summary.id)
        .map_or(0, |p| p + 1);
    html! {
        section aria-labelledby="person-h" {
            h2 #person-h { "The person" }
            @if count <= 1 {
                p.muted { "No other leads from this person." }
            } @else {
                p.highlight { "Lead " (position) " of " (count) " from " (detail.summary.email.as_deref().unwrap_or("this person")) "." }
                ol.person-leads {
                    @for lead in &detail.person_leads {
                        li {
                            @if lead.id == detail.summary.id {
                                strong { (short_time(&lead.received_at)) " · " (form_title(&lead.form_id)) " (this lead)" }
                            } @else {
                                a href={ "/console/leads/" (lead.id) } { (short_time(&lead.received_at)) " · " (form_title(&lead.form_id)) }
                                " · " (lead.status.label())
                            }
                        }
                    }
                }
            }
        }
    }
}

fn deliveries_section(current: &CurrentUser, detail: &LeadDetail) -> Markup {
    html! {
        section aria-labelledby="deliveries-h" {
            h2 #deliveries-h { "Deliveries" }
            @if detail.deliveries.is_empty() {
                p.muted { "None." @if detail.summary.is_spam { " Spam is not delivered." } }
            } @else {
                div.table-wrap { table {
                    thead { tr { th scope="col" { "Destination" } th scope="col" { "State" } th scope="col" { "Attempts" } th scope="col" { "Detail" } } }
                    tbody { @for delivery in &detail.deliveries { tr {
                        td { (delivery.destination_kind) " · " (delivery.event) br; span.muted.break { (delivery.destination_key) } }
                        td { span class={ "badge delivery-" (delivery.status) } { (delivery.status.as_str().replace('_', " ")) } }
                        td { (delivery.attempts) }
                        td.break {
                            @if let Some(at) = &delivery.delivered_at { "Delivered " (short_time(at)) }
                            @if let Some(error) = &delivery.last_error { (error) }
                            @if delivery.status == leadform_store::DeliveryStatus::Dead && current.is_admin() {
                                form.inline method="post" action={ "/console/deliveries/" (delivery.id) "/retry" } {
                                    input type="hidden" name="csrf_token" value=(current.csrf_token);
                                    button type="submit" { "Retry" }
                                }
                            }
                        }
                    } } }
                } }
            }
        }
    }
}

fn history_section(detail: &LeadDetail) -> Markup {
    html! {
        section aria-labelledby="history-h" {
            h2 #history-h { "Status history" }
            @if detail.history.is_empty() {
                p.muted { "Open since it arrived." }
            } @else {
                ol.history {
                    @for change in &detail.history {
                        li {
                            (short_time(&change.changed_at)) " · " strong { (change.changed_by) } " · "
                            (change.from_status) " → " (change.to_status)
                            @if let Some(reason) = change.closed_reason.as_deref().and_then(ClosedReason::parse) {
                                " (" (reason.label()) ")"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_form(current: &CurrentUser, detail: &LeadDetail) -> Markup {
    let status = detail.summary.status;
    let reason = detail.summary.closed_reason;
    html! {
        form.panel method="post" action={ "/console/leads/" (detail.summary.id) "/status" } {
            h2 { "Status" }
            input type="hidden" name="csrf_token" value=(current.csrf_token);
            label for="status" { "Status" }
            select #status name="status" {
                @for option in LeadStatus::ALL {
                    @if option == status { option value=(option.as_str()) selected { (option.label()) } }
                    @else { option value=(option.as_str()) { (option.label()) } }
                }
            }
            label for="reason" { "Reason (when closed)" }
            select #reason name="reason" {
                option value="" { "—" }
                @for option in ClosedReason::ALL {
                    @if Some(option) == reason { option value=(option.as_str()) selected { (option.label()) } }
                    @else { option value=(option.as_str()) { (option.label()) } }
                }
            }
            button.primary type="submit" { "Save status" }
        }
    }
}

fn owner_form(current: &CurrentUser, detail: &LeadDetail, users: &[ConsoleUser]) -> Markup {
    let owner = detail.summary.owner_user_id;
    html! {
        form.panel method="post" action={ "/console/leads/" (detail.summary.id) "/owner" } {
            h2 { "Owner" }
            input type="hidden" name="csrf_token" value=(current.csrf_token);
            label for="owner" { "Assigned to" }
            select #owner name="owner" {
                option value="" { "Nobody" }
                @for user in users {
                    @if Some(user.id) == owner { option value=(user.id) selected { (user.name) } }
                    @else { option value=(user.id) { (user.name) } }
                }
            }
            button type="submit" { "Assign" }
        }
    }
}

fn spam_form(current: &CurrentUser, detail: &LeadDetail) -> Markup {
    html! {
        form.panel method="post" action={ "/console/leads/" (detail.summary.id) "/spam" } {
            h2 { "Spam" }
            input type="hidden" name="csrf_token" value=(current.csrf_token);
            @if detail.summary.is_spam {
                input type="hidden" name="spam" value="no";
                p.muted { "Marked as spam: not delivered." }
                button type="submit" { "Not spam: deliver it" }
            } @else {
                input type="hidden" name="spam" value="yes";
                p.muted { "Pending deliveries are cancelled." }
                button.danger type="submit" { "Mark as spam" }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn change_status(
    State(state): State<ConsoleState>,
    Path(raw_id): Path<String>,
    CsrfChecked(current, form): CsrfChecked<StatusForm>,
) -> Result<Redirect, ConsoleError> {
    let id = lead_id(&raw_id)?;
    let status = LeadStatus::parse(&form.status).ok_or_else(|| {
        ConsoleError::BadRequest(format!(
            "status {:?} is not one of open, contacted, qualified, converted, closed",
            form.status
        ))
    })?;
    let reason = match form.reason.as_str() {
        // The reason select keeps its value when the status changes back; only closed uses it.
        _ if status != LeadStatus::Closed => None,
        "" => None,
        text => Some(ClosedReason::parse(text).ok_or_else(|| {
            ConsoleError::BadRequest(format!(
                "reason {text:?} is not one of not_interested, student_or_researcher, not_our_market, duplicate"
            ))
        })?),
    };
    state
        .store
        .change_lead_status(id, status, reason, &current.user.name, state.now_ms())
        .await?;
    Ok(Redirect::to(&format!("/console/leads/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct OwnerForm {
    #[serde(default)]
    owner: String,
}

pub async fn assign_owner(
    State(state): State<ConsoleState>,
    Path(raw_id): Path<String>,
    CsrfChecked(current, form): CsrfChecked<OwnerForm>,
) -> Result<Redirect, ConsoleError> {
    let id = lead_id(&raw_id)?;
    let owner =
        match form.owner.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| {
                ConsoleError::BadRequest(format!("owner {text:?} is not a user id"))
            })?),
        };
    state
        .store
        .assign_lead_owner(id, owner, &current.user.name, state.now_ms())
        .await?;
    Ok(Redirect::to(&format!("/console/leads/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct SpamForm {
    #[serde(default)]
    spam: String,
}

pub async fn mark_spam(
    State(state): State<ConsoleState>,
    Path(raw_id): Path<String>,
    CsrfChecked(current, form): CsrfChecked<SpamForm>,
) -> Result<Redirect, ConsoleError> {
    let id = lead_id(&raw_id)?;
    let now = state.now_ms();
    match form.spam.as_str() {
        "yes" => {
            state
                .store
                .mark_lead_spam(id, &current.user.name, now)
                .await?;
        }
        "no" => {
            let detail = state
                .store
                .lead_detail(id)
                .await?
                .ok_or_else(|| ConsoleError::NotFound(format!("There is no lead {id}.")))?;
            // The form's destinations as they are now, like a lead arriving now.
            let deliveries: Vec<NewDelivery> = state
                .forms
                .get(&detail.summary.form_id)
                .map(|form| {
                    form.destinations
                        .iter()
                        .enumerate()
                        .filter(|(_, destination)| {
                            destination.subscribes_to(leadform_core::definition::LeadEvent::Created)
                        })
                        .map(|(index, destination)| {
                            NewDelivery::for_destination(index, destination)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let queued = state
                .store
                .mark_lead_not_spam(id, &deliveries, &current.user.name, now)
                .await?;
            if queued > 0 {
                state.deliveries_due.notify_one();
            }
        }
        other => {
            return Err(ConsoleError::BadRequest(format!(
                "spam {other:?} is not yes or no"
            )))
        }
    }
    Ok(Redirect::to(&format!("/console/leads/{id}")))
}

#[derive(Debug, Deserialize)]
pub struct RetryForm {}

pub async fn retry_delivery(
    State(state): State<ConsoleState>,
    admin: AdminUser,
    Path(raw_id): Path<String>,
    CsrfChecked(current, RetryForm {}): CsrfChecked<RetryForm>,
) -> Result<Redirect, ConsoleError> {
    let _ = admin;
    let id: i64 = raw_id
        .parse()
        .map_err(|_| ConsoleError::NotFound(format!("There is no delivery {raw_id:?}.")))?;
    let lead = state
        .store
        .retry_delivery_as(id, &current.user.name, state.now_ms())
        .await?;
    state.deliveries_due.notify_one();
    Ok(Redirect::to(&format!("/console/leads/{lead}")))
}
