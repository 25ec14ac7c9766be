//! Seeds a scratch SQLite store like `cargo xtask demo` does and draws its overview with the
//! console's charts, to look at the demo data in a browser before the console wires them in:
//! `cargo run -p leadform-demo --example overview_page -- DIR` writes DIR/overview.html.

use std::path::{Path, PathBuf};

use leadform_charts::{
    funnel_chart, stacked_weekly_chart, FunnelChart, FunnelStage, Series, StackedWeeklyChart,
    CHARTS_CSS,
};
use leadform_demo::{load_forms, seed_demo};
use leadform_store::reports::WeeklySeries;
use leadform_store::{OverviewQuery, Store};
use maud::{html, DOCTYPE};

const DAY: i64 = 24 * 3_600_000;

fn series(all: &[WeeklySeries]) -> Vec<Series> {
    all.iter()
        .map(|s| Series {
            name: s.name.clone().unwrap_or_else(|| "(none)".into()),
            values: s.counts.clone(),
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&out)?;
    let scratch = tempfile::tempdir()?;
    let db = scratch
        .path()
        .join("demo.db")
        .to_string_lossy()
        .into_owned();
    let forms = load_forms(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms"))?;
    let store = Store::open(&db).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    println!("{:?}", seed_demo(&store, &forms, now).await?);
    let overview = store
        .overview(&OverviewQuery::new(now - 42 * DAY, now + 1, now))
        .await?;
    store.close().await;

    let weeks: Vec<String> = overview
        .weeks
        .iter()
        .map(|w| w.start_date.clone())
        .collect();
    let by_campaign = StackedWeeklyChart {
        id: "campaigns".into(),
        title: "Leads per week by campaign".into(),
        description: "One bar per week, one segment per campaign.".into(),
        unit: "leads".into(),
        week_labels: weeks.clone(),
        series: series(&overview.leads_by_campaign),
    };
    let by_source = StackedWeeklyChart {
        id: "sources".into(),
        title: "Leads per week by lead source".into(),
        description: "One bar per week, one segment per lead source.".into(),
        unit: "leads".into(),
        week_labels: weeks,
        series: series(&overview.leads_by_lead_source),
    };
    let funnels: Vec<FunnelChart> = overview
        .funnel_by_lead_source
        .iter()
        .map(|f| {
            let source = f.lead_source.clone().unwrap_or_else(|| "(none)".into());
            FunnelChart {
                id: format!("funnel-{source}"),
                title: format!("Funnel: {source}"),
                description: format!("Leads from {source} that reached each stage."),
                unit: "leads".into(),
                stages: ["Open", "Contacted", "Qualified", "Converted"]
                    .iter()
                    .zip(f.reached)
                    .map(|(label, count)| FunnelStage {
                        label: label.to_string(),
                        count,
                    })
                    .collect(),
            }
        })
        .collect();
    let speed = &overview.speed_to_lead;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Demo overview" }
                link rel="stylesheet" href="charts.css";
            }
            body {
                main {
                    h1 { "Demo overview (six weeks)" }
                    p {
                        "Speed to lead: median " (speed.median_ms.unwrap_or(0) / 60_000) " min, p90 "
                        (speed.p90_ms.unwrap_or(0) / 60_000) " min; "
                        (speed.overdue_total) " overdue."
                    }
                    (stacked_weekly_chart(&by_campaign))
                    (stacked_weekly_chart(&by_source))
                    @for funnel in &funnels { (funnel_chart(funnel)) }
                }
            }
        }
    };
    std::fs::write(out.join("charts.css"), CHARTS_CSS)?;
    std::fs::write(out.join("overview.html"), page.into_string())?;
    println!("{}", out.join("overview.html").display());
    Ok(())
}
