//! A horizontal funnel: one bar per stage, with the share kept from the stage before.

use maud::{html, Markup};

use crate::format::{capitalised, compact_number, grouped_number, percent};
use crate::frame::{empty_figure, figure, num, short_label, Frame};

/// One stage of a funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelStage {
    pub label: String,
    pub count: u64,
}

/// A funnel chart, stages in order (e.g. open → contacted → qualified → converted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelChart {
    /// Unique on the page; becomes the figure's id.
    pub id: String,
    pub title: String,
    /// One sentence on what the chart shows, for screen readers (`<desc>`).
    pub description: String,
    /// What is counted, plural: `"leads"`.
    pub unit: String,
    pub stages: Vec<FunnelStage>,
}

const WIDTH: f64 = 420.0;
const ROW: f64 = 50.0;
const TOP: f64 = 8.0;
const LABEL_WIDTH: f64 = 130.0;
const BAR_MAX: f64 = 210.0;
const LABEL_CHARS: usize = 15;

/// `part / whole` as a percentage, or a dash where the stage before had nobody.
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        percent(part as f64 / whole as f64)
    }
}

/// The chart as a `<figure>`.
pub fn funnel_chart(chart: &FunnelChart) -> Markup {
    if chart.stages.is_empty() {
        return empty_figure(&chart.id, &chart.title, "No stages to show.");
    }
    let widest = chart.stages.iter().map(|s| s.count).max().unwrap_or(0);
    let height = TOP * 2.0 + ROW * chart.stages.len() as f64;
    let first = chart.stages[0].count;
    let body = html! {
        @for (index, stage) in chart.stages.iter().enumerate() {
            @let top = TOP + ROW * index as f64;
            @let width = if widest == 0 { 0.0 } else { BAR_MAX * stage.count as f64 / widest as f64 };
            g class="lf-funnel-stage" {
                text class="lf-funnel-label" x="0" y=(num(top + 20.0)) {
                    (short_label(&stage.label, LABEL_CHARS))
                }
                @if index > 0 {
                    text class="lf-funnel-rate" x="0" y=(num(top + 38.0)) {
                        (share(stage.count, chart.stages[index - 1].count)) " of previous"
                    }
                }
                rect class="lf-bar lf-funnel-bar" x=(num(LABEL_WIDTH)) y=(num(top + 6.0))
                    width=(num(width.max(1.0))) height="30" {
                    title { (stage.label) ": " (grouped_number(stage.count.into())) " " (chart.unit) }
                }
                text class="lf-funnel-value" x=(num(LABEL_WIDTH + width.max(1.0) + 6.0)) y=(num(top + 26.0)) {
                    (compact_number(stage.count as f64))
                }
            }
        }
    };
    let table = html! {
        table class="lf-chart-table" {
            thead {
                tr {
                    th scope="col" { "Stage" }
                    th scope="col" { (capitalised(&chart.unit)) }
                    th scope="col" { "Share of the stage before" }
                    th scope="col" { "Share of the first stage" }
                }
            }
            tbody {
                @for (index, stage) in chart.stages.iter().enumerate() {
                    tr {
                        th scope="row" { (stage.label) }
                        td { (grouped_number(stage.count.into())) }
                        td {
                            @if index == 0 { "–" } @else {
                                (share(stage.count, chart.stages[index - 1].count))
                            }
                        }
                        td { (share(stage.count, first)) }
                    }
                }
            }
        }
    };
    figure(Frame {
        id: &chart.id,
        title: &chart.title,
        description: &chart.description,
        width: WIDTH,
        height,
        wide: false,
        body,
        legend: None,
        table,
    })
}
