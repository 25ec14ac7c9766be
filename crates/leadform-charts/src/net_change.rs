//! Weekly net change as bars (up for gains, down for losses) with the 4-week moving average as a
//! line: the score velocity charts of issue 10.

use maud::{html, Markup};

use crate::format::{compact_number, grouped_number};
use crate::frame::{
    empty_figure, figure, num, short_label, week_label_step, Frame, LABEL_CHARS_AXIS,
};
use crate::scale::Axis;

/// A weekly net change chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetChangeChart {
    /// Unique on the page; becomes the figure's id.
    pub id: String,
    pub title: String,
    /// One sentence on what the chart shows, for screen readers (`<desc>`).
    pub description: String,
    /// What changes, plural: `"points"`.
    pub unit: String,
    /// One label per week, oldest first.
    pub week_labels: Vec<String>,
    /// The net change of each week; missing weeks count as zero.
    pub changes: Vec<i64>,
}

/// The weeks the moving average spans.
const AVERAGE_WEEKS: usize = 4;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;

/// The trailing mean of each full `window` of weeks; `None` for the first `window - 1` weeks,
/// where a shorter average would overstate a single week.
pub fn moving_average(values: &[i64], window: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|end| {
            let start = (end + 1).checked_sub(window)?;
            let sum: f64 = values[start..=end].iter().map(|v| *v as f64).sum();
            Some(sum / window as f64)
        })
        .collect()
}

/// The chart as a `<figure>`.
pub fn net_change_chart(chart: &NetChangeChart) -> Markup {
    if chart.week_labels.is_empty() {
        return empty_figure(
            &chart.id,
            &chart.title,
            &format!(
                "No weeks in this range, so no change in {} to show.",
                chart.unit
            ),
        );
    }
    let weeks = chart.week_labels.len();
    let changes: Vec<i64> = (0..weeks)
        .map(|week| chart.changes.get(week).copied().unwrap_or(0))
        .collect();
    let averages = moving_average(&changes, AVERAGE_WEEKS);
    let low = changes.iter().copied().min().unwrap_or(0) as f64;
    let high = changes.iter().copied().max().unwrap_or(0) as f64;
    let axis = Axis::covering(low, high, true);
    let plot_bottom = HEIGHT - BOTTOM;
    let y = |value: f64| axis.position(value, plot_bottom, TOP);
    let zero = y(0.0);
    let slot = (WIDTH - LEFT - RIGHT) / weeks as f64;
    let bar_width = (slot * 0.7).min(48.0);
    let centre = |week: usize| LEFT + slot * (week as f64 + 0.5);
    let label_every = week_label_step(&chart.week_labels, WIDTH - LEFT - RIGHT);
    let middle = TOP + (plot_bottom - TOP) / 2.0;
    let trend: Vec<String> = averages
        .iter()
        .enumerate()
        .filter_map(|(week, average)| {
            average.map(|average| format!("{},{}", num(centre(week)), num(y(average))))
        })
        .collect();

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
            "Net change in " (chart.unit)
        }
        g class="lf-bars" {
            @for (week, change) in changes.iter().enumerate() {
                @if *change != 0 {
                    @let end = y(*change as f64);
                    rect class=(if *change > 0 { "lf-bar lf-bar-gain" } else { "lf-bar lf-bar-loss" })
                        x=(num(centre(week) - bar_width / 2.0)) y=(num(end.min(zero)))
                        width=(num(bar_width)) height=(num((end - zero).abs())) {
                        title {
                            "Week of " (chart.week_labels[week]) ": "
                            (signed(*change)) " " (chart.unit)
                        }
                    }
                }
            }
        }
        line class="lf-axis" x1=(num(LEFT)) x2=(num(WIDTH - RIGHT)) y1=(num(zero)) y2=(num(zero)) {}
        @if trend.len() > 1 {
            polyline class="lf-trend-line" points=(trend.join(" ")) {}
        }
        @for (week, average) in averages.iter().enumerate() {
            @if let Some(average) = average {
                circle class="lf-trend-point" cx=(num(centre(week))) cy=(num(y(*average))) r="3" {}
            }
        }
        g class="lf-week-labels" {
            @for (week, label) in chart.week_labels.iter().enumerate() {
                @if week % label_every == 0 {
                    text class="lf-tick-label lf-anchor-middle" x=(num(centre(week)))
                        y=(num(plot_bottom + 18.0)) { (short_label(label, LABEL_CHARS_AXIS)) }
                }
            }
        }
        text class="lf-axis-label lf-anchor-middle" x=(num(LEFT + (WIDTH - LEFT - RIGHT) / 2.0))
            y=(num(HEIGHT - 6.0)) { "Week starting" }
    };
    let legend = html! {
        ul class="lf-legend" {
            li { span class="lf-swatch lf-bar-gain" aria-hidden="true" {} "Weekly gain" }
            li { span class="lf-swatch lf-bar-loss" aria-hidden="true" {} "Weekly loss" }
            li { span class="lf-swatch lf-swatch-line" aria-hidden="true" {} "4-week moving average" }
        }
    };
    let table = html! {
        table class="lf-chart-table" {
            thead {
                tr {
                    th scope="col" { "Week starting" }
                    th scope="col" { "Net change (" (chart.unit) ")" }
                    th scope="col" { "4-week moving average" }
                }
            }
            tbody {
                @for (week, label) in chart.week_labels.iter().enumerate() {
                    tr {
                        th scope="row" { (label) }
                        td { (signed(changes[week])) }
                        td {
                            @match averages[week] {
                                Some(average) => (format!("{average:.2}")),
                                None => "not enough weeks yet",
                            }
                        }
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
        legend: Some(legend),
        table,
    })
}

/// `+12`, `-3`, `0`: a change reads better with its sign.
fn signed(change: i64) -> String {
    let grouped = grouped_number(change.into());
    if change > 0 {
        format!("+{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moving_average_starts_at_the_fourth_week() {
        assert_eq!(
            moving_average(&[4, 8, 0, 4, 12], 4),
            [None, None, None, Some(4.0), Some(6.0)]
        );
        assert_eq!(moving_average(&[], 4), []);
        assert_eq!(
            moving_average(&[-4, -4, -4, -8], 4),
            [None, None, None, Some(-5.0)]
        );
    }
}
