//! The overview benchmark's leads: many rows written in batches of multi-row INSERTs, because
//! 100,000 single-lead transactions (each one fsynced) would take minutes and measure the disk,
//! not the overview. Rows have the columns the overview reads; their lead JSON is one small,
//! valid submission shared by all.

use leadform_store::Store;
use sqlx::QueryBuilder;

use crate::direct_sql::DirectDatabase;
use crate::random::DemoRandom;
use crate::DemoError;

const DAY: i64 = 24 * 60 * 60 * 1000;
/// Rows per INSERT: 14 columns × 1,000 stays below both backends' limits on bound parameters.
const BATCH: usize = 1000;

/// The benchmark's leads are spread over this many weeks before `now_ms`.
pub const BULK_WEEKS: i64 = 12;

const SOURCES: [(&str, &str); 6] = [
    ("Website", "701Hs00000ContactA"),
    ("Content Download", "701Hs00000EbookQ4A"),
    ("Blog", "701Hs00000BlogQ4AA"),
    ("Paid Search", "701Hs00000PaidQ4AA"),
    ("Partner", "701Hs00000PartnrAA"),
    ("Webinar", "701Hs00000WebnrQ4A"),
];

/// One generated row of `leads`.
struct BulkLead {
    submission_id: String,
    form_id: &'static str,
    intent: &'static str,
    email: String,
    is_spam: bool,
    lead_source: &'static str,
    campaign_id: &'static str,
    received_at_ms: i64,
    status: &'static str,
    first_contacted_at_ms: Option<i64>,
    status_changed_at_ms: Option<i64>,
}

fn generate(random: &mut DemoRandom, number: usize, now_ms: i64) -> BulkLead {
    let contact = random.chance(0.4);
    let (lead_source, campaign_id) = *random.pick(&SOURCES);
    let received_at_ms =
        now_ms - i64::try_from(random.below((BULK_WEEKS * 7 * DAY) as u64)).unwrap_or(0);
    let roll = random.unit();
    let reached = if contact { roll * 1.2 } else { roll * 0.4 };
    let status = match reached {
        r if r < 0.3 => "open",
        r if r < 0.6 => "contacted",
        r if r < 0.8 => "qualified",
        r if r < 0.9 => "converted",
        _ => "closed",
    };
    let answered = status != "open" && (status != "closed" || random.chance(0.5));
    let answer_ms = random.log_uniform_ms(5 * 60_000, 3 * DAY);
    BulkLead {
        submission_id: format!("bench-{number:08}"),
        form_id: if contact {
            "contact-us"
        } else {
            "ebook-12-charts"
        },
        intent: if contact {
            "contact_request"
        } else {
            "content_download"
        },
        email: format!("person{}@bench.example", random.below(60_000)),
        is_spam: random.chance(0.05),
        lead_source,
        campaign_id,
        received_at_ms,
        status,
        first_contacted_at_ms: answered.then_some(received_at_ms + answer_ms),
        status_changed_at_ms: (status != "open").then_some(received_at_ms + answer_ms + DAY),
    }
}

macro_rules! insert_batches {
    ($pool:expr, $count:expr, $now_ms:expr, $lead_json:expr) => {{
        let failed = |action| move |source| DemoError::Sql { action, source };
        let mut random = DemoRandom::new(crate::DEMO_SEED);
        let mut number = 0;
        while number < $count {
            let rows: Vec<BulkLead> = (number..($count).min(number + BATCH))
                .map(|n| generate(&mut random, n, $now_ms))
                .collect();
            number += rows.len();
            let mut insert = QueryBuilder::new(
                "INSERT INTO leads (submission_id, form_id, intent, email, is_spam, lead_source,
                     campaign_id, received_at_ms, payload_hash, lead_json, raw_payload, status,
                     first_contacted_at_ms, status_changed_at_ms) ",
            );
            insert.push_values(&rows, |mut row, lead| {
                row.push_bind(&lead.submission_id)
                    .push_bind(lead.form_id)
                    .push_bind(lead.intent)
                    .push_bind(&lead.email)
                    .push_bind(lead.is_spam)
                    .push_bind(lead.lead_source)
                    .push_bind(lead.campaign_id)
                    .push_bind(lead.received_at_ms)
                    .push_bind("bench")
                    .push_bind($lead_json)
                    .push_bind($lead_json)
                    .push_bind(lead.status)
                    .push_bind(lead.first_contacted_at_ms)
                    .push_bind(lead.status_changed_at_ms);
            });
            insert
                .build()
                .execute($pool)
                .await
                .map_err(failed("insert a batch of benchmark leads"))?;
        }
        // One history row per lead that left `open`, and one delivery per lead that is not spam,
        // a few dead and a few retrying, each in one statement.
        sqlx::query(
            "INSERT INTO lead_status_changes
                 (lead_id, changed_by, from_status, to_status, closed_reason, changed_at_ms)
             SELECT id, 'bench', 'open', status, NULL, status_changed_at_ms
             FROM leads WHERE status <> 'open'",
        )
        .execute($pool)
        .await
        .map_err(failed("write the benchmark's status history"))?;
        sqlx::query(
            "INSERT INTO deliveries (lead_id, destination_index, destination_kind, destination_key,
                 status, attempts, next_attempt_at_ms, created_at_ms)
             SELECT id, 0, 'webhook', 'webhook:https://crm.bench.example/leads',
                    CASE WHEN id % 50 = 0 THEN 'dead' WHEN id % 50 IN (1, 2) THEN 'pending'
                         ELSE 'delivered' END,
                    CASE WHEN id % 50 IN (0, 1) THEN 3 ELSE 1 END,
                    received_at_ms, received_at_ms
             FROM leads WHERE is_spam = FALSE",
        )
        .execute($pool)
        .await
        .map_err(failed("write the benchmark's deliveries"))?;
        Ok(())
    }};
}

/// Writes `count` leads received over the [`BULK_WEEKS`] weeks before `now_ms`, with status
/// history and deliveries, into an empty store opened from `db`.
pub async fn insert_bulk_leads(
    store: &Store,
    db: &str,
    count: usize,
    now_ms: i64,
) -> Result<(), DemoError> {
    // Opening the store ran the migrations; the direct connection writes beside it.
    let _ = store.backend_name();
    let lead_json = serde_json::json!({
        "form_id": "contact-us",
        "submission_id": "00000000-0000-4000-8000-000000000000",
        "fields": {"email": "person@bench.example"},
        "hidden": {},
        "page_url": "http://127.0.0.1:8080/",
        "submitted_at": "2026-11-23T07:00:00.000Z",
    })
    .to_string();
    let direct = DirectDatabase::connect(db).await?;
    let result: Result<(), DemoError> = match &direct {
        DirectDatabase::Sqlite(pool) => insert_batches!(pool, count, now_ms, &lead_json),
        DirectDatabase::Postgres(pool) => insert_batches!(pool, count, now_ms, &lead_json),
    };
    direct.close().await;
    result
}
