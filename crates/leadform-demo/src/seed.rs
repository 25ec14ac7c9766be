//! `seed_demo`: six weeks of plausible leads for the demo's console, the same on every run.

use std::collections::BTreeMap;

use leadform_core::time::rfc3339_from_ms;
use leadform_core::{FieldKind, FormDefinition, FormKind, Intent, LeadSubmission};
use leadform_delivery::OutboxStore;
use leadform_store::{ClosedReason, LeadStatus, NewDelivery, NewLead, Store};

use crate::people::{message, DemoPerson};
use crate::random::DemoRandom;
use crate::DemoError;

/// The fixed seed: the demo's leads are the same on every machine (relative to today).
pub const DEMO_SEED: u64 = 0x1EAD_F0E4;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEKS: i64 = 6;
const SALESPEOPLE: [&str; 3] = ["maria", "sam", "jo"];

/// What `seed_demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The store already held leads: the demo never mixes its data with real ones.
    AlreadyHasLeads,
    Seeded {
        leads: usize,
        spam: usize,
        status_changes: usize,
        dead_deliveries: usize,
    },
}

/// Where a form is embedded: a lead source and its campaign, and how often leads come from it.
struct Embed {
    lead_source: String,
    campaign_id: String,
    weight: u32,
    /// `(utm_source, utm_medium)` of the visit, when it came from a tagged link.
    utm: Option<(&'static str, &'static str)>,
}

/// Lead source, campaign id, weight, and the visit's `(utm_source, utm_medium)`.
type Channel = (
    &'static str,
    &'static str,
    u32,
    Option<(&'static str, &'static str)>,
);

/// The embeds of a form: its own default plus the demo's other channels that its allow-lists permit.
fn embeds(form: &FormDefinition) -> Vec<(Embed, u32)> {
    let mut embeds = Vec::new();
    if let (Some(source), Some(campaign)) = (&form.hidden.lead_source, &form.hidden.campaign_id) {
        embeds.push(Embed {
            lead_source: source.clone(),
            campaign_id: campaign.clone(),
            weight: 5,
            utm: None,
        });
    }
    let channels: [Channel; 4] = [
        ("Blog", "701Hs00000BlogQ4AA", 3, Some(("blog", "referral"))),
        (
            "Paid Search",
            "701Hs00000PaidQ4AA",
            3,
            Some(("google", "cpc")),
        ),
        (
            "Partner",
            "701Hs00000PartnrAA",
            2,
            Some(("partner", "referral")),
        ),
        (
            "Webinar",
            "701Hs00000WebnrQ4A",
            1,
            Some(("newsletter", "email")),
        ),
    ];
    for (source, campaign, weight, utm) in channels {
        let source_allowed = form.allowed_lead_sources.is_empty()
            || form.allowed_lead_sources.iter().any(|s| s == source);
        let campaign_allowed = form.allowed_campaign_ids.is_empty()
            || form.allowed_campaign_ids.iter().any(|c| c == campaign);
        let already = embeds.iter().any(|e| e.lead_source == source);
        if source_allowed && campaign_allowed && !already {
            embeds.push(Embed {
                lead_source: source.to_string(),
                campaign_id: campaign.to_string(),
                weight,
                utm,
            });
        }
    }
    embeds
        .into_iter()
        .map(|e| {
            let weight = e.weight;
            (e, weight)
        })
        .collect()
}

/// The field values a person would type into `form`.
fn field_values(
    form: &FormDefinition,
    person: &DemoPerson,
    random: &mut DemoRandom,
) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for field in &form.fields {
        let value = match (field.kind, field.name.as_str()) {
            (FieldKind::Hidden, _) => field.value.clone(),
            (FieldKind::Select, _) => Some(random.pick(&field.options).value.clone()),
            (FieldKind::Checkbox, _) => None,
            (_, "email") => Some(person.email.clone()),
            (_, "first_name") => Some(person.first_name.clone()),
            (_, "last_name") => Some(person.last_name.clone()),
            (_, "company") => Some(person.company.clone()),
            (_, "job_title") => Some(person.job_title.clone()),
            (_, "message") => Some(message(random).to_string()),
            (FieldKind::Tel, _) if random.chance(0.4) => {
                Some(format!("+1 555 01{:02}", random.below(100)))
            }
            _ => None,
        };
        if let Some(value) = value {
            values.insert(field.name.clone(), value);
        }
    }
    values
}

/// A submission id that looks like the browser's UUID v4, drawn from the demo's random source.
fn submission_id(random: &mut DemoRandom) -> String {
    let (a, b) = (random.next_u64(), random.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A status change of the demo's story, made through `Store::change_lead_status` like a
/// salesperson in the console would.
#[derive(Debug, Clone)]
struct StatusChange {
    lead_id: i64,
    to_status: LeadStatus,
    closed_reason: Option<ClosedReason>,
    changed_by: String,
    changed_at_ms: i64,
}

/// The status changes a lead received up to `now_ms`, in order.
fn status_story(
    random: &mut DemoRandom,
    intent: Intent,
    lead_id: i64,
    received_at_ms: i64,
    now_ms: i64,
) -> Vec<StatusChange> {
    let by = random.pick(&SALESPEOPLE).to_string();
    let mut at = received_at_ms;
    let mut story = Vec::new();
    let mut step = |to_status, closed_reason, delay_ms: i64| {
        at += delay_ms;
        story.push(StatusChange {
            lead_id,
            to_status,
            closed_reason,
            changed_by: by.clone(),
            changed_at_ms: at,
        });
    };
    let contact_request = intent == Intent::ContactRequest;
    let contacted = if contact_request { 0.85 } else { 0.12 };
    if !random.chance(contacted) {
        // Never contacted: some are closed unread (a duplicate, a student), the rest stay open.
        if random.chance(0.1) {
            let reason = *random.pick(&[
                ClosedReason::Duplicate,
                ClosedReason::StudentOrResearcher,
                ClosedReason::NotOurMarket,
            ]);
            step(
                LeadStatus::Closed,
                Some(reason),
                random.log_uniform_ms(30 * MINUTE, 2 * DAY),
            );
        }
    } else {
        // Contact requests are answered in minutes to two days; downloads after days, if at all.
        let delay = if contact_request {
            random.log_uniform_ms(5 * MINUTE, 48 * HOUR)
        } else {
            random.log_uniform_ms(DAY, 7 * DAY)
        };
        step(LeadStatus::Contacted, None, delay);
        if random.chance(0.12) {
            step(
                LeadStatus::Closed,
                Some(ClosedReason::NotInterested),
                random.log_uniform_ms(HOUR, 4 * DAY),
            );
        } else if random.chance(if contact_request { 0.55 } else { 0.3 }) {
            step(
                LeadStatus::Qualified,
                None,
                random.log_uniform_ms(DAY, 6 * DAY),
            );
            if random.chance(0.4) {
                step(
                    LeadStatus::Converted,
                    None,
                    random.log_uniform_ms(3 * DAY, 14 * DAY),
                );
            } else if random.chance(0.2) {
                step(
                    LeadStatus::Closed,
                    Some(ClosedReason::NotInterested),
                    random.log_uniform_ms(DAY, 10 * DAY),
                );
            }
        }
    }
    // What has not happened yet by now is not in the store.
    story.retain(|change| change.changed_at_ms <= now_ms);
    story
}

/// The delivery destinations demo leads report: the CRM a Brightchart marketer would use.
fn demo_deliveries(intent: Intent) -> Vec<NewDelivery> {
    let mut deliveries = vec![NewDelivery {
        destination_index: 0,
        destination_kind: "webhook".into(),
        destination_id: "crm-webhook".into(),
        destination_key: "webhook:crm.brightchart.example".into(),
    }];
    if intent == Intent::ContactRequest {
        deliveries.push(NewDelivery {
            destination_index: 1,
            destination_kind: "salesforce_web_to_lead".into(),
            destination_id: "salesforce".into(),
            destination_key: "salesforce:00D5g000004abcd".into(),
        });
    }
    deliveries
}

/// Fills an empty store with six weeks of leads up to `now_ms` (this week so far and the five
/// whole weeks before it), from `forms`: several campaigns
/// and lead sources, contact requests and downloads, some spam, people who download more than
/// once, status changes with realistic delays, and deliveries of which a few are dead or retrying.
/// A store that already holds leads is left alone.
pub async fn seed_demo(
    store: &Store,
    forms: &[FormDefinition],
    now_ms: i64,
) -> Result<SeedOutcome, DemoError> {
    if !store.export_leads().await?.is_empty() {
        return Ok(SeedOutcome::AlreadyHasLeads);
    }
    seed_empty(store, forms, now_ms).await
}

async fn seed_empty(
    store: &Store,
    forms: &[FormDefinition],
    now_ms: i64,
) -> Result<SeedOutcome, DemoError> {
    let mut random = DemoRandom::new(DEMO_SEED);
    let form_embeds: Vec<(&FormDefinition, Vec<(Embed, u32)>)> =
        forms.iter().map(|form| (form, embeds(form))).collect();
    let weighted_forms: Vec<(usize, u32)> = form_embeds
        .iter()
        .enumerate()
        .map(|(index, (form, _))| (index, if form.kind == FormKind::Contact { 2 } else { 3 }))
        .collect();
    let mut people: Vec<DemoPerson> = Vec::new();
    let mut downloaders: Vec<usize> = Vec::new();
    let (mut leads, mut spam, mut status_changes) = (0, 0, 0);

    // Whole weeks: from the Monday five weeks before this week's, up to now.
    let days_since_monday = (now_ms.div_euclid(DAY) + 3).rem_euclid(7);
    let start_ms = (now_ms.div_euclid(DAY) - days_since_monday - (WEEKS - 1) * 7) * DAY;
    let days = (now_ms - start_ms).div_euclid(DAY) + 1;
    for day in 0..days {
        let day_ms = start_ms + day * DAY;
        let weekday = (day_ms.div_euclid(DAY) + 3).rem_euclid(7); // 0 = Monday
                                                                  // Busier on weekdays, and growing week by week as the campaigns ramp up.
        let base = if weekday < 5 { 7 } else { 2 };
        let count = base + day / 7 + i64::try_from(random.below(5)).unwrap_or(0);
        for _ in 0..count {
            let received_at_ms = day_ms + i64::try_from(random.below(DAY as u64)).unwrap_or(0);
            if received_at_ms > now_ms {
                continue;
            }
            let (form, form_embeds) = &form_embeds[*random.weighted(&weighted_forms)];
            let intent = Intent::from(form.kind);
            let embed = random.weighted(form_embeds);
            let is_spam = random.chance(0.06);
            let person = if is_spam {
                DemoPerson {
                    email: format!("win-{}@prize.example", random.below(1_000_000)),
                    ..DemoPerson::invent(&mut random, people.len())
                }
            } else if intent == Intent::ContentDownload
                && !downloaders.is_empty()
                && random.chance(0.25)
            {
                // A repeat download: the duplicate check's third-download-by-one-person case.
                people[*random.pick(&downloaders)].clone()
            } else if !people.is_empty() && random.chance(0.08) {
                people[random.below(people.len() as u64) as usize].clone()
            } else {
                people.push(DemoPerson::invent(&mut random, people.len()));
                people[people.len() - 1].clone()
            };
            if intent == Intent::ContentDownload && !is_spam {
                if let Some(index) = people.iter().position(|p| p.email == person.email) {
                    downloaders.push(index);
                }
            }
            let fields = field_values(form, &person, &mut random);
            let touch = embed.utm.map(|(source, medium)| {
                serde_json::json!({
                    "utm_source": source, "utm_medium": medium,
                    "utm_campaign": embed.campaign_id.to_lowercase(),
                    "captured_at": rfc3339_from_ms(received_at_ms - random.log_uniform_ms(MINUTE, 10 * DAY)),
                })
            });
            let lead: LeadSubmission = serde_json::from_value(serde_json::json!({
                "form_id": form.id,
                "submission_id": submission_id(&mut random),
                "fields": fields,
                "hidden": {"lead_source": embed.lead_source, "campaign_id": embed.campaign_id},
                "page_url": "http://127.0.0.1:8080/",
                "page_title": form.title,
                "submitted_at": rfc3339_from_ms(received_at_ms),
                "locale": "en-US",
                "attribution": touch.map(|t| serde_json::json!({"first_touch": t.clone(), "last_touch": t})),
                "bot_check": {"honeypot": "", "fill_ms": if is_spam { 900 } else { 20_000 + random.below(90_000) }},
            }))
            .map_err(|e| DemoError::Forms {
                path: form.id.clone(),
                detail: format!("a demo lead does not fit LeadSubmission: {e}"),
            })?;
            let raw_payload =
                serde_json::to_string(&lead).map_err(leadform_store::StoreError::EncodeLead)?;
            let lead_id = store
                .insert_lead(NewLead {
                    lead,
                    raw_payload,
                    intent,
                    email: Some(person.email.clone()),
                    is_spam,
                    received_at_ms,
                    client_ip: Some("203.0.113.7".into()),
                    hubspotutk: None,
                    user_agent: None,
                    visitor_id: None,
                    previous_visitor_id: None,
                    profile_answers: None,
                    deliveries: demo_deliveries(intent),
                    form_token: None,
                })
                .await?
                .lead_id();
            leads += 1;
            if is_spam {
                spam += 1;
                continue;
            }
            for change in status_story(&mut random, intent, lead_id, received_at_ms, now_ms) {
                store
                    .change_lead_status(
                        change.lead_id,
                        change.to_status,
                        change.closed_reason,
                        &change.changed_by,
                        change.changed_at_ms,
                    )
                    .await?;
                status_changes += 1;
            }
        }
    }
    let dead_deliveries = settle_deliveries(store, &mut random, now_ms).await?;
    Ok(SeedOutcome::Seeded {
        leads,
        spam,
        status_changes,
        dead_deliveries,
    })
}

/// Gives every demo delivery an outcome through the real outbox API: most delivered, a few dead
/// with the vendor's reason, a few waiting for a retry. Returns how many are dead.
async fn settle_deliveries(
    store: &Store,
    random: &mut DemoRandom,
    now_ms: i64,
) -> Result<usize, DemoError> {
    let mut dead = 0;
    loop {
        let claimed = store.claim_due(now_ms, 500, HOUR).await?;
        if claimed.is_empty() {
            return Ok(dead);
        }
        for delivery in claimed {
            let roll = random.unit();
            if roll < 0.05 {
                let reason = if delivery.destination_key.starts_with("salesforce") {
                    "HTTP 200 with a Salesforce error page: invalid Organization ID"
                } else {
                    "HTTP 410 Gone: the webhook was removed"
                };
                store
                    .mark_dead(delivery.id, &delivery.claim_token, reason)
                    .await?;
                dead += 1;
            } else if roll < 0.08 {
                // Due again later than this loop's `now`, so the loop does not claim it again.
                let next = now_ms + random.log_uniform_ms(10 * MINUTE, 2 * HOUR);
                store
                    .schedule_retry(
                        delivery.id,
                        &delivery.claim_token,
                        next,
                        "HTTP 503 Service Unavailable",
                        true,
                    )
                    .await?;
            } else {
                store
                    .mark_delivered(delivery.id, &delivery.claim_token, "HTTP 200")
                    .await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_ids_look_like_uuid_v4() {
        let id = submission_id(&mut DemoRandom::new(1));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn status_stories_are_in_order_and_never_in_the_future() {
        let mut random = DemoRandom::new(3);
        for lead_id in 0..500 {
            let received = 1_000 * DAY;
            let now = received + 3 * DAY;
            let story = status_story(&mut random, Intent::ContactRequest, lead_id, received, now);
            assert!(story
                .windows(2)
                .all(|w| w[0].changed_at_ms <= w[1].changed_at_ms));
            assert!(story
                .iter()
                .all(|c| c.changed_at_ms > received && c.changed_at_ms <= now));
        }
    }
}
