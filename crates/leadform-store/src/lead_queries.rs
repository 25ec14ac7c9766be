//! The console's reads: the filtered, paged leads list (also its CSV), one lead with its person's
//! other leads, deliveries and status history, and the open contact requests for the overview.
//! The same SQL on both backends except the JSON path used to search names.

use crate::backend::{with_backend, Dialect};
use crate::clock::rfc3339_from_ms;
use crate::console_error::ConsoleStoreError;
use crate::deliveries::{delivery_records, DeliveryRow, LIST_SQL};
use crate::error::StoreError;
use crate::intent_column::read_intent;
use crate::lead_json_column::read_lead_json;
use crate::lead_work::{ClosedReason, LeadStatus};
use crate::model::DeliveryRecord;
use crate::Store;
use leadform_core::{Intent, LeadSubmission};
use serde::Serialize;

/// Which leads by their spam flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SpamFilter {
    /// People's leads only: what a marketer means by "the leads".
    #[default]
    NotSpam,
    OnlySpam,
    Any,
}

/// The leads list's filters; every `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFilter {
    pub form_id: Option<String>,
    pub campaign_id: Option<String>,
    pub lead_source: Option<String>,
    pub intent: Option<Intent>,
    pub status: Option<LeadStatus>,
    /// Received at or after (ms since the epoch).
    pub received_from_ms: Option<i64>,
    /// Received strictly before.
    pub received_before_ms: Option<i64>,
    /// Email or name contains this, ignoring case.
    pub text: Option<String>,
    pub spam: SpamFilter,
    pub owner_user_id: Option<i64>,
    /// Only leads whose person's current score (as stored: the decay handlers have written) is at
    /// least this.
    pub min_score: Option<i64>,
    /// Only leads whose person gained at least this many points this week.
    pub min_velocity: Option<MinVelocity>,
}

/// "Gained at least `points` since `week_start_ms`" (the current week's Monday on the caller's
/// clock). A scored person with nothing this week has gained 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinVelocity {
    pub points: i64,
    pub week_start_ms: i64,
}

/// The persons of the current scoring run, by their score log.
const CURRENT_SCORE_LOG: &str =
    "SELECT person_id FROM score_log WHERE run_id = (SELECT COALESCE(MAX(id), 0) FROM score_runs)
     GROUP BY person_id";

/// One lead as the list and the CSV show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadSummary {
    pub id: i64,
    pub submission_id: String,
    pub form_id: String,
    pub intent: Intent,
    pub email: Option<String>,
    pub campaign_id: Option<String>,
    pub lead_source: Option<String>,
    pub status: LeadStatus,
    pub closed_reason: Option<ClosedReason>,
    pub is_spam: bool,
    pub person_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    pub owner_name: Option<String>,
    pub received_at_ms: i64,
    /// RFC 3339, UTC.
    pub received_at: String,
    pub first_contacted_at_ms: Option<i64>,
    pub lead: LeadSubmission,
}

impl LeadSummary {
    /// "First Last", or `name`, or empty: what the visitor typed.
    pub fn display_name(&self) -> String {
        let field = |name: &str| self.lead.fields.get(name).map(|v| v.trim()).unwrap_or("");
        let joined = format!("{} {}", field("first_name"), field("last_name"));
        let joined = joined.trim();
        if joined.is_empty() {
            field("name").to_owned()
        } else {
            joined.to_owned()
        }
    }
}

/// One page of the leads list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadListPage {
    pub leads: Vec<LeadSummary>,
    /// How many leads match the filter in all.
    pub total: u64,
}

/// One entry of a lead's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusHistoryEntry {
    pub changed_by: String,
    pub from_status: String,
    pub to_status: String,
    pub closed_reason: Option<String>,
    pub changed_at_ms: i64,
    pub changed_at: String,
}

/// Everything the lead page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadDetail {
    pub summary: LeadSummary,
    /// Every lead of the same person, oldest first, this one included.
    pub person_leads: Vec<LeadSummary>,
    pub deliveries: Vec<DeliveryRecord>,
    /// Oldest first.
    pub history: Vec<StatusHistoryEntry>,
}

const SUMMARY_COLUMNS: &str = "l.id, l.submission_id, l.form_id, l.intent, l.email, l.campaign_id,
    l.lead_source, l.status, l.closed_reason, l.is_spam, l.person_id, l.owner_user_id,
    u.name AS owner_name, l.received_at_ms, l.first_contacted_at_ms, l.lead_json
    FROM leads l LEFT JOIN users u ON u.id = l.owner_user_id";

/// A value bound to a `$n` placeholder of a built query.
enum Bound {
    Text(String),
    Int(i64),
    Flag(bool),
}

/// Lower-cased `%text%` with LIKE's wildcards escaped, so `50%` finds "50%" only.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The visitor's name, lower-cased, from the stored JSON (first, last and single-field name).
fn name_expression(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "lower(COALESCE(json_extract(l.lead_json, '$.fields.first_name'), '') || ' ' ||
                   COALESCE(json_extract(l.lead_json, '$.fields.last_name'), '') || ' ' ||
                   COALESCE(json_extract(l.lead_json, '$.fields.name'), ''))"
        }
        Dialect::Postgres => {
            "lower(COALESCE(l.lead_json::jsonb #>> '{fields,first_name}', '') || ' ' ||
                   COALESCE(l.lead_json::jsonb #>> '{fields,last_name}', '') || ' ' ||
                   COALESCE(l.lead_json::jsonb #>> '{fields,name}', ''))"
        }
    }
}

/// ` WHERE ...` for `filter` and the values for its placeholders, numbered from `$1`.
fn where_clause(filter: &LeadFilter, dialect: Dialect) -> (String, Vec<Bound>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Bound> = Vec::new();
    let mut push = |condition: &str, value: Bound, values: &mut Vec<Bound>| {
        values.push(value);
        conditions.push(condition.replace("{}", &format!("${}", values.len())));
    };
    let text_filters = [
        ("l.form_id = {}", &filter.form_id),
        ("l.campaign_id = {}", &filter.campaign_id),
        ("l.lead_source = {}", &filter.lead_source),
    ];
    for (condition, value) in text_filters {
        if let Some(value) = value {
            push(condition, Bound::Text(value.clone()), &mut values);
        }
    }
    if let Some(intent) = filter.intent {
        push(
            "l.intent = {}",
            Bound::Text(intent.as_str().into()),
            &mut values,
        );
    }
    if let Some(status) = filter.status {
        push(
            "l.status = {}",
            Bound::Text(status.as_str().into()),
            &mut values,
        );
    }
    if let Some(from) = filter.received_from_ms {
        push("l.received_at_ms >= {}", Bound::Int(from), &mut values);
    }
    if let Some(before) = filter.received_before_ms {
        push("l.received_at_ms < {}", Bound::Int(before), &mut values);
    }
    if let Some(owner) = filter.owner_user_id {
        push("l.owner_user_id = {}", Bound::Int(owner), &mut values);
    }
    match filter.spam {
        SpamFilter::NotSpam => push("l.is_spam = {}", Bound::Flag(false), &mut values),
        SpamFilter::OnlySpam => push("l.is_spam = {}", Bound::Flag(true), &mut values),
        SpamFilter::Any => {}
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let condition = format!(
            "(lower(COALESCE(l.email, '')) LIKE {{}} ESCAPE '\\' OR {} LIKE {{}} ESCAPE '\\')",
            name_expression(dialect)
        );
        push(&condition, Bound::Text(contains_pattern(text)), &mut values);
    }
    if let Some(min_score) = filter.min_score {
        push(
            &format!("l.person_id IN ({CURRENT_SCORE_LOG} HAVING SUM(delta) >= {{}})"),
            Bound::Int(min_score),
            &mut values,
        );
    }
    if let Some(MinVelocity {
        points,
        week_start_ms,
    }) = filter.min_velocity
    {
        values.push(Bound::Int(week_start_ms));
        let week = values.len();
        values.push(Bound::Int(points));
        conditions.push(format!(
            "l.person_id IN ({CURRENT_SCORE_LOG}
             HAVING SUM(CASE WHEN at_ms >= ${week} THEN delta ELSE 0 END) >= ${})",
            week + 1
        ));
    }
    if conditions.is_empty() {
        (String::new(), values)
    } else {
        (format!(" WHERE {}", conditions.join(" AND ")), values)
    }
}

/// Binds `$values` onto `$query` in order.
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Bound::Text(text) => query.bind(text.clone()),
                Bound::Int(number) => query.bind(*number),
                Bound::Flag(flag) => query.bind(*flag),
            };
        }
        query
    }};
}

/// A row with the [`SUMMARY_COLUMNS`], as stored.
#[derive(sqlx::FromRow)]
struct LeadSummaryRow {
    id: i64,
    submission_id: String,
    form_id: String,
    intent: String,
    email: Option<String>,
    campaign_id: Option<String>,
    lead_source: Option<String>,
    status: String,
    closed_reason: Option<String>,
    is_spam: bool,
    person_id: Option<i64>,
    owner_user_id: Option<i64>,
    owner_name: Option<String>,
    received_at_ms: i64,
    first_contacted_at_ms: Option<i64>,
    lead_json: String,
}

impl TryFrom<LeadSummaryRow> for LeadSummary {
    type Error = StoreError;

    fn try_from(row: LeadSummaryRow) -> Result<Self, StoreError> {
        let lead = read_lead_json(row.id, &row.lead_json)?;
        Ok(LeadSummary {
            intent: read_intent(row.id, &row.intent)?,
            id: row.id,
            submission_id: row.submission_id,
            form_id: row.form_id,
            email: row.email,
            campaign_id: row.campaign_id,
            lead_source: row.lead_source,
            status: LeadStatus::parse(&row.status).unwrap_or(LeadStatus::Open),
            closed_reason: row.closed_reason.as_deref().and_then(ClosedReason::parse),
            is_spam: row.is_spam,
            person_id: row.person_id,
            owner_user_id: row.owner_user_id,
            owner_name: row.owner_name,
            received_at_ms: row.received_at_ms,
            received_at: rfc3339_from_ms(row.received_at_ms),
            first_contacted_at_ms: row.first_contacted_at_ms,
            lead,
        })
    }
}

/// The summaries of `rows`; a lead whose JSON or intent no release writes is a corrupt row.
fn lead_summaries(rows: Vec<LeadSummaryRow>) -> Result<Vec<LeadSummary>, StoreError> {
    rows.into_iter().map(LeadSummary::try_from).collect()
}

/// A `lead_status_changes` row, as stored.
#[derive(sqlx::FromRow)]
struct StatusChangeRow {
    changed_by: String,
    from_status: String,
    to_status: String,
    closed_reason: Option<String>,
    changed_at_ms: i64,
}

impl From<StatusChangeRow> for StatusHistoryEntry {
    fn from(row: StatusChangeRow) -> Self {
        StatusHistoryEntry {
            changed_by: row.changed_by,
            from_status: row.from_status,
            to_status: row.to_status,
            closed_reason: row.closed_reason,
            changed_at_ms: row.changed_at_ms,
            changed_at: rfc3339_from_ms(row.changed_at_ms),
        }
    }
}

impl Store {
    /// Leads matching `filter`, newest first, `limit` from `offset`, with the total that match.
    pub async fn list_leads(
        &self,
        filter: &LeadFilter,
        offset: u64,
        limit: u32,
    ) -> Result<LeadListPage, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let (where_sql, values) = where_clause(filter, dialect);
            let count_sql = format!("SELECT COUNT(*) FROM leads l{where_sql}");
            let total: i64 = bind_all!(sqlx::query_scalar(&count_sql), &values)
                .fetch_one(pool)
                .await
                .map_err(fail("count the leads"))?;
            let n = values.len();
            let list_sql = format!(
                "SELECT {SUMMARY_COLUMNS}{where_sql}
                 ORDER BY l.received_at_ms DESC, l.id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            );
            let rows: Vec<LeadSummaryRow> = bind_all!(sqlx::query_as(&list_sql), &values)
                .bind(i64::from(limit))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await
                .map_err(fail("list the leads"))?;
            Ok(LeadListPage {
                leads: lead_summaries(rows)?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    /// One lead with its person's leads, its deliveries and its status history; `None` if unknown.
    pub async fn lead_detail(&self, lead_id: i64) -> Result<Option<LeadDetail>, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let row: Option<LeadSummaryRow> =
                sqlx::query_as(&format!("SELECT {SUMMARY_COLUMNS} WHERE l.id = $1"))
                    .bind(lead_id)
                    .fetch_optional(pool)
                    .await
                    .map_err(fail("read the lead"))?;
            let Some(row) = row else {
                return Ok(None);
            };
            let summary = LeadSummary::try_from(row)?;
            let mut person_leads = Vec::new();
            if let Some(person_id) = summary.person_id {
                let rows: Vec<LeadSummaryRow> = sqlx::query_as(&format!(
                    "SELECT {SUMMARY_COLUMNS} WHERE l.person_id = $1
                     ORDER BY l.received_at_ms, l.id"
                ))
                .bind(person_id)
                .fetch_all(pool)
                .await
                .map_err(fail("read the person's leads"))?;
                person_leads = lead_summaries(rows)?;
            }
            let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
                "{LIST_SQL} WHERE d.lead_id = $1 ORDER BY d.destination_index"
            ))
            .bind(lead_id)
            .fetch_all(pool)
            .await
            .map_err(fail("read the lead's deliveries"))?;
            let deliveries = delivery_records(rows)?;
            let rows: Vec<StatusChangeRow> = sqlx::query_as(
                "SELECT changed_by, from_status, to_status, closed_reason, changed_at_ms
                 FROM lead_status_changes WHERE lead_id = $1 ORDER BY changed_at_ms, id",
            )
            .bind(lead_id)
            .fetch_all(pool)
            .await
            .map_err(fail("read the status history"))?;
            Ok(Some(LeadDetail {
                summary,
                person_leads,
                deliveries,
                history: rows.into_iter().map(StatusHistoryEntry::from).collect(),
            }))
        })
    }

    /// Contact requests still `open` (not spam), oldest first, at most `limit`: the overview picks
    /// those past their form's response target.
    pub async fn open_contact_requests(
        &self,
        limit: u32,
    ) -> Result<Vec<LeadSummary>, ConsoleStoreError> {
        with_backend!(&self.backend, |pool, dialect| {
            let fail = |action| ConsoleStoreError::query(dialect.name(), action);
            let rows: Vec<LeadSummaryRow> = sqlx::query_as(&format!(
                "SELECT {SUMMARY_COLUMNS}
                 WHERE l.intent = 'contact_request' AND l.status = 'open' AND l.is_spam = $1
                 ORDER BY l.received_at_ms, l.id LIMIT $2"
            ))
            .bind(false)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(fail("list the open contact requests"))?;
            Ok(lead_summaries(rows)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_search_are_literal() {
        assert_eq!(contains_pattern("Ada"), "%ada%");
        assert_eq!(contains_pattern("50%_\\"), "%50\\%\\_\\\\%");
    }
}
