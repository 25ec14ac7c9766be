//! Scoring in the console over real HTTP: the rising, cooling and about-to-cross-MQL lists on
//! `/console/scores`, and the score figures and weekly chart on a lead page, equal to what
//! `leadform-intake scores` computes.

use crate::overview::scored_lead;
use crate::support::{backends, ConsoleHandler};
use leadform_scoring::{ScoringRules, WEEK_MS};
use leadform_store::UserRole;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Default rules, except the eBook form takes points off (an unsubscribe-like form) and the MQL
/// threshold is 70.
fn rules() -> ScoringRules {
    ScoringRules::from_json(
        "scoring.json",
        r#"{"events": {"form_submitted": {"by_form": {"ebook": {"points": -30, "repeat": "every_time"}}}},
            "mql_threshold": 70}"#,
    )
    .expect("valid rules")
}

/// The `<section>` of list `id`, up to the next section.
fn list_section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("aria-labelledby=\"{id}-h\""))
        .unwrap_or_else(|| panic!("no list {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scores_page_lists_rising_cooling_and_about_to_cross_people() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let rules = rules();
        let now = now_ms();
        handler.store.save_scoring_rules(&rules, now).await.unwrap();
        // Rising (+50 this week) and, at 12.5 a week, 2 weeks from 70.
        let rising = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "rising@example.com",
            "Website",
            "701CONTACT",
            now - 1000,
        )
        .await;
        // Cooling: -30 this week.
        let cooling = scored_lead(
            &handler,
            &rules,
            "ebook",
            "cooling@example.com",
            "Website",
            "701EBOOK",
            now - 1000,
        )
        .await;
        // Quiet for five weeks: in no list.
        let quiet = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "quiet@example.com",
            "Website",
            "701CONTACT",
            now - 5 * WEEK_MS,
        )
        .await;
        let session = handler.login("ada").await;
        let html = handler.page("/console/scores", &session).await;
        let link = |id: i64| format!("href=\"/console/leads/{id}\"");
        let rising_list = list_section(&html, "rising");
        assert!(
            rising_list.contains(&link(rising)),
            "{backend:?}: {rising_list}"
        );
        assert!(
            rising_list.contains("threshold 20"),
            "the default threshold is shown"
        );
        assert!(!rising_list.contains(&link(cooling)) && !rising_list.contains(&link(quiet)));
        let cooling_list = list_section(&html, "cooling");
        assert!(
            cooling_list.contains(&link(cooling)),
            "{backend:?}: {cooling_list}"
        );
        assert!(!cooling_list.contains(&link(rising)) && !cooling_list.contains(&link(quiet)));
        let about = list_section(&html, "about-to-cross");
        assert!(about.contains(&link(rising)), "{backend:?}: {about}");
        assert!(!about.contains(&link(quiet)) && !about.contains(&link(cooling)));
        // A threshold above this week's 50 empties "Rising"; a bad one is refused by name.
        let html = handler
            .page("/console/scores?rising_min=51", &session)
            .await;
        assert!(
            !list_section(&html, "rising").contains(&link(rising)),
            "{backend:?}"
        );
        let response = handler
            .get("/console/scores?rising_min=lots", Some(&session.cookie))
            .await;
        assert_eq!(response.status(), 400);
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("`rising_min` must be a whole number"));
        assert!(
            html.contains("href=\"/console/scores\""),
            "in the navigation"
        );
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_page_shows_the_persons_score_and_weekly_changes() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let rules = rules();
        let now = now_ms();
        handler.store.save_scoring_rules(&rules, now).await.unwrap();
        let first = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "kim@example.com",
            "Website",
            "701CONTACT",
            now - 5 * WEEK_MS,
        )
        .await;
        let latest = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "kim@example.com",
            "Website",
            "701CONTACT",
            now - 2 * WEEK_MS,
        )
        .await;
        handler.store.run_score_pass(&rules, now).await.unwrap();
        let session = handler.login("ada").await;
        let html = handler
            .page(&format!("/console/leads/{latest}"), &session)
            .await;
        // The figures `leadform-intake scores` prints for the same person at (about) the same time.
        let logs = handler.store.score_logs().await.unwrap();
        let lines = leadform_intake::scores_cli::score_lines(&rules, logs, now_ms());
        let kim = lines
            .iter()
            .find(|l| l.email == "kim@example.com")
            .expect("kim is scored");
        assert!(kim.score > 0);
        assert!(
            html.contains(&format!("id=\"score-now\">{}<", kim.score)),
            "{backend:?}: score {} in {html}",
            kim.score
        );
        assert!(html.contains(&format!("id=\"velocity-now\">{}<", kim.velocity)));
        // One bar per complete week the score pass wrote, with the stored change.
        let person = handler
            .store
            .lead_detail(latest)
            .await
            .unwrap()
            .unwrap()
            .summary
            .person_id
            .unwrap();
        let snapshots = handler.store.score_snapshots(person).await.unwrap();
        assert!(snapshots.len() >= 5, "{backend:?}: {snapshots:?}");
        assert!(html.contains("Score change per week"));
        for snapshot in &snapshots {
            let week = &leadform_core::time::rfc3339_from_ms(snapshot.week_start_ms)[..10];
            let change = if snapshot.change > 0 {
                format!("+{}", snapshot.change)
            } else {
                snapshot.change.to_string()
            };
            assert!(
                html.contains(&format!(
                    "<th scope=\"row\">{week}</th><td>{}</td>",
                    snapshot.score
                )),
                "{backend:?}: the score of {week}"
            );
            assert!(html.contains(&format!("<th scope=\"row\">{week}</th><td>{change}</td>")));
        }
        // The earlier lead of the same person shows the same person's score.
        let html = handler
            .page(&format!("/console/leads/{first}"), &session)
            .await;
        assert!(html.contains(&format!("id=\"score-now\">{}<", kim.score)));
        handler.stop().await;
    }
}

/// The lead ids linked from a leads list page, in order.
fn linked_leads(html: &str) -> Vec<i64> {
    html.split("href=\"/console/leads/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leads_list_and_its_csv_filter_by_score_and_velocity() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let rules = rules();
        let now = now_ms();
        // 50 points, all this week.
        let rising = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "rising@example.com",
            "Website",
            "701CONTACT",
            now - 1000,
        )
        .await;
        // -30 points, all this week.
        let cooling = scored_lead(
            &handler,
            &rules,
            "ebook",
            "cooling@example.com",
            "Website",
            "701EBOOK",
            now - 2000,
        )
        .await;
        // 50 points, none this week.
        let quiet = scored_lead(
            &handler,
            &rules,
            "contact-us",
            "quiet@example.com",
            "Website",
            "701CONTACT",
            now - 5 * WEEK_MS,
        )
        .await;
        let session = handler.login("ada").await;
        let cases: [(&str, Vec<i64>); 6] = [
            ("min_score=40", vec![rising, quiet]),
            ("min_score=-100", vec![cooling, rising, quiet]),
            ("min_score=51", vec![]),
            ("min_velocity=1", vec![rising]),
            ("min_velocity=0", vec![rising, quiet]),
            ("min_velocity=-30&min_score=0", vec![rising, quiet]),
        ];
        for (query, mut expected) in cases {
            let html = handler
                .page(&format!("/console/leads?{query}"), &session)
                .await;
            let mut shown = linked_leads(&html);
            shown.sort_unstable();
            expected.sort_unstable();
            assert_eq!(shown, expected, "{backend:?}: {query}");
        }
        // The filter form keeps the values, and the CSV holds exactly the view.
        let html = handler
            .page("/console/leads?min_velocity=1", &session)
            .await;
        assert!(html.contains("name=\"min_velocity\" value=\"1\""), "{html}");
        let csv = handler
            .get("/console/leads.csv?min_velocity=1", Some(&session.cookie))
            .await;
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("rising@example.com"), "{backend:?}: {csv}");
        assert!(!csv.contains("quiet@example.com") && !csv.contains("cooling@example.com"));
        for bad in ["min_score=lots", "min_velocity=1.5"] {
            let response = handler
                .get(&format!("/console/leads?{bad}"), Some(&session.cookie))
                .await;
            assert_eq!(response.status(), 400, "{bad}");
            assert!(response
                .text()
                .await
                .unwrap()
                .contains("must be a whole number of points"));
        }
        handler.stop().await;
    }
}
