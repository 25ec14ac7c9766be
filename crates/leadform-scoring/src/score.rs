//! Turning events into log rows: the points of one event, decay for quiet weeks, and a full replay.
//!
//! The live handler and `rescore` use the same two steps in the same order (decay up to the event's
//! time, then the event), so replaying the recorded events gives exactly the rows written live.

use crate::event::{ScoreEvent, ScoreEventKind};
use crate::log::{LogRow, ScoreTotals, DECAY_RULE, FIT_PREFIX};
use crate::rules::{PointsRule, Repeat, ScoringRules};
use crate::week::{week_start_ms, WEEK_MS};
use std::collections::HashSet;

/// The engagement rule an event falls under, with its log name.
fn engagement_rule<'r>(
    rules: &'r ScoringRules,
    event: &ScoreEvent,
) -> Option<(String, &'r PointsRule)> {
    let events = &rules.events;
    match event.kind {
        ScoreEventKind::FormSubmitted => {
            let by_form = event
                .form_id
                .as_deref()
                .and_then(|id| events.form_submitted.by_form.get_key_value(id));
            if let Some((form_id, rule)) = by_form {
                return Some((format!("form_submitted:form:{form_id}"), rule));
            }
            let by_intent = &events.form_submitted.by_intent;
            match event.intent.as_deref() {
                Some("contact_request") => Some((
                    "form_submitted:intent:contact_request".into(),
                    &by_intent.contact_request,
                )),
                Some("content_download") => Some((
                    "form_submitted:intent:content_download".into(),
                    &by_intent.content_download,
                )),
                _ => None,
            }
        }
        ScoreEventKind::RepeatSubmission => {
            Some(("repeat_submission".into(), &events.repeat_submission))
        }
        ScoreEventKind::AssetFetched => Some(("asset_fetched".into(), &events.asset_fetched)),
        ScoreEventKind::ReturningVisit => Some(("returning_visit".into(), &events.returning_visit)),
        ScoreEventKind::EmailLanding => Some(("email_landing".into(), &events.email_landing)),
    }
}

/// The points `rule` still gives this person at `at_ms`, given what it gave before.
fn points_left(rule: &PointsRule, name: &str, prior: &[LogRow], at_ms: i64) -> i64 {
    let mut by_rule = prior.iter().filter(|row| row.rule == name);
    match (rule.repeat, rule.cap_per_week) {
        (Repeat::Once, _) => {
            if by_rule.next().is_some() {
                0
            } else {
                rule.points
            }
        }
        (Repeat::EveryTime, None) => rule.points,
        (Repeat::EveryTime, Some(cap)) => {
            let week = week_start_ms(at_ms);
            let used: i64 = by_rule
                .filter(|row| week_start_ms(row.at_ms) == week)
                .map(|row| row.delta.abs())
                .sum();
            rule.points.signum() * rule.points.abs().min((cap - used).max(0))
        }
    }
}

/// The rows one event adds to a person whose log so far is `prior`.
pub fn score_event(rules: &ScoringRules, prior: &[LogRow], event: &ScoreEvent) -> Vec<LogRow> {
    let mut rows = Vec::new();
    let mut push = |rule: String, delta: i64| {
        if delta != 0 {
            rows.push(LogRow {
                at_ms: event.at_ms,
                delta,
                rule,
                event_id: Some(event.id),
                decay_week_ms: None,
            });
        }
    };
    if let Some((name, rule)) = engagement_rule(rules, event) {
        let delta = points_left(rule, &name, prior, event.at_ms);
        push(name, delta);
    }
    // Fit is who the person is, so each fit rule counts once per person.
    let scored_before = |name: &str| prior.iter().any(|row| row.rule == name);
    for (index, fit) in rules.fit.iter().enumerate() {
        let name = format!("{FIT_PREFIX}{index}:{}", fit.field);
        let matched = event
            .fields
            .get(&fit.field)
            .is_some_and(|value| fit.matches(value));
        if matched && !scored_before(&name) {
            push(name, fit.points);
        }
    }
    let free_mail = format!("{FIT_PREFIX}free_mail");
    let is_free_mail = event
        .fields
        .get("email")
        .is_some_and(|email| rules.free_mail.matches(email));
    if is_free_mail && !scored_before(&free_mail) {
        push(free_mail, rules.free_mail.points);
    }
    rows
}

/// Decay rows for every full ISO week that ended by `now_ms` in which the person had no scored
/// activity and that has no decay row yet: `points_per_quiet_week` off the engagement, never below
/// the floor. Weeks when nothing ran are caught up here, oldest first. Each row is dated the last
/// millisecond of its week, so it counts in that week's snapshot.
pub fn decay_rows(rules: &ScoringRules, prior: &[LogRow], now_ms: i64) -> Vec<LogRow> {
    let per_week = rules.decay.points_per_quiet_week;
    let Some(first_activity) = prior
        .iter()
        .filter(|row| !row.is_decay())
        .map(|row| row.at_ms)
        .min()
    else {
        return Vec::new();
    };
    if per_week == 0 {
        return Vec::new();
    }
    let mut sorted: Vec<&LogRow> = prior.iter().collect();
    sorted.sort_by_key(|row| row.at_ms);
    let decayed: HashSet<i64> = prior.iter().filter_map(|row| row.decay_week_ms).collect();
    let mut out = Vec::new();
    let mut next = 0;
    let mut engagement = 0;
    let mut week = week_start_ms(first_activity);
    while week.saturating_add(WEEK_MS) <= now_ms {
        let end = week + WEEK_MS;
        let mut active = false;
        while let Some(row) = sorted.get(next).filter(|row| row.at_ms < end) {
            if !row.is_fit() {
                engagement += row.delta;
            }
            active |= !row.is_decay() && row.at_ms >= week;
            next += 1;
        }
        if !active && !decayed.contains(&week) {
            let delta = -per_week.min((engagement - rules.decay.floor).max(0));
            if delta < 0 {
                engagement += delta;
                out.push(LogRow {
                    at_ms: end - 1,
                    delta,
                    rule: DECAY_RULE.to_owned(),
                    event_id: None,
                    decay_week_ms: Some(week),
                });
            }
        }
        week = end;
    }
    out
}

/// The whole log of one person from their recorded events under `rules`, as of `now_ms`: what
/// `rescore` writes. Events are taken in time order (ties by id), as they were recorded.
pub fn replay(rules: &ScoringRules, events: &[ScoreEvent], now_ms: i64) -> Vec<LogRow> {
    let mut ordered: Vec<&ScoreEvent> = events.iter().filter(|e| e.at_ms <= now_ms).collect();
    ordered.sort_by_key(|event| (event.at_ms, event.id));
    let mut log = Vec::new();
    for event in ordered {
        let decay = decay_rows(rules, &log, event.at_ms);
        log.extend(decay);
        let scored = score_event(rules, &log, event);
        log.extend(scored);
    }
    let decay = decay_rows(rules, &log, now_ms);
    log.extend(decay);
    log
}

/// When the running score first reached `mql_threshold`, if it ever did.
pub fn first_mql_at(rules: &ScoringRules, rows: &[LogRow]) -> Option<i64> {
    let mut sorted: Vec<&LogRow> = rows.iter().collect();
    sorted.sort_by_key(|row| row.at_ms);
    let mut total = ScoreTotals::default();
    for row in sorted {
        if row.is_fit() {
            total.fit += row.delta;
        } else {
            total.engagement += row.delta;
        }
        if total.score() >= rules.mql_threshold {
            return Some(row.at_ms);
        }
    }
    None
}
