//! `/console/`: the overview for a date range and optionally one form (issue 9), with the
//! engagement trend from scoring (issue 10 §6). Parse the range → read the store's figures → render
//! one section per figure ([`super::overview_sections`]).

use crate::auth::CurrentUser;
use crate::error::ConsoleError;
use crate::layout::{page, Section};
use crate::overview_range::{OverviewParams, OverviewRange};
use crate::state::ConsoleState;
use axum::extract::{Query, State};
use leadform_store::{DeliveryFilter, DeliveryRecord, ReportError};
use maud::{html, Markup};

use super::overview_sections as sections;

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    Query(params): Query<OverviewParams>,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let now = state.now_ms();
    let range = params.range(now, &state.forms)?;
    let query = range.to_query(now, &state.forms);
    let overview = state.store.overview(&query).await.map_err(report_error)?;
    let engagement = state
        .store
        .engagement_trend(&overview.weeks)
        .await
        .map_err(report_error)?;
    // Dead deliveries are listed (with a retry button each) only for admins, who may retry them.
    let dead: Vec<DeliveryRecord> = if current.is_admin() {
        state
            .store
            .list_deliveries(DeliveryFilter::Status(leadform_store::DeliveryStatus::Dead))
            .await
            .map_err(|e| ConsoleError::Store(e.into()))?
            .into_iter()
            .filter(|d| range.form_id.as_ref().is_none_or(|form| &d.form_id == form))
            .collect()
    } else {
        Vec::new()
    };
    let week_labels: Vec<String> = overview
        .weeks
        .iter()
        .map(|w| w.start_date.clone())
        .collect();
    Ok(page(
        "Overview",
        Section::Overview,
        &current,
        html! {
            h1 { "Overview" }
            (range_form(&range, &state))
            (sections::volume(&overview, &week_labels))
            (sections::funnels(&overview))
            (sections::speed_to_lead(&overview.speed_to_lead, &state))
            (sections::engagement(&week_labels, &engagement))
            (sections::delivery_health(&overview.delivery_health, &dead, &current))
            (sections::spam_share(&overview.spam_share_by_form))
        },
    ))
}

fn report_error(error: ReportError) -> ConsoleError {
    match error {
        ReportError::Store(store) => ConsoleError::Store(store.into()),
        refused => ConsoleError::BadRequest(refused.to_string()),
    }
}

fn range_form(range: &OverviewRange, state: &ConsoleState) -> Markup {
    html! {
        form.filters method="get" action="/console/" aria-label="Overview range" {
            div.field {
                label for="o-from" { "From" }
                input #o-from type="date" name="from" value=(range.from_date);
            }
            div.field {
                label for="o-to" { "To" }
                input #o-to type="date" name="to" value=(range.to_date);
            }
            div.field {
                label for="o-form" { "Form" }
                select #o-form name="form" {
                    option value="" selected[range.form_id.is_none()] { "Every form" }
                    @for (id, form) in state.forms.iter() {
                        option value=(id) selected[range.form_id.as_deref() == Some(id.as_str())] {
                            (form.title) " (" (id) ")"
                        }
                    }
                }
            }
            div.actions {
                button.primary type="submit" { "Show" }
                a href="/console/" { "Last 8 weeks" }
            }
        }
    }
}
