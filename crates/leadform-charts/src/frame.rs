//! What every chart shares: the figure, the SVG root with its title and description, the data
//! table, ids, labels and coordinates.

use maud::{html, Markup};

/// Axis labels longer than this are cut with an ellipsis.
pub(crate) const LABEL_CHARS_AXIS: usize = 14;

/// The parts of one chart's figure.
pub(crate) struct Frame<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub width: f64,
    pub height: f64,
    /// The chart may scroll sideways on a narrow screen rather than shrink its text.
    pub wide: bool,
    pub body: Markup,
    pub legend: Option<Markup>,
    pub table: Markup,
}

/// The `<figure>`: caption, SVG, legend, and the numbers in a `<details>`.
pub(crate) fn figure(frame: Frame<'_>) -> Markup {
    let base = element_id(frame.id);
    let title_id = format!("{base}-title");
    let desc_id = format!("{base}-desc");
    let svg = html! {
        svg xmlns="http://www.w3.org/2000/svg"
            class=(if frame.wide { "lf-chart-svg" } else { "lf-chart-svg lf-chart-svg-compact" })
            viewBox=(format!("0 0 {} {}", num(frame.width), num(frame.height)))
            role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (frame.title) }
            desc id=(desc_id) { (frame.description) }
            (frame.body)
        }
    };
    html! {
        figure class="lf-chart" id=(base) {
            figcaption class="lf-chart-title" { (frame.title) }
            @if frame.wide {
                // Focusable, so keyboard users can scroll it when it is wider than the screen.
                div class="lf-chart-scroll" tabindex="0" role="region"
                    aria-label=(format!("{} (scrolls sideways)", frame.title)) { (svg) }
            } @else {
                (svg)
            }
            @if let Some(legend) = frame.legend { (legend) }
            (numbers(frame.title, frame.table))
        }
    }
}

/// The figure for a chart with nothing to draw: the title and a sentence saying so.
pub(crate) fn empty_figure(id: &str, title: &str, message: &str) -> Markup {
    html! {
        figure class="lf-chart lf-chart-empty" id=(element_id(id)) {
            figcaption class="lf-chart-title" { (title) }
            p class="lf-chart-empty-message" { (message) }
        }
    }
}

fn numbers(title: &str, table: Markup) -> Markup {
    html! {
        details class="lf-chart-data" {
            summary { "Numbers behind “" (title) "”" }
            (table)
        }
    }
}

/// `lf-chart-` and the caller's id reduced to lowercase letters, digits and `-`, so it is safe as
/// an element id and in `aria-labelledby`.
pub(crate) fn element_id(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("lf-chart-{cleaned}")
}

/// A label cut to `max_chars` characters with an ellipsis; the table keeps the whole label.
pub(crate) fn short_label(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        return label.to_string();
    }
    let mut short: String = label.chars().take(max_chars.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Label every n-th week so that week labels (about 7 units a character at 12 px, cut to
/// [`LABEL_CHARS_AXIS`]) never touch; the table has every week.
pub(crate) fn week_label_step(labels: &[String], plot_width: f64) -> usize {
    let longest = labels
        .iter()
        .map(|l| l.chars().count().min(LABEL_CHARS_AXIS))
        .max()
        .unwrap_or(1);
    let fits = (plot_width / (7.0 * longest as f64 + 12.0))
        .floor()
        .max(1.0) as usize;
    labels.len().div_ceil(fits).max(1)
}

/// A coordinate with at most one decimal.
pub(crate) fn num(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(String::from).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_only_safe_characters() {
        assert_eq!(
            element_id("Leads by Campaign"),
            "lf-chart-leads-by-campaign"
        );
        assert_eq!(element_id("a\"><script>"), "lf-chart-a---script-");
    }

    #[test]
    fn week_labels_thin_out_before_they_touch() {
        let dates: Vec<String> = (0..8).map(|w| format!("2026-11-{w:02}")).collect();
        assert_eq!(week_label_step(&dates, 572.0), 2);
        assert_eq!(week_label_step(&dates[..4], 572.0), 1);
        let short: Vec<String> = (0..52).map(|w| format!("W{w}")).collect();
        assert_eq!(week_label_step(&short, 572.0), 4);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(short_label("Website", 14), "Website");
        assert_eq!(
            short_label("Partner webinar series Q4", 14),
            "Partner webin…"
        );
    }
}
