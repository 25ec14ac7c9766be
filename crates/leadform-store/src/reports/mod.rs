//! The console's overview figures (issue 9) for a date range and optionally one form, computed by
//! the database on SQLite and PostgreSQL through the same API.
//!
//! Spam leads are left out of every figure except [`FormSpamShare`]. Each figure has its own file;
//! [`Store::overview`] runs them all.

mod delivery_health;
mod engagement;
mod funnel;
mod query;
mod speed_to_lead;
mod volume;
mod weeks;

pub use delivery_health::DestinationHealth;
pub use funnel::{SourceFunnel, FUNNEL_STAGES};
pub use query::{OverviewQuery, ReportError, DEFAULT_RESPONSE_TARGET_HOURS, MAX_REPORT_WEEKS};
pub use speed_to_lead::{OverdueContactRequest, SpeedToLead, OVERDUE_LIST_LIMIT};
pub use volume::{FormSpamShare, IntentSplit, WeeklySeries};
pub use weeks::ReportWeek;

use serde::Serialize;

use crate::Store;

/// Everything on the console's overview page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Every week the range touches, Monday 00:00 UTC, oldest first; weeks without leads included.
    pub weeks: Vec<ReportWeek>,
    /// Leads per week by `campaign_id`, one count per entry of `weeks`; most leads first.
    pub leads_by_campaign: Vec<WeeklySeries>,
    /// Leads per week by `lead_source`, like `leads_by_campaign`.
    pub leads_by_lead_source: Vec<WeeklySeries>,
    pub intent_split: IntentSplit,
    /// One funnel per lead source, most leads first.
    pub funnel_by_lead_source: Vec<SourceFunnel>,
    pub speed_to_lead: SpeedToLead,
    /// Deliveries not yet delivered, by destination. Not limited to the date range: a dead
    /// delivery from last quarter still needs a retry. Limited to the form when one is chosen.
    pub delivery_health: Vec<DestinationHealth>,
    /// Every form with leads in the range, spam counted; by form id.
    pub spam_share_by_form: Vec<FormSpamShare>,
}

impl Store {
    /// Computes the whole overview. `query.now_ms` is the moment "overdue" is judged at.
    pub async fn overview(&self, query: &OverviewQuery) -> Result<Overview, ReportError> {
        query.check()?;
        let weeks = weeks::weeks_between(query.from_ms, query.until_ms);
        // The figures are independent queries: run them at once, each on its own pooled
        // connection (SQLite's WAL lets readers run side by side).
        let (volume, funnel_by_lead_source, speed_to_lead, delivery_health) = tokio::try_join!(
            volume::lead_volume(&self.backend, query, weeks.len()),
            funnel::funnel_by_lead_source(&self.backend, query),
            speed_to_lead::speed_to_lead(&self.backend, query),
            delivery_health::delivery_health(&self.backend, query),
        )?;
        Ok(Overview {
            weeks,
            leads_by_campaign: volume.by_campaign,
            leads_by_lead_source: volume.by_lead_source,
            intent_split: volume.intent_split,
            funnel_by_lead_source,
            speed_to_lead,
            delivery_health,
            spam_share_by_form: volume.spam_share_by_form,
        })
    }
}
