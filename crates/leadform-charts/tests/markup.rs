//! The charts' markup, parsed back: titles present, the table's numbers equal the input, no
//! inline styles, and every class it uses styled by charts.css.

use leadform_charts::{
    funnel_chart, net_change_chart, stacked_weekly_chart, FunnelChart, FunnelStage, Markup,
    NetChangeChart, Series, StackedWeeklyChart, CHARTS_CSS, OTHER_SERIES_NAME,
};
use roxmltree::{Document, Node};

fn parse(markup: &Markup) -> String {
    // One root element, so the fragment is an XML document.
    format!("<root>{}</root>", markup.0)
}

fn elements<'a>(doc: &'a Document<'a>, name: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == name)
        .collect()
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

/// The table's body as rows of cell texts, the row header first.
fn table_rows(doc: &Document) -> Vec<Vec<String>> {
    let tbody = elements(doc, "tbody");
    assert_eq!(tbody.len(), 1, "one data table");
    tbody[0]
        .children()
        .filter(|n| n.is_element())
        .map(|tr| {
            tr.children()
                .filter(|n| n.is_element())
                .map(text_of)
                .collect()
        })
        .collect()
}

fn table_header(doc: &Document) -> Vec<String> {
    let thead = elements(doc, "thead");
    thead[0]
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "th")
        .map(text_of)
        .collect()
}

/// `"1,234"` → 1234.
fn number(cell: &str) -> i128 {
    cell.replace([',', '+'], "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {cell:?}"))
}

/// What every chart must have: an SVG with role img, a title and a desc it is labelled by, and
/// no style attribute or element anywhere.
fn check_accessible_and_unstyled(doc: &Document, title: &str, description: &str) {
    let svgs = elements(doc, "svg");
    assert_eq!(svgs.len(), 1);
    let svg = svgs[0];
    assert_eq!(svg.attribute("role"), Some("img"));
    let first_title = svg
        .children()
        .find(|n| n.is_element())
        .expect("svg has children");
    assert_eq!(
        first_title.tag_name().name(),
        "title",
        "the title comes first"
    );
    assert_eq!(text_of(first_title), title);
    let desc = svg
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "desc")
        .expect("a desc");
    assert_eq!(text_of(desc), description);
    let labelled_by = svg.attribute("aria-labelledby").expect("aria-labelledby");
    for id in labelled_by.split(' ') {
        assert!(
            doc.descendants().any(|n| n.attribute("id") == Some(id)),
            "{id} exists"
        );
    }
    assert!(elements(doc, "style").is_empty(), "no <style>");
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            node.attribute("style").is_none(),
            "style attribute on <{}>",
            node.tag_name().name()
        );
    }
    assert!(!elements(doc, "figcaption").is_empty());
    assert!(
        !elements(doc, "details").is_empty(),
        "the numbers sit in a <details>"
    );
}

/// Classes that only group elements and need no style.
const STRUCTURAL_CLASSES: [&str; 6] = [
    "lf-grid",
    "lf-bars",
    "lf-bar-stack",
    "lf-week-labels",
    "lf-funnel-stage",
    "lf-chart-empty",
];

fn check_classes_are_styled(doc: &Document) {
    for node in doc.descendants().filter(|n| n.is_element()) {
        for class in node.attribute("class").unwrap_or("").split_whitespace() {
            if STRUCTURAL_CLASSES.contains(&class) {
                continue;
            }
            let selector = format!(".{class}");
            let styled = CHARTS_CSS.match_indices(&selector).any(|(at, _)| {
                let next = CHARTS_CSS[at + selector.len()..].chars().next();
                !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            assert!(styled, "charts.css styles .{class}");
        }
    }
}

fn weekly(series: Vec<Series>, weeks: usize) -> StackedWeeklyChart {
    StackedWeeklyChart {
        id: "by-campaign".into(),
        title: "Leads per week by campaign".into(),
        description: "Stacked bars: one bar per week, one segment per campaign.".into(),
        unit: "leads".into(),
        week_labels: (0..weeks)
            .map(|w| format!("2026-11-{:02}", 2 + 7 * w))
            .collect(),
        series,
    }
}

fn series(name: &str, values: &[u64]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
    }
}

#[test]
fn stacked_bars_show_the_same_numbers_in_their_table() {
    let chart = weekly(
        vec![
            series("701A", &[3, 0, 12, 1]),
            series("701B", &[5, 0, 1, 0]),
        ],
        4,
    );
    let xml = parse(&stacked_weekly_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    check_accessible_and_unstyled(&doc, &chart.title, &chart.description);
    check_classes_are_styled(&doc);
    assert_eq!(
        table_header(&doc),
        ["Week starting", "701A", "701B", "Total"],
        "largest series first"
    );
    let rows = table_rows(&doc);
    assert_eq!(rows.len(), 4, "every week, the empty one included");
    for (week, row) in rows.iter().enumerate() {
        assert_eq!(row[0], chart.week_labels[week]);
        let a = i128::from(chart.series[0].values[week]);
        let b = i128::from(chart.series[1].values[week]);
        assert_eq!(
            row[1..].iter().map(|c| number(c)).collect::<Vec<_>>(),
            [a, b, a + b]
        );
    }
    // One segment per non-zero value, each with a tooltip title.
    let bars: Vec<Node> = elements(&doc, "rect");
    assert_eq!(bars.len(), 5);
    assert!(bars
        .iter()
        .all(|bar| bar.children().any(|c| c.tag_name().name() == "title")));
    // Axis ticks are readable numbers.
    let ticks: Vec<String> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lf-tick-label lf-anchor-end"))
        .map(text_of)
        .collect();
    assert_eq!(ticks, ["0", "5", "10", "15"]);
}

#[test]
fn many_series_keep_the_largest_and_fold_the_rest_into_other() {
    let many: Vec<Series> = (0..11u64)
        .map(|i| series(&format!("Campaign {i}"), &[i + 1, 2 * (i + 1)]))
        .collect();
    let chart = weekly(many, 2);
    let xml = parse(&stacked_weekly_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    check_classes_are_styled(&doc);
    let header = table_header(&doc);
    assert_eq!(
        header.len(),
        1 + 8 + 1,
        "seven series, Other, and the total"
    );
    assert_eq!(header[1], "Campaign 10");
    assert_eq!(header[8], OTHER_SERIES_NAME);
    let rows = table_rows(&doc);
    // The four smallest (values 1..=4 in week one) are folded.
    assert_eq!(number(&rows[0][8]), 1 + 2 + 3 + 4);
    assert_eq!(number(&rows[1][8]), 2 * (1 + 2 + 3 + 4));
    assert_eq!(number(&rows[0][9]), (1..=11).sum::<i128>(), "nothing lost");
    let legend_items = elements(&doc, "li");
    assert_eq!(legend_items.len(), 8);
}

#[test]
fn long_labels_are_cut_on_the_chart_but_whole_in_the_legend_and_table() {
    let long = "Partner webinar series with a very long campaign name";
    let chart = weekly(vec![series(long, &[7])], 1);
    let xml = parse(&stacked_weekly_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    assert_eq!(table_header(&doc)[1], long);
    let legend_name = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("lf-legend-name"))
        .expect("legend");
    assert_eq!(text_of(legend_name), long);
    assert_eq!(table_rows(&doc), [["2026-11-02", "7", "7"]]);
}

#[test]
fn huge_and_zero_values_stay_exact_in_the_table() {
    let chart = weekly(
        vec![
            series("big", &[u64::MAX, 0]),
            series("also big", &[u64::MAX, 0]),
        ],
        2,
    );
    let xml = parse(&stacked_weekly_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    let rows = table_rows(&doc);
    assert_eq!(number(&rows[0][1]), i128::from(u64::MAX));
    assert_eq!(number(&rows[0][3]), 2 * i128::from(u64::MAX), "no overflow");
    assert_eq!(number(&rows[1][3]), 0);
    for rect in elements(&doc, "rect") {
        let height: f64 = rect.attribute("height").unwrap().parse().unwrap();
        assert!(height.is_finite() && height >= 0.0);
    }

    let zeros = weekly(vec![series("quiet", &[0, 0])], 2);
    let xml = parse(&stacked_weekly_chart(&zeros));
    let doc = Document::parse(&xml).expect("well-formed markup");
    assert!(elements(&doc, "rect").is_empty());
    assert!(xml.contains("No leads in these weeks"));
    assert_eq!(table_rows(&doc).len(), 2);
}

#[test]
fn no_weeks_says_so_instead_of_drawing_an_empty_frame() {
    let chart = weekly(vec![], 0);
    let xml = parse(&stacked_weekly_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    assert!(elements(&doc, "svg").is_empty());
    assert!(xml.contains("No weeks in this range"));
    assert!(xml.contains(&chart.title));
}

#[test]
fn net_change_bars_and_their_moving_average_match_the_table() {
    let chart = NetChangeChart {
        id: "velocity".into(),
        title: "Engagement trend".into(),
        description: "Weekly net change in score across everyone, with its 4-week average.".into(),
        unit: "points".into(),
        week_labels: (0..6).map(|w| format!("W{w}")).collect(),
        changes: vec![40, -20, 0, 60, 100, -8],
    };
    let xml = parse(&net_change_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    check_accessible_and_unstyled(&doc, &chart.title, &chart.description);
    check_classes_are_styled(&doc);
    let rows = table_rows(&doc);
    let changes: Vec<i128> = rows.iter().map(|r| number(&r[1])).collect();
    assert_eq!(changes, [40, -20, 0, 60, 100, -8]);
    assert_eq!(rows[0][1], "+40", "gains carry their sign");
    let averages: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        averages,
        [
            "not enough weeks yet",
            "not enough weeks yet",
            "not enough weeks yet",
            "20.00",
            "35.00",
            "38.00"
        ]
    );
    assert_eq!(elements(&doc, "rect").len(), 5, "no bar for a zero week");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("lf-bar lf-bar-loss"))
            .count(),
        2
    );
    let line = elements(&doc, "polyline");
    assert_eq!(line.len(), 1);
    assert_eq!(line[0].attribute("points").unwrap().split(' ').count(), 3);
}

#[test]
fn a_single_week_of_net_change_draws_no_average_line() {
    let chart = NetChangeChart {
        id: "one".into(),
        title: "One week".into(),
        description: "Just one week.".into(),
        unit: "points".into(),
        week_labels: vec!["W0".into()],
        changes: vec![-5],
    };
    let xml = parse(&net_change_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    assert!(elements(&doc, "polyline").is_empty());
    assert_eq!(table_rows(&doc), [["W0", "-5", "not enough weeks yet"]]);
}

#[test]
fn the_funnel_shows_counts_and_rates_from_stage_to_stage() {
    let chart = FunnelChart {
        id: "funnel-website".into(),
        title: "Funnel: Website".into(),
        description: "Leads from the Website that reached each stage.".into(),
        unit: "leads".into(),
        stages: [
            ("Open", 200),
            ("Contacted", 150),
            ("Qualified", 0),
            ("Converted", 0),
        ]
        .into_iter()
        .map(|(label, count)| FunnelStage {
            label: label.into(),
            count,
        })
        .collect(),
    };
    let xml = parse(&funnel_chart(&chart));
    let doc = Document::parse(&xml).expect("well-formed markup");
    check_accessible_and_unstyled(&doc, &chart.title, &chart.description);
    check_classes_are_styled(&doc);
    assert_eq!(
        table_rows(&doc),
        [
            ["Open", "200", "–", "100%"],
            ["Contacted", "150", "75%", "75%"],
            ["Qualified", "0", "0%", "0%"],
            ["Converted", "0", "–", "0%"],
        ],
        "no rate after a stage nobody reached"
    );
    let values: Vec<String> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lf-funnel-value"))
        .map(text_of)
        .collect();
    assert_eq!(values, ["200", "150", "0", "0"]);
}

#[test]
fn an_all_zero_funnel_has_no_rates_and_no_division_by_zero() {
    let chart = FunnelChart {
        id: "empty".into(),
        title: "Funnel".into(),
        description: "Nothing yet.".into(),
        unit: "leads".into(),
        stages: vec![
            FunnelStage {
                label: "Open".into(),
                count: 0,
            },
            FunnelStage {
                label: "Contacted".into(),
                count: 0,
            },
        ],
    };
    let xml = parse(&funnel_chart(&chart));
    assert!(!xml.contains("NaN") && !xml.contains("inf"), "{xml}");
    let doc = Document::parse(&xml).expect("well-formed markup");
    assert_eq!(
        table_rows(&doc),
        [["Open", "0", "–", "–"], ["Contacted", "0", "–", "–"]]
    );
}
