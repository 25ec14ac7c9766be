//! Stacked bars by week: one bar per week, one segment per series (campaign or lead source).

use maud::{html, Markup};

use crate::format::{capitalised, compact_number, grouped_number};
use crate::frame::{
    empty_figure, figure, num, short_label, week_label_step, Frame, LABEL_CHARS_AXIS,
};
use crate::palette::{series_class, OTHER_SERIES_NAME, PALETTE_SIZE};
use crate::scale::Axis;

/// One series: a count per week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    /// One value per week label; missing weeks count as zero.
    pub values: Vec<u64>,
}

/// A stacked weekly bar chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackedWeeklyChart {
    /// Unique on the page; becomes the figure's id.
    pub id: String,
    pub title: String,
    /// One sentence on what the chart shows, for screen readers (`<desc>`).
    pub description: String,
    /// What is counted, plural: `"leads"`.
    pub unit: String,
    /// One label per week, oldest first (e.g. `"2026-11-23"`).
    pub week_labels: Vec<String>,
    pub series: Vec<Series>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;

/// The series as charted: the largest first, and beyond the palette, the smallest folded into
/// one "Other" series. Values are padded or cut to one per week.
fn charted_series(chart: &StackedWeeklyChart) -> Vec<(Series, bool)> {
    let weeks = chart.week_labels.len();
    let mut series: Vec<Series> = chart
        .series
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            values: (0..weeks)
                .map(|week| s.values.get(week).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let total = |s: &Series| s.values.iter().map(|v| u128::from(*v)).sum::<u128>();
    series.sort_by_key(|s| std::cmp::Reverse(total(s)));
    if series.len() <= PALETTE_SIZE {
        return series.into_iter().map(|s| (s, false)).collect();
    }
    let folded = series.split_off(PALETTE_SIZE - 1);
    let other = Series {
        name: OTHER_SERIES_NAME.to_string(),
        values: (0..weeks)
            .map(|week| {
                folded
                    .iter()
                    .fold(0u64, |sum, s| sum.saturating_add(s.values[week]))
            })
            .collect(),
    };
    let mut charted: Vec<(Series, bool)> = series.into_iter().map(|s| (s, false)).collect();
    charted.push((other, true));
    charted
}

/// One drawn segment of a bar.
struct Segment {
    x: f64,
    y: f64,
    height: f64,
    class: String,
    tooltip: String,
}

/// The chart as a `<figure>`.
pub fn stacked_weekly_chart(chart: &StackedWeeklyChart) -> Markup {
    if chart.week_labels.is_empty() {
        return empty_figure(
            &chart.id,
            &chart.title,
            &format!("No weeks in this range, so no {} to show.", chart.unit),
        );
    }
    let series = charted_series(chart);
    let weeks = chart.week_labels.len();
    let week_totals: Vec<u128> = (0..weeks)
        .map(|week| series.iter().map(|(s, _)| u128::from(s.values[week])).sum())
        .collect();
    let highest = week_totals.iter().copied().max().unwrap_or(0);
    let axis = Axis::covering(0.0, highest as f64, true);
    let plot_bottom = HEIGHT - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / weeks as f64;
    let bar_width = (slot * 0.7).min(48.0);
    let label_every = week_label_step(&chart.week_labels, WIDTH - LEFT - RIGHT);
    let y = |value: f64| axis.position(value, plot_bottom, TOP);
    let middle = TOP + (plot_bottom - TOP) / 2.0;

    let mut segments = Vec::new();
    for (week, label) in chart.week_labels.iter().enumerate() {
        let x = LEFT + slot * week as f64 + (slot - bar_width) / 2.0;
        let mut below: u128 = 0;
        for (index, (series, is_other)) in series.iter().enumerate() {
            let value = series.values[week];
            if value == 0 {
                continue;
            }
            let top = below + u128::from(value);
            segments.push(Segment {
                x,
                y: y(top as f64),
                height: y(below as f64) - y(top as f64),
                class: series_class(index, *is_other),
                tooltip: format!(
                    "{}, week of {label}: {} {}",
                    series.name,
                    grouped_number(value.into()),
                    chart.unit
                ),
            });
            below = top;
        }
    }

    let body = html! {
        g class="lf-grid" {
            @for tick in &axis.ticks {
                line class="lf-gridline" x1=(num(LEFT)) x2=(num(WIDTH - RIGHT))
                    y1=(num(y(*tick))) y2=(num(y(*tick))) {}
                text class="lf-tick-label lf-anchor-end" x=(num(LEFT - 6.0)) y=(num(y(*tick) + 4.0)) {
                    (compact_number(*tick))
                }
            }
        }
        text class="lf-axis-label lf-anchor-middle" x="12" y=(num(middle))
            transform=(format!("rotate(-90 12 {})", num(middle))) {
            (capitalised(&chart.unit)) " per week"
        }
        g class="lf-bars" {
            @for segment in &segments {
                rect class=(format!("lf-bar {}", segment.class)) x=(num(segment.x)) y=(num(segment.y))
                    width=(num(bar_width)) height=(num(segment.height)) {
                    title { (segment.tooltip) }
                }
            }
        }
        line class="lf-axis" x1=(num(LEFT)) x2=(num(WIDTH - RIGHT))
            y1=(num(plot_bottom)) y2=(num(plot_bottom)) {}
        g class="lf-week-labels" {
            @for (week, label) in chart.week_labels.iter().enumerate() {
                @if week % label_every == 0 {
                    text class="lf-tick-label lf-anchor-middle"
                        x=(num(LEFT + slot * (week as f64 + 0.5))) y=(num(plot_bottom + 18.0)) {
                        (short_label(label, LABEL_CHARS_AXIS))
                    }
                }
            }
        }
        text class="lf-axis-label lf-anchor-middle" x=(num(LEFT + (WIDTH - LEFT - RIGHT) / 2.0))
            y=(num(HEIGHT - 6.0)) { "Week starting" }
        @if highest == 0 {
            text class="lf-chart-note lf-anchor-middle" x=(num(LEFT + (WIDTH - LEFT - RIGHT) / 2.0))
                y=(num(middle)) { "No " (chart.unit) " in these weeks" }
        }
    };
    let legend = html! {
        ul class="lf-legend" {
            @for (index, (series, is_other)) in series.iter().enumerate() {
                li {
                    span class=(format!("lf-swatch {}", series_class(index, *is_other))) aria-hidden="true" {}
                    span class="lf-legend-name" title=(series.name) { (series.name) }
                }
            }
        }
    };
    let table = html! {
        table class="lf-chart-table" {
            thead {
                tr {
                    th scope="col" { "Week starting" }
                    @for (series, _) in &series { th scope="col" { (series.name) } }
                    th scope="col" { "Total" }
                }
            }
            tbody {
                @for (week, label) in chart.week_labels.iter().enumerate() {
                    tr {
                        th scope="row" { (label) }
                        @for (series, _) in &series {
                            td { (grouped_number(series.values[week].into())) }
                        }
                        td { (grouped_number(week_totals[week] as i128)) }
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
        height: HEIGHT,
        wide: true,
        body,
        legend: (!series.is_empty()).then_some(legend),
        table,
    })
}
