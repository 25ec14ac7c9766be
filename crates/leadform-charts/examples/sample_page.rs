//! Writes an HTML page with sample charts and charts.css beside it, to look at in a browser:
//! `cargo run -p leadform-charts --example sample_page -- DIR` writes DIR/charts.html.

use std::path::PathBuf;

use leadform_charts::{
    funnel_chart, net_change_chart, stacked_weekly_chart, FunnelChart, FunnelStage, NetChangeChart,
    Series, StackedWeeklyChart, CHARTS_CSS,
};
use maud::{html, DOCTYPE};

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let weeks: Vec<String> = (0..8)
        .map(|w| {
            format!(
                "2026-{:02}-{:02}",
                10 + (w * 7 + 5) / 31,
                1 + (w * 7 + 5) % 31
            )
        })
        .collect();
    let campaigns = StackedWeeklyChart {
        id: "campaigns".into(),
        title: "Leads per week by campaign".into(),
        description:
            "Stacked bars, one per week, one segment per campaign; the largest campaigns first."
                .into(),
        unit: "leads".into(),
        week_labels: weeks.clone(),
        series: (0..10u64)
            .map(|i| Series {
                name: if i == 2 {
                    "Partner webinar series with a very long campaign name".into()
                } else {
                    format!("701Hs00000Camp{i:02}")
                },
                values: (0..8u64).map(|w| (i * 7 + w * 3) % (20 - i) + 2).collect(),
            })
            .collect(),
    };
    let sources = StackedWeeklyChart {
        id: "sources".into(),
        title: "Leads per week by lead source".into(),
        description: "Stacked bars by lead source.".into(),
        unit: "leads".into(),
        week_labels: weeks[..1].to_vec(),
        series: vec![
            Series {
                name: "Website".into(),
                values: vec![1_250_000],
            },
            Series {
                name: "Blog".into(),
                values: vec![300_000],
            },
        ],
    };
    let trend = NetChangeChart {
        id: "trend".into(),
        title: "Engagement trend".into(),
        description: "Weekly net change in score across everyone, with the 4-week moving average."
            .into(),
        unit: "points".into(),
        week_labels: weeks.clone(),
        changes: vec![120, 80, -40, 200, 150, -90, 30, 260],
    };
    let funnel = FunnelChart {
        id: "funnel".into(),
        title: "Funnel: Website".into(),
        description: "Website leads that reached each stage.".into(),
        unit: "leads".into(),
        stages: [
            ("Open", 1840),
            ("Contacted", 1210),
            ("Qualified", 402),
            ("Converted", 57),
        ]
        .into_iter()
        .map(|(label, count)| FunnelStage {
            label: label.into(),
            count,
        })
        .collect(),
    };
    let empty = StackedWeeklyChart {
        id: "empty".into(),
        title: "Leads per week (nothing yet)".into(),
        description: "Nothing.".into(),
        unit: "leads".into(),
        week_labels: weeks[..3].to_vec(),
        series: vec![],
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Leadform charts" }
                link rel="stylesheet" href="charts.css";
                link rel="stylesheet" href="page.css";
            }
            body {
                main {
                    h1 { "Sample charts" }
                    (stacked_weekly_chart(&campaigns))
                    (funnel_chart(&funnel))
                    (net_change_chart(&trend))
                    (stacked_weekly_chart(&sources))
                    (stacked_weekly_chart(&empty))
                }
            }
        }
    };
    std::fs::write(dir.join("charts.css"), CHARTS_CSS)?;
    std::fs::write(
        dir.join("page.css"),
        "body { margin: 16px; font-family: system-ui, sans-serif; } main { max-width: 760px; }\n",
    )?;
    std::fs::write(dir.join("charts.html"), page.into_string())?;
    println!("{}", dir.join("charts.html").display());
    Ok(())
}
