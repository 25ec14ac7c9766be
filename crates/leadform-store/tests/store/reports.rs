//! The overview figures (issue 9) on real databases, with leads stored through `insert_lead`.

use crate::support;

use leadform_core::Intent;
use leadform_delivery::OutboxStore;
use leadform_store::reports::{OverdueContactRequest, WeeklySeries};
use leadform_store::{
    ClosedReason, LeadStatus, NewLead, Overview, OverviewQuery, ReportError, Store,
};
use support::{new_lead, new_submission_id, test_databases};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Monday 2026-11-02 00:00 UTC: the first week of the report.
const WEEK0: i64 = 1_793_577_600_000;
/// The report covers four weeks: 2026-11-02 up to (not including) 2026-11-30.
const UNTIL: i64 = WEEK0 + 28 * DAY;
/// Sunday 2026-11-29 12:00 UTC, inside the last week.
const NOW: i64 = UNTIL - 12 * HOUR;

/// A `contact-us` lead (two destinations) or, for `download`, an `ebook-12-charts` lead (none).
fn lead(
    download: bool,
    campaign_id: Option<&str>,
    lead_source: Option<&str>,
    received_at_ms: i64,
) -> NewLead {
    let id = new_submission_id();
    let mut new = new_lead(&id, &format!("{id}@example.com"), received_at_ms);
    new.lead.hidden.campaign_id = campaign_id.map(String::from);
    new.lead.hidden.lead_source = lead_source.map(String::from);
    if download {
        new.lead.form_id = "ebook-12-charts".into();
        new.intent = Intent::ContentDownload;
        new.deliveries.clear();
    }
    new.raw_payload = serde_json::to_string(&new.lead).expect("json");
    new
}

/// A status change to make through `Store::change_lead_status`, as the console does.
struct StatusChange<'a> {
    lead_id: i64,
    to_status: &'a str,
    closed_reason: Option<&'a str>,
    changed_by: &'a str,
    changed_at_ms: i64,
}

async fn change_status(store: &Store, change: StatusChange<'_>) {
    store
        .change_lead_status(
            change.lead_id,
            LeadStatus::parse(change.to_status).expect("a status"),
            change
                .closed_reason
                .map(|reason| ClosedReason::parse(reason).expect("a reason")),
            change.changed_by,
            change.changed_at_ms,
        )
        .await
        .expect("change the status");
}

async fn store_lead(store: &Store, new: NewLead) -> i64 {
    store.insert_lead(new).await.expect("insert lead").lead_id()
}

/// The leads of the scenario, by name.
struct Scenario {
    before_range: i64,
    c1: i64,
    c3: i64,
}

/// Four weeks of leads with status changes and delivery outcomes; see each line for its part.
async fn seed(store: &Store) -> Scenario {
    let change = |lead_id, to_status, at| StatusChange {
        lead_id,
        to_status,
        closed_reason: None,
        changed_by: "ada",
        changed_at_ms: at,
    };
    let website = (Some("701A"), Some("Website"));
    let blog = (Some("701B"), Some("Blog"));
    let partner = (Some("701P"), Some("Partner"));

    // Outside the range on both ends: counted nowhere but in delivery health.
    let before_range = store_lead(store, lead(false, website.0, website.1, WEEK0 - 1)).await;
    store_lead(store, lead(false, website.0, website.1, UNTIL)).await;

    // Week 0: two contact requests and a download.
    let c1_at = WEEK0 + 9 * HOUR;
    let c1 = store_lead(store, lead(false, website.0, website.1, c1_at)).await;
    change_status(store, change(c1, "contacted", c1_at + 2 * HOUR)).await;
    change_status(store, change(c1, "qualified", c1_at + DAY)).await;
    change_status(store, change(c1, "converted", c1_at + 3 * DAY)).await;
    let c2_at = WEEK0 + DAY;
    let c2 = store_lead(store, lead(false, website.0, website.1, c2_at)).await;
    change_status(store, change(c2, "contacted", c2_at + 30 * HOUR)).await;
    change_status(
        store,
        StatusChange {
            closed_reason: Some("not_interested"),
            ..change(c2, "closed", c2_at + 2 * DAY)
        },
    )
    .await;
    // A download that was qualified and then moved back: it still reached `qualified`.
    let d1_at = WEEK0 + 2 * DAY;
    let d1 = store_lead(store, lead(true, blog.0, blog.1, d1_at)).await;
    change_status(store, change(d1, "contacted", d1_at + HOUR)).await;
    change_status(store, change(d1, "qualified", d1_at + 2 * HOUR)).await;
    change_status(store, change(d1, "contacted", d1_at + 3 * HOUR)).await;

    // Week 1: nothing at all.

    // Week 2: a download, and a spam contact request that must count only as spam.
    store_lead(store, lead(true, blog.0, blog.1, WEEK0 + 15 * DAY)).await;
    let mut spam = lead(false, website.0, website.1, WEEK0 + 16 * DAY);
    spam.is_spam = true;
    let spam = store_lead(store, spam).await;
    // Even a spam lead moved along is not in the funnel.
    change_status(store, change(spam, "contacted", WEEK0 + 16 * DAY + HOUR)).await;

    // Week 3: contact requests still open (one overdue, one within its target), one closed as a
    // duplicate without ever being contacted, one without campaign or source.
    let c3 = store_lead(store, lead(false, partner.0, partner.1, NOW - 60 * HOUR)).await;
    let c4_at = NOW - 50 * HOUR;
    let c4 = store_lead(store, lead(false, partner.0, partner.1, c4_at)).await;
    change_status(
        store,
        StatusChange {
            closed_reason: Some("duplicate"),
            ..change(c4, "closed", c4_at + HOUR)
        },
    )
    .await;
    store_lead(store, lead(false, None, None, NOW - 6 * HOUR)).await;

    Scenario {
        before_range,
        c1,
        c3,
    }
}

/// Delivery outcomes through the real outbox API: the lead before the range has a dead Salesforce
/// delivery and a HubSpot one waiting for its retry; c1's Salesforce delivery went through.
async fn deliver(store: &Store, scenario: &Scenario) {
    let claimed = store.claim_due(NOW, 100, 60_000).await.expect("claim");
    for delivery in claimed {
        let salesforce = delivery.destination_key.starts_with("salesforce");
        let result = if delivery.lead_id == scenario.before_range && salesforce {
            store
                .mark_dead(delivery.id, &delivery.claim_token, "invalid org id")
                .await
        } else if delivery.lead_id == scenario.before_range {
            store
                .schedule_retry(
                    delivery.id,
                    &delivery.claim_token,
                    NOW + HOUR,
                    "HTTP 503",
                    true,
                )
                .await
        } else if delivery.lead_id == scenario.c1 && salesforce {
            store
                .mark_delivered(delivery.id, &delivery.claim_token, "HTTP 200")
                .await
        } else {
            // Put back untouched: a rate-limit wait does not count as an attempt.
            store
                .schedule_retry(delivery.id, &delivery.claim_token, NOW, "", false)
                .await
        };
        result.expect("record the delivery outcome");
    }
}

fn series(name: Option<&str>, counts: [u64; 4]) -> WeeklySeries {
    WeeklySeries {
        name: name.map(String::from),
        counts: counts.to_vec(),
        total: counts.iter().sum(),
    }
}

async fn overview(store: &Store, query: &OverviewQuery, label: &str) -> Overview {
    store
        .overview(query)
        .await
        .unwrap_or_else(|e| panic!("{label}: overview: {e}"))
}

#[tokio::test]
async fn the_overview_counts_each_figure_as_the_issue_defines_it() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let scenario = seed(&store).await;
        deliver(&store, &scenario).await;
        let report = overview(&store, &OverviewQuery::new(WEEK0, UNTIL, NOW), label).await;

        let dates: Vec<&str> = report.weeks.iter().map(|w| w.start_date.as_str()).collect();
        assert_eq!(
            dates,
            ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"],
            "{label}"
        );
        assert_eq!(
            report.leads_by_campaign,
            [
                series(Some("701A"), [2, 0, 0, 0]),
                series(Some("701B"), [1, 0, 1, 0]),
                series(Some("701P"), [0, 0, 0, 2]),
                series(None, [0, 0, 0, 1]),
            ],
            "{label}: spam and leads outside the range are not counted; the empty week is there"
        );
        assert_eq!(
            report.leads_by_lead_source,
            [
                series(Some("Blog"), [1, 0, 1, 0]),
                series(Some("Partner"), [0, 0, 0, 2]),
                series(Some("Website"), [2, 0, 0, 0]),
                series(None, [0, 0, 0, 1]),
            ],
            "{label}"
        );
        assert_eq!(report.intent_split.contact_requests, 5, "{label}");
        assert_eq!(report.intent_split.content_downloads, 2, "{label}");

        let funnels: Vec<(Option<&str>, [u64; 4], u64)> = report
            .funnel_by_lead_source
            .iter()
            .map(|f| (f.lead_source.as_deref(), f.reached, f.closed))
            .collect();
        assert_eq!(
            funnels,
            [
                (Some("Blog"), [2, 1, 1, 0], 0),
                (Some("Partner"), [2, 0, 0, 0], 1),
                (Some("Website"), [2, 2, 1, 1], 1),
                (None, [1, 0, 0, 0], 0),
            ],
            "{label}: a closed lead counts at the stages it reached; a lead moved back keeps its best"
        );
        let website = &report.funnel_by_lead_source[2];
        assert_eq!(
            website.step_rates,
            [Some(1.0), Some(0.5), Some(1.0)],
            "{label}"
        );
        assert_eq!(website.overall_rate, Some(0.5), "{label}");
        let partner = &report.funnel_by_lead_source[1];
        assert_eq!(partner.step_rates, [Some(0.0), None, None], "{label}");

        let speed = &report.speed_to_lead;
        assert_eq!(
            speed.contact_requests, 5,
            "{label}: downloads and spam are off the clock"
        );
        assert_eq!(speed.answered, 2, "{label}");
        assert_eq!(
            speed.median_ms,
            Some(16 * HOUR),
            "{label}: between 2 h and 30 h"
        );
        assert_eq!(speed.p90_ms, Some(2 * HOUR + 28 * HOUR * 9 / 10), "{label}");
        assert_eq!(speed.answered_within_target, 1, "{label}");
        assert_eq!(
            speed.missed_target, 2,
            "{label}: one answered late, one still waiting"
        );
        assert_eq!(speed.waiting_within_target, 1, "{label}");
        assert_eq!(speed.closed_without_contact, 1, "{label}");
        assert_eq!(speed.share_within_target, Some(1.0 / 3.0), "{label}");
        assert_eq!(speed.overdue_total, 1, "{label}");
        assert_eq!(
            speed.overdue,
            [OverdueContactRequest {
                lead_id: scenario.c3,
                form_id: "contact-us".into(),
                email: speed.overdue[0].email.clone(),
                lead_source: Some("Partner".into()),
                campaign_id: Some("701P".into()),
                received_at_ms: NOW - 60 * HOUR,
                waiting_ms: 60 * HOUR,
                target_ms: 24 * HOUR,
            }],
            "{label}"
        );
        assert!(speed.overdue[0]
            .email
            .as_deref()
            .is_some_and(|e| e.ends_with("@example.com")));

        let health: Vec<(&str, u64, u64, u64)> = report
            .delivery_health
            .iter()
            .map(|h| (h.destination_kind.as_str(), h.pending, h.retrying, h.dead))
            .collect();
        assert_eq!(
            health,
            [("hubspot", 7, 1, 0), ("salesforce_web_to_lead", 5, 0, 1)],
            "{label}: every undelivered delivery, whatever the range; spam has none"
        );

        let spam: Vec<(&str, u64, u64)> = report
            .spam_share_by_form
            .iter()
            .map(|s| (s.form_id.as_str(), s.leads, s.spam))
            .collect();
        assert_eq!(
            spam,
            [("contact-us", 6, 1), ("ebook-12-charts", 2, 0)],
            "{label}"
        );
        assert_eq!(report.spam_share_by_form[0].share, 1.0 / 6.0, "{label}");

        store.close().await;
        database.finish().await;
    }
}

#[tokio::test]
async fn a_form_filter_and_a_form_s_own_response_target_change_the_figures() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let scenario = seed(&store).await;
        deliver(&store, &scenario).await;

        let mut query = OverviewQuery::new(WEEK0, UNTIL, NOW);
        query.response_target_hours.insert("contact-us".into(), 48);
        let report = overview(&store, &query, label).await;
        let speed = &report.speed_to_lead;
        assert_eq!(
            speed.answered_within_target, 2,
            "{label}: 30 h is within 48 h"
        );
        assert_eq!(speed.missed_target, 1, "{label}: waiting 60 h is past 48 h");
        assert_eq!(speed.overdue[0].target_ms, 48 * HOUR, "{label}");

        let mut query = OverviewQuery::new(WEEK0, UNTIL, NOW);
        query.form_id = Some("ebook-12-charts".into());
        let report = overview(&store, &query, label).await;
        assert_eq!(report.intent_split.contact_requests, 0, "{label}");
        assert_eq!(report.intent_split.content_downloads, 2, "{label}");
        assert_eq!(report.speed_to_lead.contact_requests, 0, "{label}");
        assert_eq!(report.speed_to_lead.median_ms, None, "{label}");
        assert_eq!(report.speed_to_lead.share_within_target, None, "{label}");
        assert!(report.delivery_health.is_empty(), "{label}");
        assert_eq!(report.spam_share_by_form.len(), 1, "{label}");
        assert_eq!(
            report.leads_by_campaign,
            [series(Some("701B"), [1, 0, 1, 0])],
            "{label}"
        );

        store.close().await;
        database.finish().await;
    }
}

#[tokio::test]
async fn an_empty_store_gives_zero_weeks_and_no_rates() {
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        // One day in the middle of a week: the whole week is still one report week.
        let report = overview(
            &store,
            &OverviewQuery::new(WEEK0 + DAY, WEEK0 + 2 * DAY, NOW),
            label,
        )
        .await;
        assert_eq!(report.weeks.len(), 1, "{label}");
        assert_eq!(report.weeks[0].start_ms, WEEK0, "{label}");
        assert!(report.leads_by_campaign.is_empty(), "{label}");
        assert!(report.funnel_by_lead_source.is_empty(), "{label}");
        assert_eq!(report.speed_to_lead.p90_ms, None, "{label}");
        assert!(report.delivery_health.is_empty(), "{label}");

        let refused = store.overview(&OverviewQuery::new(UNTIL, WEEK0, NOW)).await;
        assert!(
            matches!(refused, Err(ReportError::EmptyRange { .. })),
            "{label}"
        );
        store.close().await;
        database.finish().await;
    }
}

#[tokio::test]
async fn the_overdue_list_is_oldest_first_and_capped_while_the_total_counts_all() {
    use leadform_store::reports::OVERDUE_LIST_LIMIT;
    for database in test_databases().await {
        let label = database.label;
        let store = database.open().await;
        let extra = 2;
        // Stored newest first, so the order of the list cannot come from insertion order.
        let count = OVERDUE_LIST_LIMIT + extra;
        for minutes in 0..count {
            let at = NOW - 30 * HOUR - i64::try_from(minutes).expect("small") * 60_000;
            store_lead(&store, lead(false, Some("701A"), Some("Website"), at)).await;
        }
        let report = overview(&store, &OverviewQuery::new(WEEK0, UNTIL, NOW), label).await;
        let speed = report.speed_to_lead;
        assert_eq!(
            speed.overdue_total,
            u64::try_from(count).expect("small"),
            "{label}"
        );
        assert_eq!(speed.overdue.len(), OVERDUE_LIST_LIMIT, "{label}");
        let oldest = NOW - 30 * HOUR - i64::try_from(count - 1).expect("small") * 60_000;
        assert_eq!(speed.overdue[0].received_at_ms, oldest, "{label}");
        assert!(
            speed
                .overdue
                .windows(2)
                .all(|pair| pair[0].received_at_ms < pair[1].received_at_ms),
            "{label}: oldest first"
        );
        store.close().await;
        database.finish().await;
    }
}
