//! Series colours, by class name (the colours themselves are in charts.css).
//!
//! The hues are Okabe and Ito's colour-blind-safe set, darkened where needed so that every colour
//! has at least 3:1 contrast against the white background (WCAG 1.4.11); stacked segments are also
//! separated by a white gap, so neighbours never rely on colour difference alone.

/// How many distinct series colours there are; a chart with more series shows the largest
/// `PALETTE_SIZE - 1` and folds the rest into [`OTHER_SERIES_NAME`].
pub const PALETTE_SIZE: usize = 8;

/// The name of the series that collects the smaller series.
pub const OTHER_SERIES_NAME: &str = "Other";

/// The class of the `index`-th series; the folded "Other" series is always grey.
pub(crate) fn series_class(index: usize, is_other: bool) -> String {
    if is_other {
        "lf-series-other".to_string()
    } else {
        format!("lf-series-{}", index % (PALETTE_SIZE - 1))
    }
}
