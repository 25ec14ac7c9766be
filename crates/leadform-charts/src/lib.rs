//! The console's charts (issues 9 and 10): pure functions from numbers to maud [`Markup`].
//!
//! Each chart is a `<figure>` holding an SVG with `role="img"`, a `<title>` and a `<desc>`, axis
//! labels and ticks, and the same numbers as a `<table>` inside a `<details>` for screen readers
//! and for anyone who wants the figures. Nothing carries a `style` attribute: colours and sizes
//! come from class names styled by [`CHARTS_CSS`], which the console serves as a file, so the
//! pages keep a CSP of `style-src 'self'`.

mod format;
mod frame;
mod funnel;
mod net_change;
mod palette;
mod scale;
mod stacked_weekly;

pub use format::{compact_number, grouped_number, percent};
pub use funnel::{funnel_chart, FunnelChart, FunnelStage};
pub use maud::Markup;
pub use net_change::{moving_average, net_change_chart, NetChangeChart};
pub use palette::{OTHER_SERIES_NAME, PALETTE_SIZE};
pub use stacked_weekly::{stacked_weekly_chart, Series, StackedWeeklyChart};

/// The charts' stylesheet: serve it as a file (e.g. `/console/charts.css`) and link it.
pub const CHARTS_CSS: &str = include_str!("charts.css");
