//! The overview over real HTTP: its figures equal what the store computes for the same range, the
//! range and form parameters are honoured or refused by name, the engagement trend shows the
//! stored weekly score changes, and admins get a retry button for dead deliveries.

use crate::support::{backends, ConsoleHandler};
use leadform_console::pages::overview_sections::duration;
use leadform_core::Intent;
use leadform_scoring::{ScoringRules, WEEK_MS};
use leadform_store::{NewLead, OverviewQuery, UserRole};
use serde_json::json;
use std::collections::BTreeMap;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A lead stored directly with the default scoring rules, received `at_ms`.
async fn stored_lead(
    handler: &ConsoleHandler,
    form: &str,
    email: &str,
    source: &str,
    campaign: &str,
    at_ms: i64,
) -> i64 {
    scored_lead(
        handler,
        &ScoringRules::default(),
        form,
        email,
        source,
        campaign,
        at_ms,
    )
    .await
}

/// A lead stored directly and scored with `rules`, received `at_ms`.
pub(crate) async fn scored_lead(
    handler: &ConsoleHandler,
    rules: &ScoringRules,
    form: &str,
    email: &str,
    source: &str,
    campaign: &str,
    at_ms: i64,
) -> i64 {
    let lead: leadform_core::LeadSubmission = serde_json::from_value(json!({
        "form_id": form, "submission_id": uuid::Uuid::new_v4().to_string(),
        "fields": {"first_name": "Pat", "email": email},
        "hidden": {"lead_source": source, "campaign_id": campaign},
        "submitted_at": "2026-11-23T07:00:00Z"
    }))
    .unwrap();
    let intent = if form == "ebook" {
        Intent::ContentDownload
    } else {
        Intent::ContactRequest
    };
    handler
        .store
        .insert_scored_lead(
            NewLead {
                raw_payload: "{}".into(),
                lead,
                intent,
                email: Some(email.into()),
                is_spam: false,
                received_at_ms: at_ms,
                client_ip: None,
                hubspotutk: None,
                user_agent: None,
                visitor_id: None,
                previous_visitor_id: None,
                profile_answers: None,
                deliveries: vec![],
                form_token: None,
            },
            Some(rules),
        )
        .await
        .unwrap()
        .lead_id()
}

/// The text of the element with `id`, up to its closing tag.
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_owned()
}

/// The store's overview for the page's default range: the last 8 whole weeks up to today.
fn default_query(now: i64) -> OverviewQuery {
    let params = leadform_console::overview_range::OverviewParams::default();
    let range = params.range(now, &BTreeMap::new()).unwrap();
    let mut query = OverviewQuery::new(range.from_ms, range.until_ms, now);
    query.response_target_hours.insert("contact-us".into(), 4);
    query
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_the_figures_the_store_computes() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let now = now_ms();
        let hour = 60 * 60 * 1000;
        let a = stored_lead(
            &handler,
            "contact-us",
            "a@example.com",
            "Website",
            "701CONTACT",
            now - 30 * hour,
        )
        .await;
        stored_lead(
            &handler,
            "contact-us",
            "b@example.com",
            "Webinar",
            "701WEBINAR",
            now - 10 * DAY_MS,
        )
        .await;
        stored_lead(
            &handler,
            "contact-us",
            "c@example.com",
            "Website",
            "701CONTACT",
            now - 2 * hour,
        )
        .await;
        stored_lead(
            &handler,
            "ebook",
            "d@example.com",
            "Content Download",
            "701EBOOK",
            now - 20 * DAY_MS,
        )
        .await;
        // Outside the default 8 weeks: counted nowhere.
        stored_lead(
            &handler,
            "ebook",
            "old@example.com",
            "Content Download",
            "701EBOOK",
            now - 80 * DAY_MS,
        )
        .await;
        let session = handler.login("ada").await;
        // Contacted 3 hours after it came in: within contact-us's 4-hour target.
        handler
            .store
            .change_lead_status(
                a,
                leadform_store::LeadStatus::Contacted,
                None,
                "ada",
                now - 27 * hour,
            )
            .await
            .unwrap();
        let html = handler.page("/console/", &session).await;
        let expected = handler
            .store
            .overview(&default_query(now_ms()))
            .await
            .unwrap();
        let total: u64 = expected.leads_by_lead_source.iter().map(|s| s.total).sum();
        assert_eq!(total, 4, "{backend:?}");
        assert_eq!(text_of(&html, "total-leads"), total.to_string());
        assert_eq!(
            text_of(&html, "contact-requests"),
            expected.intent_split.contact_requests.to_string()
        );
        assert_eq!(
            text_of(&html, "content-downloads"),
            expected.intent_split.content_downloads.to_string()
        );
        let speed = &expected.speed_to_lead;
        assert_eq!(
            text_of(&html, "speed-median"),
            speed.median_ms.map_or("–".into(), duration),
            "{backend:?}"
        );
        assert_eq!(
            text_of(&html, "speed-overdue"),
            speed.overdue_total.to_string()
        );
        // b (10 days, open) is overdue and links to its lead page; c (2 hours) is not.
        assert_eq!(speed.overdue_total, 1, "{backend:?}");
        assert!(html.contains(&format!(
            "href=\"/console/leads/{}\"",
            speed.overdue[0].lead_id
        )));
        for funnel in &expected.funnel_by_lead_source {
            let source = funnel.lead_source.as_deref().unwrap_or("(none)");
            let cells: String = funnel
                .reached
                .iter()
                .map(|n| format!("<td>{n}</td>"))
                .collect();
            assert!(
                html.contains(&format!("<th scope=\"row\">{source}</th>{cells}")),
                "{backend:?}: the funnel row of {source} in {html}"
            );
        }
        for share in &expected.spam_share_by_form {
            assert!(html.contains(&format!(
                "<th scope=\"row\">{}</th><td>{}</td><td>{}</td>",
                share.form_id, share.leads, share.spam
            )));
        }
        // The charts and their stylesheet, served as a file under the console's CSP.
        assert!(html.contains("Leads per week by campaign"));
        assert!(html.contains("Leads per week by lead source"));
        assert!(html.contains("701WEBINAR"));
        assert!(html.contains("href=\"/console/charts.css\""));
        let css = handler
            .get("/console/charts.css", Some(&session.cookie))
            .await;
        assert_eq!(css.status(), 200);
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(css.text().await.unwrap(), leadform_charts_css());
        assert!(!html.contains("style="), "no inline styles");

        // One form only: the ebook's single download in range.
        let html = handler.page("/console/?form=ebook", &session).await;
        assert_eq!(text_of(&html, "total-leads"), "1", "{backend:?}");
        // A chosen range that reaches the old lead.
        let from = leadform_core::time::rfc3339_from_ms(now - 90 * DAY_MS)[..10].to_owned();
        let html = handler
            .page(&format!("/console/?from={from}"), &session)
            .await;
        assert_eq!(text_of(&html, "total-leads"), "5", "{backend:?}");
        // Bad parameters are refused by name.
        for (path, says) in [
            ("/console/?from=yesterday", "`from` must be a date like"),
            ("/console/?form=nope", "There is no form"),
            ("/console/?from=2026-11-20&to=2026-11-01", "before"),
        ] {
            let response = handler.get(path, Some(&session.cookie)).await;
            assert_eq!(response.status(), 400, "{path}");
            assert!(response.text().await.unwrap().contains(says), "{path}");
        }
        handler.stop().await;
    }
}

fn leadform_charts_css() -> String {
    // The console serves the charts crate's stylesheet byte for byte.
    include_str!("../../../leadform-charts/src/charts.css").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engagement_trend_sums_everyones_weekly_score_change() {
    for backend in backends() {
        let handler = ConsoleHandler::start(backend, &[("ada", UserRole::Member)]).await;
        let now = now_ms();
        // Three people scored in earlier weeks; the score pass writes their weekly snapshots.
        stored_lead(
            &handler,
            "contact-us",
            "x@example.com",
            "Website",
            "701CONTACT",
            now - 3 * WEEK_MS,
        )
        .await;
        stored_lead(
            &handler,
            "ebook",
            "y@example.com",
            "Website",
            "701EBOOK",
            now - 3 * WEEK_MS,
        )
        .await;
        stored_lead(
            &handler,
            "contact-us",
            "z@example.com",
            "Website",
            "701CONTACT",
            now - 2 * WEEK_MS,
        )
        .await;
        handler
            .store
            .run_score_pass(&ScoringRules::default(), now)
            .await
            .unwrap();
        let session = handler.login("ada").await;
        let html = handler.page("/console/", &session).await;
        let query = default_query(now_ms());
        let overview = handler.store.overview(&query).await.unwrap();
        let trend = handler
            .store
            .engagement_trend(&overview.weeks)
            .await
            .unwrap();
        assert_eq!(trend.len(), overview.weeks.len());
        assert!(
            trend.iter().any(|&change| change > 0),
            "{backend:?}: {trend:?}"
        );
        for (week, change) in overview.weeks.iter().zip(&trend) {
            let shown = if *change > 0 {
                format!("+{change}")
            } else {
                change.to_string()
            };
            assert!(
                html.contains(&format!(
                    "<th scope=\"row\">{}</th><td>{shown}</td>",
                    week.start_date
                )),
                "{backend:?}: week {} shows {shown}",
                week.start_date
            );
        }
        assert!(html.contains("Weekly score change across everyone"));
        handler.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_retry_a_dead_delivery_from_the_overview_and_members_see_no_button() {
    for backend in backends() {
        let handler = ConsoleHandler::start(
            backend,
            &[("ada", UserRole::Admin), ("bob", UserRole::Member)],
        )
        .await;
        // The receiver refuses `reject@` leads: the delivery dies.
        handler
            .submit_lead(
                "contact-us",
                json!({"first_name": "Rae", "email": "reject@example.com"}),
                json!({}),
            )
            .await;
        let store = handler.store.clone();
        handler
            .eventually("the delivery is dead", async || {
                !store
                    .list_deliveries(leadform_store::DeliveryFilter::Status(
                        leadform_store::DeliveryStatus::Dead,
                    ))
                    .await
                    .unwrap()
                    .is_empty()
            })
            .await;
        let dead = store
            .list_deliveries(leadform_store::DeliveryFilter::Status(
                leadform_store::DeliveryStatus::Dead,
            ))
            .await
            .unwrap();
        let action = format!("/console/deliveries/{}/retry", dead[0].id);
        let bob = handler.login("bob").await;
        let html = handler.page("/console/", &bob).await;
        assert!(html.contains("Delivery health"));
        assert!(!html.contains(&action), "{backend:?}: no retry for members");
        let ada = handler.login("ada").await;
        let html = handler.page("/console/", &ada).await;
        assert!(html.contains(&action), "{backend:?}: {html}");
        let hits_before = handler
            .receiver
            .hits
            .load(std::sync::atomic::Ordering::SeqCst);
        let response = handler.post_form(&action, &ada, &[]).await;
        assert_eq!(response.status(), 303, "{backend:?}");
        // The forwarder sends it again (and the receiver refuses it again).
        let hits = handler.receiver.hits.clone();
        handler
            .eventually("the retried delivery is sent again", async || {
                hits.load(std::sync::atomic::Ordering::SeqCst) > hits_before
            })
            .await;
        handler.stop().await;
    }
}
