//! `/console/scores`: who is rising, who is cooling and who is about to cross the MQL threshold,
//! each linking to the person's latest lead (issue 10 §6). `rising_min` sets the rising threshold.

use crate::auth::CurrentUser;
use crate::error::ConsoleError;
use crate::layout::{page, Section};
use crate::person_scores::{
    figures, score_lists, PersonScoreFigures, ABOUT_TO_CROSS_WEEKS, DEFAULT_RISING_MIN,
};
use crate::state::ConsoleState;
use axum::extract::{Query, State};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
pub struct ScoresParams {
    #[serde(default)]
    pub rising_min: String,
}

impl ScoresParams {
    fn rising_min(&self) -> Result<i64, ConsoleError> {
        match self.rising_min.trim() {
            "" => Ok(DEFAULT_RISING_MIN),
            given => given.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConsoleError::BadRequest(format!(
                    "`rising_min` must be a whole number of points above 0, not {given:?}"
                ))
            }),
        }
    }
}

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    Query(params): Query<ScoresParams>,
) -> Result<axum::response::Html<String>, ConsoleError> {
    let rising_min = params.rising_min()?;
    let now = state.now_ms();
    let store_error = |e: leadform_store::StoreError| ConsoleError::Store(e.into());
    // The rules `serve` last loaded (the forms' scoring), so the page agrees with `scores`.
    let rules = state
        .store
        .saved_scoring_rules()
        .await
        .map_err(store_error)?
        .unwrap_or_default();
    let everyone: Vec<PersonScoreFigures> = state
        .store
        .score_logs()
        .await
        .map_err(store_error)?
        .into_iter()
        .filter(|log| !log.rows.is_empty())
        .map(|log| figures(&rules, log, now))
        .collect();
    let latest_lead = state
        .store
        .latest_lead_by_person()
        .await
        .map_err(store_error)?;
    let lists = score_lists(&everyone, rising_min);
    Ok(page(
        "Scores",
        Section::Scores,
        &current,
        html! {
            h1 { "Scores" }
            form.filters method="get" action="/console/scores" aria-label="Rising threshold" {
                div.field {
                    label for="s-rising" { "Rising: at least this many points this week" }
                    input #s-rising type="number" min="1" name="rising_min" value=(rising_min);
                }
                div.actions { button.primary type="submit" { "Show" } }
            }
            (score_list("rising", "Rising",
                &format!("Gained at least {rising_min} points this week (threshold {rising_min}; the default is {DEFAULT_RISING_MIN})."),
                &lists.rising, &latest_lead))
            (score_list("cooling", "Cooling", "Lost points this week.", &lists.cooling, &latest_lead))
            (score_list("about-to-cross", "About to cross MQL",
                &format!("At most {ABOUT_TO_CROSS_WEEKS} weeks from the MQL threshold ({}) at their 4-week pace.", rules.mql_threshold),
                &lists.about_to_cross, &latest_lead))
        },
    ))
}

fn score_list(
    id: &str,
    title: &str,
    explanation: &str,
    people: &[PersonScoreFigures],
    latest_lead: &BTreeMap<i64, i64>,
) -> Markup {
    html! {
        section.report aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (title) " " span.muted { "(" (people.len()) ")" } }
            p.muted { (explanation) }
            @if people.is_empty() {
                p.muted { "Nobody right now." }
            } @else {
                div.table-wrap { table id=(id) {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { "Person" } th scope="col" { "Score" }
                        th scope="col" { "This week" } th scope="col" { "4-week average" }
                        th scope="col" { "Weeks to MQL" }
                    } }
                    tbody { @for person in people { tr {
                        td.break {
                            @match latest_lead.get(&person.person_id) {
                                Some(lead) => a href={ "/console/leads/" (lead) } { (person.email) },
                                None => (person.email),
                            }
                        }
                        td { (person.score) }
                        td { @if person.velocity > 0 { "+" } (person.velocity) }
                        td { (format!("{:.1}", person.velocity_avg4)) }
                        td { @match (person.mql_at_ms, person.weeks_to_mql) {
                            (Some(_), _) => "already MQL",
                            (None, Some(weeks)) => (weeks),
                            (None, None) => "–",
                        } }
                    } } }
                } }
            }
        }
    }
}
