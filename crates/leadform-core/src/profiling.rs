//! Progressive profiling: which questions a returning visitor is asked.
//!
//! Pool fields are asked only while unknown, at most `max_new_fields` per view, in pool order.
//! Fields outside the pool always show. On a gated-content form, a visitor about whom nothing is
//! missing gets a one-click download instead.

use crate::definition::{FieldDefinition, FormKind, ProgressivePolicy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What is known about a visitor: which fields they have answered, and the values that may be shown
/// back to them (only fields whose definition has `prefill: true`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KnownProfile {
    pub known: BTreeSet<String>,
    pub values: BTreeMap<String, String>,
}

impl KnownProfile {
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Adds what a submission told us. `prefillable` says which values may be kept for display.
    pub fn merge_answers<'a>(
        &mut self,
        answers: impl IntoIterator<Item = (&'a String, &'a String)>,
        fields: &[FieldDefinition],
    ) {
        for (name, value) in answers {
            let field = fields.iter().find(|f| &f.name == name);
            let answered = match field {
                Some(field) => field.is_answered_by(value),
                None => !value.trim().is_empty(),
            };
            if !answered {
                continue;
            }
            self.known.insert(name.clone());
            if field.is_some_and(|f| f.prefill) {
                self.values.insert(name.clone(), value.clone());
            }
        }
    }

    /// The union of two profiles; values from `other` win (it is the fresher one).
    pub fn union(&self, other: &KnownProfile) -> KnownProfile {
        let mut merged = self.clone();
        merged.known.extend(other.known.iter().cloned());
        merged.values.extend(other.values.clone());
        merged
    }

    /// The same profile limited to what the form may show back.
    pub fn for_display(&self, fields: &[FieldDefinition]) -> KnownProfile {
        KnownProfile {
            known: self.known.clone(),
            values: self
                .values
                .iter()
                .filter(|(name, _)| fields.iter().any(|f| &f.name == *name && f.prefill))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
        }
    }
}

/// The outcome of [`choose_fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleFields {
    /// Names of the visible fields to render, in definition order.
    pub shown: Vec<String>,
    /// Values to put in those fields.
    pub prefill: BTreeMap<String, String>,
    /// Nothing is missing: offer the one-click form.
    pub one_click: bool,
}

/// Decides which of a form's visible fields to ask a visitor with profile `known`.
///
/// One-click is offered only on `content_download` forms (a contact request always needs a new
/// message), and only when every field is known and every required field outside the pool has a
/// value the browser may send back: the one-click submission carries those values and nothing else.
pub fn choose_fields(
    kind: FormKind,
    fields: &[FieldDefinition],
    progressive: Option<&ProgressivePolicy>,
    known: &KnownProfile,
) -> VisibleFields {
    let visible: Vec<&FieldDefinition> = fields.iter().filter(|f| f.is_visible()).collect();
    let pool: &[String] = progressive.map(|p| p.pool.as_slice()).unwrap_or_default();
    let nothing_missing =
        !known.is_empty() && visible.iter().all(|f| known.known.contains(&f.name));
    let can_resend_required = visible
        .iter()
        .filter(|f| f.required && !pool.contains(&f.name))
        .all(|f| known.values.contains_key(&f.name));
    if kind == FormKind::ContentDownload && nothing_missing && can_resend_required {
        return VisibleFields {
            shown: Vec::new(),
            prefill: BTreeMap::new(),
            one_click: true,
        };
    }

    let budget = progressive.map(|p| p.max_new_fields).unwrap_or(usize::MAX);
    let asked_from_pool: BTreeSet<&str> = pool
        .iter()
        .filter(|name| !known.known.contains(*name))
        .take(budget)
        .map(String::as_str)
        .collect();

    let shown: Vec<String> = visible
        .iter()
        .filter(|f| !pool.contains(&f.name) || asked_from_pool.contains(f.name.as_str()))
        .map(|f| f.name.clone())
        .collect();
    let prefill = visible
        .iter()
        .filter(|f| f.prefill && shown.contains(&f.name))
        .filter_map(|f| {
            known
                .values
                .get(&f.name)
                .map(|v| (f.name.clone(), v.clone()))
        })
        .collect();
    VisibleFields {
        shown,
        prefill,
        one_click: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::FieldKind;

    fn field(name: &str, prefill: bool) -> FieldDefinition {
        FieldDefinition {
            name: name.into(),
            label: name.into(),
            kind: FieldKind::Text,
            required: true,
            max_length: None,
            options: vec![],
            help: None,
            placeholder: None,
            prefill,
            value: None,
            autocomplete: None,
        }
    }

    fn form() -> (Vec<FieldDefinition>, ProgressivePolicy) {
        let mut hidden = field("source_detail", false);
        hidden.kind = FieldKind::Hidden;
        hidden.required = false;
        (
            vec![
                field("email", true),
                field("first_name", true),
                field("company", false),
                field("job_title", false),
                field("phone", false),
                field("country", false),
                hidden,
            ],
            ProgressivePolicy {
                max_new_fields: 2,
                pool: vec![
                    "company".into(),
                    "job_title".into(),
                    "phone".into(),
                    "country".into(),
                ],
            },
        )
    }

    /// Every visible field of [`form`]: a visitor who has answered them all.
    const EVERY_VISIBLE_FIELD: [&str; 6] = [
        "email",
        "first_name",
        "company",
        "job_title",
        "phone",
        "country",
    ];

    fn known(names: &[&str], values: &[(&str, &str)]) -> KnownProfile {
        KnownProfile {
            known: names.iter().map(|n| n.to_string()).collect(),
            values: values
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_new_visitor_sees_the_non_pool_fields_and_the_first_pool_questions() {
        let (fields, policy) = form();
        let view = choose_fields(
            FormKind::ContentDownload,
            &fields,
            Some(&policy),
            &KnownProfile::default(),
        );
        assert_eq!(view.shown, ["email", "first_name", "company", "job_title"]);
        assert!(!view.one_click);
        assert!(view.prefill.is_empty());
    }

    #[test]
    fn a_returning_visitor_gets_the_next_questions_and_known_values_prefilled() {
        let (fields, policy) = form();
        let profile = known(
            &["email", "first_name", "company", "job_title"],
            &[
                ("email", "ada@example.com"),
                ("first_name", "Ada"),
                ("company", "secret"),
            ],
        );
        let view = choose_fields(FormKind::ContentDownload, &fields, Some(&policy), &profile);
        assert_eq!(view.shown, ["email", "first_name", "phone", "country"]);
        assert_eq!(
            view.prefill.get("email").map(String::as_str),
            Some("ada@example.com")
        );
        assert_eq!(
            view.prefill.get("company"),
            None,
            "company is not shown and not prefillable"
        );
    }

    #[test]
    fn nothing_missing_means_one_click() {
        let (fields, policy) = form();
        let values = [("email", "ada@example.com"), ("first_name", "Ada")];
        let view = choose_fields(
            FormKind::ContentDownload,
            &fields,
            Some(&policy),
            &known(&EVERY_VISIBLE_FIELD, &values),
        );
        assert!(view.one_click);
        assert!(view.shown.is_empty());
    }

    #[test]
    fn one_click_needs_the_required_values_it_will_send() {
        let (fields, policy) = form();
        // The names are known, but no value may be sent back: the visitor must type them again.
        let view = choose_fields(
            FormKind::ContentDownload,
            &fields,
            Some(&policy),
            &known(&EVERY_VISIBLE_FIELD, &[]),
        );
        assert!(!view.one_click);
        assert_eq!(view.shown, ["email", "first_name"]);
    }

    #[test]
    fn a_contact_form_never_goes_one_click() {
        let (fields, policy) = form();
        let values = [("email", "ada@example.com"), ("first_name", "Ada")];
        let view = choose_fields(
            FormKind::Contact,
            &fields,
            Some(&policy),
            &known(&EVERY_VISIBLE_FIELD, &values),
        );
        assert!(!view.one_click);
        assert_eq!(
            view.shown,
            ["email", "first_name"],
            "the non-pool fields, prefilled"
        );
        assert_eq!(view.prefill.len(), 2);
    }

    #[test]
    fn without_a_policy_every_visible_field_shows() {
        let (fields, _) = form();
        let view = choose_fields(FormKind::Contact, &fields, None, &known(&["company"], &[]));
        assert_eq!(view.shown.len(), 6);
    }

    #[test]
    fn merging_answers_keeps_values_only_for_prefillable_fields() {
        let (fields, _) = form();
        let mut profile = KnownProfile::default();
        let answers: BTreeMap<String, String> = [
            ("email", "ada@example.com"),
            ("phone", "+1 555 0100"),
            ("company", " "),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        profile.merge_answers(&answers, &fields);
        assert_eq!(
            profile.known,
            ["email", "phone"].iter().map(|s| s.to_string()).collect()
        );
        assert_eq!(profile.values.len(), 1);
        assert_eq!(profile.values["email"], "ada@example.com");
    }

    #[test]
    fn an_unticked_checkbox_posted_as_false_is_not_an_answer() {
        let (mut fields, _) = form();
        let mut newsletter = field("newsletter", false);
        newsletter.kind = FieldKind::Checkbox;
        newsletter.required = false;
        fields.push(newsletter);
        let answers: BTreeMap<String, String> =
            [("email", "ada@example.com"), ("newsletter", "false")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let mut profile = KnownProfile::default();
        profile.merge_answers(&answers, &fields);
        assert!(!profile.known.contains("newsletter"), "{:?}", profile.known);

        let ticked: BTreeMap<String, String> =
            [("newsletter".to_string(), "true".to_string())].into();
        profile.merge_answers(&ticked, &fields);
        assert!(profile.known.contains("newsletter"));
    }
}
