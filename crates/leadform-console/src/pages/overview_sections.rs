//! The overview's sections, one function per figure: pure functions from the store's numbers to
//! markup. Every chart comes from `leadform-charts` and keeps its table for screen readers.

use crate::auth::CurrentUser;
use crate::state::ConsoleState;
use leadform_charts::{
    funnel_chart, grouped_number, net_change_chart, percent, stacked_weekly_chart, FunnelChart,
    FunnelStage, NetChangeChart, Series, StackedWeeklyChart,
};
use leadform_store::reports::{DestinationHealth, FormSpamShare, SpeedToLead, WeeklySeries};
use leadform_store::{DeliveryRecord, Overview};
use maud::{html, Markup};

/// Dead deliveries listed with a retry button; the rest are counted.
const DEAD_LISTED: usize = 50;
const NO_VALUE: &str = "(none)";

fn series(weekly: &[WeeklySeries]) -> Vec<Series> {
    weekly
        .iter()
        .map(|s| Series {
            name: s.name.clone().unwrap_or_else(|| NO_VALUE.to_owned()),
            values: s.counts.clone(),
        })
        .collect()
}

/// `95 min` → `1 h 35 min`; `50 h` → `2 d 2 h`.
pub fn duration(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} d {hours} h"),
    }
}

fn rate(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "–".to_owned(), percent)
}

pub fn volume(overview: &Overview, week_labels: &[String]) -> Markup {
    let total: u64 = overview.leads_by_lead_source.iter().map(|s| s.total).sum();
    let split = &overview.intent_split;
    let campaigns = StackedWeeklyChart {
        id: "by-campaign".into(),
        title: "Leads per week by campaign".into(),
        description: "Stacked bars, one per week, one segment per campaign; spam left out.".into(),
        unit: "leads".into(),
        week_labels: week_labels.to_vec(),
        series: series(&overview.leads_by_campaign),
    };
    let sources = StackedWeeklyChart {
        id: "by-source".into(),
        title: "Leads per week by lead source".into(),
        description: "Stacked bars, one per week, one segment per lead source; spam left out."
            .into(),
        unit: "leads".into(),
        week_labels: week_labels.to_vec(),
        series: series(&overview.leads_by_lead_source),
    };
    html! {
        div.cards {
            div.card { span.figure #total-leads { (grouped_number(total.into())) } span.caption { "leads in the range (not spam)" } }
            div.card { span.figure #contact-requests { (grouped_number(split.contact_requests.into())) } span.caption { "contact requests" } }
            div.card { span.figure #content-downloads { (grouped_number(split.content_downloads.into())) } span.caption { "content downloads" } }
        }
        section.report aria-labelledby="volume-h" {
            h2 #volume-h { "Leads per week" }
            (stacked_weekly_chart(&campaigns))
            (stacked_weekly_chart(&sources))
        }
    }
}

pub fn funnels(overview: &Overview) -> Markup {
    html! {
        section.report aria-labelledby="funnel-h" {
            h2 #funnel-h { "Funnel by lead source" }
            @if overview.funnel_by_lead_source.is_empty() {
                p.muted { "No leads in this range." }
            } @else {
                div.table-wrap { table #funnel-table {
                    caption.visually-hidden { "Leads reaching each stage, by lead source, with conversion rates" }
                    thead { tr {
                        th scope="col" { "Lead source" } th scope="col" { "Open" } th scope="col" { "Contacted" }
                        th scope="col" { "Qualified" } th scope="col" { "Converted" } th scope="col" { "Closed" }
                        th scope="col" { "Open → contacted" } th scope="col" { "Contacted → qualified" }
                        th scope="col" { "Qualified → converted" } th scope="col" { "Overall" }
                    } }
                    tbody { @for funnel in &overview.funnel_by_lead_source { tr {
                        th scope="row" { (funnel.lead_source.as_deref().unwrap_or(NO_VALUE)) }
                        @for reached in funnel.reached { td { (grouped_number(reached.into())) } }
                        td { (grouped_number(funnel.closed.into())) }
                        @for step in funnel.step_rates { td { (rate(step)) } }
                        td { (rate(funnel.overall_rate)) }
                    } } }
                } }
                div.chart-grid {
                    @for (index, funnel) in overview.funnel_by_lead_source.iter().enumerate() {
                        @let source = funnel.lead_source.as_deref().unwrap_or(NO_VALUE);
                        (funnel_chart(&FunnelChart {
                            id: format!("funnel-{index}"),
                            title: format!("Funnel: {source}"),
                            description: format!("{source} leads that reached each stage."),
                            unit: "leads".into(),
                            stages: ["Open", "Contacted", "Qualified", "Converted"]
                                .iter()
                                .zip(funnel.reached)
                                .map(|(label, count)| FunnelStage { label: (*label).into(), count })
                                .collect(),
                        }))
                    }
                }
            }
        }
    }
}

pub fn speed_to_lead(speed: &SpeedToLead, state: &ConsoleState) -> Markup {
    let judged = speed.answered_within_target + speed.missed_target;
    html! {
        section.report aria-labelledby="speed-h" {
            h2 #speed-h { "Speed to lead" }
            p.muted { "Contact requests only: time from received to first contacted. Content downloads go to nurture and are left out." }
            div.cards {
                div.card { span.figure #speed-median { (speed.median_ms.map_or_else(|| "–".to_owned(), duration)) } span.caption { "median time to contact" } }
                div.card { span.figure #speed-p90 { (speed.p90_ms.map_or_else(|| "–".to_owned(), duration)) } span.caption { "90th percentile" } }
                div.card { span.figure #speed-within { (rate(speed.share_within_target)) }
                    span.caption { "within the form's response target (" (speed.answered_within_target) " of " (judged) ")" } }
                div.card.warn[speed.overdue_total > 0] { span.figure #speed-overdue { (speed.overdue_total) } span.caption { "open past their response target" } }
            }
            h3 #overdue-h { "Contact requests past their response target" }
            @if speed.overdue.is_empty() {
                p.muted { "None: every open contact request is still within its form's response target." }
            } @else {
                div.table-wrap { table {
                    caption.visually-hidden { "Open contact requests past the response target, oldest first" }
                    thead { tr {
                        th scope="col" { "Received" } th scope="col" { "Email" }
                        th scope="col" { "Form" } th scope="col" { "Lead source" } th scope="col" { "Waiting" }
                    } }
                    tbody { @for lead in &speed.overdue { tr {
                        td.nowrap { (crate::layout::short_time(&leadform_core::time::rfc3339_from_ms(lead.received_at_ms))) }
                        td.break { a href={ "/console/leads/" (lead.lead_id) } { (lead.email.as_deref().unwrap_or("(no email)")) } }
                        td { (state.forms.get(&lead.form_id).map_or(lead.form_id.as_str(), |f| f.title.as_str())) }
                        td { (lead.lead_source.as_deref().unwrap_or(NO_VALUE)) }
                        td.nowrap { (lead.waiting_ms / 3_600_000) " h (target " (lead.target_ms / 3_600_000) " h)" }
                    } } }
                } }
                @if speed.overdue_total > speed.overdue.len() as u64 {
                    p.muted { "The oldest " (speed.overdue.len()) " of " (speed.overdue_total) " are listed." }
                }
            }
        }
    }
}

pub fn engagement(week_labels: &[String], changes: &[i64]) -> Markup {
    html! {
        section.report aria-labelledby="engagement-h" {
            h2 #engagement-h { "Engagement trend" }
            (net_change_chart(&NetChangeChart {
                id: "engagement".into(),
                title: "Weekly score change across everyone".into(),
                description: "Bars: the sum of every person's weekly score change; line: its 4-week moving average.".into(),
                unit: "points".into(),
                week_labels: week_labels.to_vec(),
                changes: changes.to_vec(),
            }))
        }
    }
}

pub fn delivery_health(
    health: &[DestinationHealth],
    dead: &[DeliveryRecord],
    current: &CurrentUser,
) -> Markup {
    html! {
        section.report aria-labelledby="delivery-h" {
            h2 #delivery-h { "Delivery health" }
            @if health.is_empty() {
                p.muted { "Every delivery has been delivered." }
            } @else {
                div.table-wrap { table #delivery-table {
                    caption.visually-hidden { "Undelivered deliveries by destination" }
                    thead { tr {
                        th scope="col" { "Destination" } th scope="col" { "Pending" }
                        th scope="col" { "Of which retrying" } th scope="col" { "Dead" }
                    } }
                    tbody { @for row in health { tr {
                        th scope="row" .break { (row.destination_kind) " " span.muted { (row.destination_key) } }
                        td { (row.pending) } td { (row.retrying) }
                        td.delivery-dead[row.dead > 0] { (row.dead) }
                    } } }
                } }
            }
            @if current.is_admin() && !dead.is_empty() {
                h3 #dead-h { "Dead deliveries" }
                div.table-wrap { table {
                    caption.visually-hidden { "Dead deliveries, oldest first, each with a retry button" }
                    thead { tr {
                        th scope="col" { "Lead" } th scope="col" { "Destination" }
                        th scope="col" { "Last error" } th scope="col" { "Retry" }
                    } }
                    tbody { @for delivery in dead.iter().take(DEAD_LISTED) { tr {
                        td { a href={ "/console/leads/" (delivery.lead_id) } { "Lead " (delivery.lead_id) } }
                        td.break { (delivery.destination_kind) " " span.muted { (delivery.destination_key) } }
                        td.break { (delivery.last_error.as_deref().unwrap_or("–")) }
                        td { form method="post" action={ "/console/deliveries/" (delivery.id) "/retry" } {
                            input type="hidden" name="csrf_token" value=(current.csrf_token);
                            button type="submit" aria-label={ "Retry delivery " (delivery.id) } { "Retry" }
                        } }
                    } } }
                } }
                @if dead.len() > DEAD_LISTED {
                    p.muted { "The oldest " (DEAD_LISTED) " of " (dead.len()) " are listed; `leadform-intake outbox retry --dead` replays them all." }
                }
            }
        }
    }
}

pub fn spam_share(shares: &[FormSpamShare]) -> Markup {
    html! {
        section.report aria-labelledby="spam-h" {
            h2 #spam-h { "Spam share by form" }
            @if shares.is_empty() {
                p.muted { "No submissions in this range." }
            } @else {
                div.table-wrap { table #spam-table {
                    caption.visually-hidden { "Submissions and spam by form" }
                    thead { tr {
                        th scope="col" { "Form" } th scope="col" { "Submissions" }
                        th scope="col" { "Spam" } th scope="col" { "Share" }
                    } }
                    tbody { @for share in shares { tr {
                        th scope="row" { (share.form_id) }
                        td { (grouped_number(share.leads.into())) }
                        td { (grouped_number(share.spam.into())) }
                        td { (percent(share.share)) }
                    } } }
                } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_in_the_largest_useful_units() {
        assert_eq!(duration(45 * 60_000), "45 min");
        assert_eq!(duration(95 * 60_000), "1 h 35 min");
        assert_eq!(duration(50 * 3_600_000), "2 d 2 h");
        assert_eq!(duration(-5), "0 min");
    }
}
