//! The lead page's score section: the person's current score, fit, engagement and velocity, and
//! their score over time as weekly net changes (bars) with the 4-week moving average (line).

use crate::person_scores::PersonScoreFigures;
use leadform_charts::{net_change_chart, NetChangeChart};
use leadform_store::StoredSnapshot;
use maud::{html, Markup};

pub fn score_section(figures: &PersonScoreFigures, snapshots: &[StoredSnapshot]) -> Markup {
    let week_labels: Vec<String> = snapshots
        .iter()
        .map(|s| leadform_core::time::rfc3339_from_ms(s.week_start_ms)[..10].to_owned())
        .collect();
    html! {
        section aria-labelledby="score-h" {
            h2 #score-h { "Score" }
            dl.values #score-figures {
                dt { "Score" } dd #score-now { (figures.score) }
                dt { "Fit" } dd { (figures.fit) }
                dt { "Engagement" } dd { (figures.engagement) }
                dt { "This week" } dd #velocity-now { @if figures.velocity > 0 { "+" } (figures.velocity) }
                dt { "4-week average" } dd { (format!("{:.1}", figures.velocity_avg4)) " a week" }
                dt { "MQL" } dd { @match (figures.mql_at_ms, figures.weeks_to_mql) {
                    (Some(at), _) => { "since " (crate::layout::short_time(&leadform_core::time::rfc3339_from_ms(at))) }
                    (None, Some(weeks)) => { "in about " (weeks) " week(s) at this pace" }
                    (None, None) => { "not on course yet" }
                } }
            }
            @if snapshots.is_empty() {
                p.muted { "No complete week scored yet: the weekly chart starts after the first week ends." }
            } @else {
                (net_change_chart(&NetChangeChart {
                    id: "score-trend".into(),
                    title: "Score change per week".into(),
                    description: "Bars: the person's net score change each complete week; line: its 4-week moving average.".into(),
                    unit: "points".into(),
                    week_labels: week_labels.clone(),
                    changes: snapshots.iter().map(|s| s.change).collect(),
                }))
                details {
                    summary { "Score at the end of each week" }
                    div.table-wrap { table #score-history {
                        thead { tr {
                            th scope="col" { "Week of" } th scope="col" { "Score" }
                            th scope="col" { "Fit" } th scope="col" { "Engagement" } th scope="col" { "Change" }
                        } }
                        tbody { @for (label, snapshot) in week_labels.iter().zip(snapshots) { tr {
                            th scope="row" { (label) }
                            td { (snapshot.score) } td { (snapshot.fit) } td { (snapshot.engagement) }
                            td { @if snapshot.change > 0 { "+" } (snapshot.change) }
                        } } }
                    } }
                }
            }
        }
    }
}
