//! A group commit's batch as sets: one statement per table for all its leads, not one per lead.
//!
//! Every statement is a round trip (a thread hop on SQLite, a network trip on PostgreSQL), and
//! per lead there were about eighteen. Here the form tokens, leads, persons, deliveries, score
//! events and score log rows of the whole batch go in one statement each, and the reads that
//! decide them (stored persons, score logs, earlier submissions, MQL times) are one query each.
//! The answers are the ones [`crate::lead_steps::spend_token_then_store_lead`] gives lead by lead.
//!
//! That equivalence needs the leads of a batch to be independent of each other: no two share a
//! submission id, an email or a visitor id ([`plain_batch`]). Otherwise, or when any statement
//! fails, the committer uses the savepoint path, lead by lead. The statements themselves are in
//! [`statements`], one implementation per database.

mod postgres;
mod sqlite;
mod statements;

use crate::lead_steps::{person_email, LeadRow, LeadSteps};
use crate::model::{InsertOutcome, NewDelivery, NewLead};
use crate::mql_routes::MqlRoutes;
use crate::score_tx::ScoreTx;
use crate::scores::{
    email_landing_detail, email_landing_event, mark_mql_if_crossed, submitted_event,
};
use crate::StoreError;
use leadform_core::KnownProfile;
use leadform_scoring::{
    decay_rows, first_mql_at, score_event, LogRow, ScoreEventKind, ScoringRules,
};
use statements::{BatchStatements, LeadPerson, TokenUse};
use std::collections::{HashMap, HashSet};

/// A lead as the committer queued it, with the rules that score it.
#[derive(Clone, Copy)]
pub(crate) struct BatchLead<'a> {
    pub new: &'a NewLead,
    pub scoring: Option<&'a ScoringRules>,
}

/// A lead with its row values and the rules that score it.
pub(crate) struct ScoredLead<'a> {
    pub row: LeadRow<'a>,
    pub scoring: Option<&'a ScoringRules>,
}

/// `true` when no two leads share a submission id, an email or a visitor id (current or previous)
/// and all scored leads use the same rules: then storing them as sets answers each exactly as
/// storing them one after another would. Two leads may share a form token: the first in queue
/// order spends it, as it would alone, and the other is a replay.
pub(crate) fn plain_batch(leads: &[BatchLead<'_>]) -> bool {
    let mut submission_ids = HashSet::new();
    let mut emails = HashSet::new();
    let mut visitor_ids = HashSet::new();
    let rules = leads.iter().find_map(|lead| lead.scoring);
    leads.iter().all(|lead| {
        let new = lead.new;
        submission_ids.insert(new.lead.submission_id.as_str())
            && person_email(new).is_none_or(|e| emails.insert(e))
            && [&new.visitor_id, &new.previous_visitor_id]
                .into_iter()
                .flatten()
                .all(|id| visitor_ids.insert(id.as_str()))
            && match (lead.scoring, rules) {
                (Some(mine), Some(first)) => std::ptr::eq(mine, first),
                _ => true,
            }
    })
}

/// Stores a [`plain_batch`]: spends the leads' form tokens, then stores the leads as sets, each
/// answered as `spend_token_then_store_lead` would answer it alone. `None` for a lead whose row
/// cannot be built: it runs alone after the commit, to get its own error.
pub(crate) async fn store_batch<T: BatchStatements + LeadSteps + ScoreTx>(
    tx: &mut T,
    leads: &[BatchLead<'_>],
    routes: &MqlRoutes,
) -> Result<Vec<Option<InsertOutcome>>, StoreError> {
    let replayed = spend_form_tokens(tx, leads).await?;
    // A replay is stored as spam: its own copy, marked so (rare).
    let spam_copies: Vec<Option<NewLead>> = leads
        .iter()
        .zip(&replayed)
        .map(|(lead, &replayed)| replayed.then(|| lead.new.clone().into_spam()))
        .collect();
    let mut scored = Vec::with_capacity(leads.len());
    let mut positions = Vec::with_capacity(leads.len());
    for (position, (lead, copy)) in leads.iter().zip(&spam_copies).enumerate() {
        if let Ok(row) = LeadRow::new(copy.as_ref().unwrap_or(lead.new)) {
            scored.push(ScoredLead {
                row,
                scoring: lead.scoring,
            });
            positions.push(position);
        }
    }
    let stored = store_leads(tx, &scored, routes).await?;
    let mut answers = vec![None; leads.len()];
    for (position, outcome) in positions.into_iter().zip(stored) {
        answers[position] = Some(outcome.with_replayed_form_token(replayed[position]));
    }
    Ok(answers)
}

/// Records the use of every lead's form token (first writer wins, in queue order): for each lead,
/// whether another submission spent its token first.
async fn spend_form_tokens<T: BatchStatements>(
    tx: &mut T,
    leads: &[BatchLead<'_>],
) -> Result<Vec<bool>, StoreError> {
    let tokens: Vec<TokenUse<'_>> = leads
        .iter()
        .filter_map(|lead| {
            Some(TokenUse {
                token_id: lead.new.form_token.as_deref()?,
                submission_id: &lead.new.lead.submission_id,
                now_ms: lead.new.received_at_ms,
            })
        })
        .collect();
    if tokens.is_empty() {
        return Ok(vec![false; leads.len()]);
    }
    let mut owners = tx.insert_form_tokens(&tokens).await?;
    // Tokens spent before this batch (rare: a retry or a replay): whose they are.
    let spent_before: Vec<&str> = tokens
        .iter()
        .map(|token| token.token_id)
        .filter(|token_id| !owners.contains_key(*token_id))
        .collect();
    if !spent_before.is_empty() {
        owners.extend(tx.form_token_owners(&spent_before).await?);
    }
    leads
        .iter()
        .map(|lead| {
            let Some(token) = lead.new.form_token.as_deref() else {
                return Ok(false);
            };
            match owners.get(token) {
                Some(owner) => Ok(*owner != lead.new.lead.submission_id),
                None => Err(StoreError::CorruptRow {
                    what: "used form token".to_owned(),
                    detail: "the token just recorded cannot be read back".to_owned(),
                }),
            }
        })
        .collect()
}

/// Stores a [`plain_batch`] of leads: the same rows and answers as `store_lead` for each in turn.
async fn store_leads<T: BatchStatements + LeadSteps + ScoreTx>(
    tx: &mut T,
    leads: &[ScoredLead<'_>],
    routes: &MqlRoutes,
) -> Result<Vec<InsertOutcome>, StoreError> {
    // A batch of form tokens only: no statement can have an empty VALUES list.
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<&LeadRow<'_>> = leads.iter().map(|lead| &lead.row).collect();
    // Persons first, so that each lead is inserted already linked: linking it afterwards was an
    // update that, on PostgreSQL, wrote a second version of the lead into every one of its indexes.
    let row_persons = find_or_create_persons(tx, &rows).await?;
    let inserted = tx.insert_leads(&rows, &row_persons).await?;
    let mut outcomes = Vec::with_capacity(leads.len());
    // Leads this batch stored and that are no spam: they get a person, a profile, deliveries.
    let mut fresh: Vec<(usize, i64)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let new = row.new;
        match inserted.get(&new.lead.submission_id) {
            Some(&lead_id) => {
                let person = row_persons[index];
                outcomes.push(InsertOutcome::Inserted {
                    lead_id,
                    person_id: person.map(|person| person.id),
                    first_for_person: person.is_some_and(|person| person.created),
                    replayed_form_token: false,
                });
                if !new.is_spam {
                    fresh.push((index, lead_id));
                }
            }
            None => {
                // Stored before: answer with it, as `store_lead` does (rare: a retry).
                let (lead_id, stored_hash) = tx.stored_lead(&new.lead.submission_id).await?;
                outcomes.push(InsertOutcome::AlreadyStored {
                    lead_id,
                    same_payload: stored_hash == row.hash,
                });
            }
        }
    }
    // A person created for a lead that another transaction stored meanwhile has no new lead: lead
    // by lead it would not exist (rare: see `find_or_create_persons`).
    let orphans: Vec<i64> = rows
        .iter()
        .zip(&row_persons)
        .filter(|(row, _)| !inserted.contains_key(&row.new.lead.submission_id))
        .filter_map(|(_, person)| person.filter(|person| person.created))
        .map(|person| person.id)
        .collect();
    if !orphans.is_empty() {
        tx.forget_persons(&orphans).await?;
    }
    // Persons whose first lead took an id kept for it are linked already.
    let first_leads: Vec<(i64, i64)> = fresh
        .iter()
        .filter_map(|&(index, lead_id)| match row_persons[index] {
            Some(person) if person.created && person.reserved_lead_id.is_none() => {
                Some((person.id, lead_id))
            }
            _ => None,
        })
        .collect();
    if !first_leads.is_empty() {
        tx.set_first_leads(&first_leads).await?;
    }
    // `lead id → its person` for the fresh leads that have one.
    let persons: HashMap<i64, LeadPerson> = fresh
        .iter()
        .filter_map(|&(index, lead_id)| Some((lead_id, row_persons[index]?)))
        .collect();
    // No two leads of a plain batch share a visitor id, so all moves then all merges is what
    // lead by lead would do.
    let moves: Vec<(&str, &str)> = fresh
        .iter()
        .filter_map(|&(index, _)| {
            let new = rows[index].new;
            Some((
                new.previous_visitor_id.as_deref()?,
                new.visitor_id.as_deref()?,
            ))
        })
        .collect();
    if !moves.is_empty() {
        tx.move_profiles(&moves).await?;
    }
    let merges: Vec<(&str, &KnownProfile, i64)> = fresh
        .iter()
        .filter_map(|&(index, _)| {
            let new = rows[index].new;
            let answers = new.profile_answers.as_ref()?;
            Some((new.visitor_id.as_deref()?, answers, new.received_at_ms))
        })
        .collect();
    if !merges.is_empty() {
        merge_profiles(tx, &merges).await?;
    }
    let deliveries: Vec<(i64, i64, &NewDelivery)> = fresh
        .iter()
        .flat_map(|&(index, lead_id)| {
            let new = rows[index].new;
            new.deliveries
                .iter()
                .map(move |delivery| (lead_id, new.received_at_ms, delivery))
        })
        .collect();
    if !deliveries.is_empty() {
        tx.queue_all_deliveries(&deliveries).await?;
    }
    // After the deliveries, so a `lead.mql` a lead triggers queues behind its own.
    let scored: Vec<(&ScoredLead<'_>, i64, i64)> = fresh
        .iter()
        .filter_map(|&(index, lead_id)| {
            let person = persons.get(&lead_id)?;
            leads[index]
                .scoring
                .map(|_| (&leads[index], lead_id, person.id))
        })
        .collect();
    // Persons this batch created have no score log, no other lead and no MQL time yet, and the
    // transaction holds their new rows: nothing about them needs reading or locking.
    let created: HashSet<i64> = persons
        .values()
        .filter(|person| person.created)
        .map(|person| person.id)
        .collect();
    if let Some(rules) = scored.first().and_then(|(lead, ..)| lead.scoring) {
        score_leads(tx, rules, routes, &scored, &created).await?;
    }
    Ok(outcomes)
}

/// The email that gives a lead its person: spam gets none.
fn person_email_of<'r>(row: &'r LeadRow<'_>) -> Option<&'r str> {
    row.email.as_deref().filter(|_| !row.new.is_spam)
}

/// For each row, its person: found by email, or created for a lead that is no
/// spam and not stored already. `None` for spam, for leads without an email, and for a retry of a
/// lead stored before whose email has no person: lead by lead, it would make none. (Making one and
/// removing it afterwards would mean checking every table that points at persons.)
async fn find_or_create_persons<T: BatchStatements>(
    tx: &mut T,
    rows: &[&LeadRow<'_>],
) -> Result<Vec<Option<LeadPerson>>, StoreError> {
    let mut wanted: Vec<(&str, i64, &str)> = rows
        .iter()
        .filter_map(|row| {
            let email = person_email_of(row)?;
            Some((
                email,
                row.new.received_at_ms,
                row.new.lead.submission_id.as_str(),
            ))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(vec![None; rows.len()]);
    }
    // In email order, so that two batches creating the same persons lock them in one order.
    wanted.sort_unstable();
    let created = tx.create_persons(&wanted).await?;
    let known: Vec<&str> = wanted
        .iter()
        .map(|&(email, ..)| email)
        .filter(|email| !created.contains_key(*email))
        .collect();
    let existing = if known.is_empty() {
        HashMap::new()
    } else {
        tx.find_persons(&known).await?
    };
    Ok(rows
        .iter()
        .map(|row| {
            let email = person_email_of(row)?;
            match (created.get(email), existing.get(email)) {
                (Some(&person), _) => Some(person),
                (None, Some(&id)) => Some(LeadPerson {
                    id,
                    created: false,
                    reserved_lead_id: None,
                }),
                (None, None) => None,
            }
        })
        .collect())
}

/// The score events and log rows of leads that each belong to a different person, as
/// `score_events_in_tx` writes them one person at a time.
async fn score_leads<T: BatchStatements + ScoreTx>(
    tx: &mut T,
    rules: &ScoringRules,
    routes: &MqlRoutes,
    scored: &[(&ScoredLead<'_>, i64, i64)],
    created: &HashSet<i64>,
) -> Result<(), StoreError> {
    let run = tx.current_run().await?;
    // Returning persons only: see `store_leads`.
    let mut known_ids: Vec<i64> = scored
        .iter()
        .map(|&(_, _, person)| person)
        .filter(|person| !created.contains(person))
        .collect();
    known_ids.sort_unstable();
    let (mut logs, sent_before) = if known_ids.is_empty() {
        (HashMap::new(), HashSet::new())
    } else {
        // Already locked on PostgreSQL: `find_persons` took them `FOR UPDATE`, in id order.
        let logs = tx.load_logs(run, &known_ids).await?;
        let lead_ids: Vec<i64> = scored.iter().map(|&(_, lead_id, _)| lead_id).collect();
        let sent_before = tx.forms_submitted_before(&known_ids, &lead_ids).await?;
        (logs, sent_before)
    };
    let mut events = Vec::with_capacity(scored.len());
    for &(lead, lead_id, person_id) in scored {
        let new = lead.row.new;
        let repeat = sent_before.contains(&(person_id, new.lead.form_id.clone()));
        events.push(submitted_event(
            person_id,
            lead_id,
            &new.lead,
            new.intent.as_str(),
            lead.row.email.as_deref(),
            new.received_at_ms,
            repeat,
        ));
        if let Some(detail) = email_landing_detail(&new.lead) {
            if created.contains(&person_id)
                || !tx
                    .has_event(person_id, ScoreEventKind::EmailLanding, &detail)
                    .await?
            {
                events.push(email_landing_event(
                    person_id,
                    lead_id,
                    &new.lead,
                    new.received_at_ms,
                    detail,
                ));
            }
        }
    }
    let event_ids = tx.insert_events(&events).await?;
    let mut appended: Vec<(i64, LogRow)> = Vec::new();
    for &(lead, lead_id, person_id) in scored {
        let now_ms = lead.row.new.received_at_ms;
        let log = logs.entry(person_id).or_default();
        let decay = decay_rows(rules, log, now_ms);
        appended.extend(decay.iter().map(|row| (person_id, row.clone())));
        log.extend(decay);
        for event in events.iter().filter(|e| e.lead_id == Some(lead_id)) {
            let id = event_ids
                .get(&(lead_id, event.kind.as_str().to_owned()))
                .copied()
                .ok_or_else(|| StoreError::CorruptRow {
                    what: format!("lead {lead_id}"),
                    detail: "its score event was not returned".to_owned(),
                })?;
            let rows = score_event(rules, log, &event.to_score_event(id));
            appended.extend(rows.iter().map(|row| (person_id, row.clone())));
            log.extend(rows);
        }
    }
    if !appended.is_empty() {
        tx.append_log_rows(run, &appended).await?;
    }
    let mql_times = if known_ids.is_empty() {
        HashMap::new()
    } else {
        tx.mql_times(&known_ids).await?
    };
    for &(lead, _, person_id) in scored {
        let log = logs.get(&person_id).map(Vec::as_slice).unwrap_or_default();
        // Rare: only a person crossing the threshold now goes through the one-person step. A
        // person created now has no MQL time; one not found is treated the same way.
        if mql_times.get(&person_id).copied().flatten().is_none()
            && first_mql_at(rules, log).is_some()
        {
            let now_ms = lead.row.new.received_at_ms;
            mark_mql_if_crossed(tx, rules, routes, person_id, log, now_ms).await?;
        }
    }
    Ok(())
}

/// Merges each `(visitor id, answers, now)` into the visitor's stored profile, creating it when
/// there is none: one read and one upsert for the batch.
async fn merge_profiles<T: BatchStatements>(
    tx: &mut T,
    merges: &[(&str, &KnownProfile, i64)],
) -> Result<(), StoreError> {
    let visitor_ids: Vec<&str> = merges.iter().map(|&(visitor_id, ..)| visitor_id).collect();
    let stored = tx.read_profiles(&visitor_ids).await?;
    let merged = merges
        .iter()
        .map(|&(visitor_id, answers, now_ms)| {
            let stored_json = stored.get(visitor_id).map(String::as_str);
            let json = crate::profiles::merged_profile_json(visitor_id, stored_json, answers)?;
            Ok((visitor_id, json, now_ms))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // A visitor id without a row is one this batch just rotated to: no other transaction knows
    // it, so the upsert cannot overwrite another's merge.
    tx.upsert_profiles(&merged).await
}

/// A delivery's destination position, as its column stores it.
fn destination_index(delivery: &NewDelivery) -> i64 {
    i64::try_from(delivery.destination_index).unwrap_or(i64::MAX)
}
