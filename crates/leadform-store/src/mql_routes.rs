//! Where a `lead.mql` goes (issue 10 §5): per form, the destinations that subscribe to it. The
//! handler gives the store its forms' routes; scoring queues one delivery per route of the person's
//! latest lead's form in the transaction that takes the person over the threshold.

use crate::error::StoreError;
use crate::model::NewDelivery;
use crate::score_tx::ScoreTx;
use leadform_core::definition::LeadEvent;
use leadform_core::FormDefinition;
use leadform_scoring::LogRow;
use std::collections::BTreeMap;

/// Per form id, the `lead.mql` subscribers. Empty (the default) queues nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MqlRoutes {
    by_form: BTreeMap<String, Vec<NewDelivery>>,
}

impl MqlRoutes {
    /// The subscribers of every form given.
    pub fn from_forms<'a>(forms: impl IntoIterator<Item = &'a FormDefinition>) -> Self {
        let by_form = forms
            .into_iter()
            .map(|form| {
                let subscribers = form
                    .destinations
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.subscribes_to(LeadEvent::Mql))
                    .map(|(index, d)| NewDelivery::for_destination(index, d))
                    .collect::<Vec<_>>();
                (form.id.clone(), subscribers)
            })
            .filter(|(_, subscribers)| !subscribers.is_empty())
            .collect();
        MqlRoutes { by_form }
    }

    fn for_form(&self, form_id: &str) -> &[NewDelivery] {
        self.by_form.get(form_id).map_or(&[], Vec::as_slice)
    }
}

/// The score at `at_ms`: every row up to and including that moment.
fn score_at(log: &[LogRow], at_ms: i64) -> i64 {
    log.iter()
        .filter(|row| row.at_ms <= at_ms)
        .map(|row| row.delta)
        .sum()
}

/// Queues the `lead.mql` deliveries for a person who just crossed the threshold at `mql_at_ms`;
/// returns how many. The person's latest lead (not spam, not erased) names the form.
pub(crate) async fn queue_mql_deliveries<T: ScoreTx>(
    tx: &mut T,
    routes: &MqlRoutes,
    person_id: i64,
    log: &[LogRow],
    mql_at_ms: i64,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let Some((lead_id, form_id)) = tx.latest_lead(person_id).await? else {
        return Ok(0);
    };
    let score = score_at(log, mql_at_ms);
    let mut queued = 0;
    for route in routes.for_form(&form_id) {
        if tx
            .queue_mql_delivery(lead_id, route, score, mql_at_ms, now_ms)
            .await?
        {
            queued += 1;
        }
    }
    Ok(queued)
}
