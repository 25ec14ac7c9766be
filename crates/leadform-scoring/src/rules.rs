//! `scoring.json`: what scores how much, the MQL threshold and decay. Strict: an unknown key or a
//! bad value is an error naming the file and the field path, e.g.
//! `forms/scoring.json: events.asset_fetched.cap_per_week: must be more than 0`.
//!
//! Every section is optional; what is left out keeps the default documented in the README.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScoringRulesError {
    #[error("{file}: {at}{message}")]
    Parse {
        file: String,
        /// `decay.floor: ` or empty when the document as a whole is wrong.
        at: String,
        message: String,
    },
    #[error("{file}: {at}: {message}")]
    Invalid {
        file: String,
        at: String,
        message: String,
    },
}

/// Whether a rule scores the first time only or every time (up to its weekly cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    Once,
    EveryTime,
}

/// Points for one kind of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRule {
    pub points: i64,
    pub repeat: Repeat,
    /// The most points this rule adds to one person in one ISO week (every_time rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_week: Option<i64>,
}

impl PointsRule {
    fn every_time(points: i64, cap_per_week: i64) -> Self {
        PointsRule {
            points,
            repeat: Repeat::EveryTime,
            cap_per_week: Some(cap_per_week),
        }
    }
}

/// Points per intent: a contact request weighs more than a download by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntentPoints {
    pub contact_request: PointsRule,
    pub content_download: PointsRule,
}

impl Default for IntentPoints {
    fn default() -> Self {
        IntentPoints {
            contact_request: PointsRule::every_time(50, 100),
            content_download: PointsRule::every_time(20, 40),
        }
    }
}

/// A form submitted: by form id where one is listed, otherwise by the form's intent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormSubmittedRules {
    pub by_intent: IntentPoints,
    /// Form id → its own points, which replace the intent's for that form.
    pub by_form: BTreeMap<String, PointsRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventRules {
    pub form_submitted: FormSubmittedRules,
    pub repeat_submission: PointsRule,
    pub asset_fetched: PointsRule,
    pub returning_visit: PointsRule,
    pub email_landing: PointsRule,
}

impl Default for EventRules {
    fn default() -> Self {
        EventRules {
            form_submitted: FormSubmittedRules::default(),
            repeat_submission: PointsRule::every_time(10, 20),
            asset_fetched: PointsRule::every_time(3, 15),
            returning_visit: PointsRule::every_time(1, 5),
            email_landing: PointsRule::every_time(5, 15),
        }
    }
}

/// A fit rule on one submitted field. Exactly one of `equals`, `one_of`, `contains_any` is set;
/// values compare trimmed and case-insensitively. Each fit rule scores a person once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRule {
    pub field: String,
    pub points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_any: Option<Vec<String>>,
}

impl FitRule {
    /// Does the submitted `value` satisfy this rule?
    pub fn matches(&self, value: &str) -> bool {
        let value = value.trim().to_lowercase();
        let same = |wanted: &String| wanted.trim().to_lowercase() == value;
        if let Some(wanted) = &self.equals {
            return same(wanted);
        }
        if let Some(options) = &self.one_of {
            return options.iter().any(same);
        }
        if let Some(parts) = &self.contains_any {
            return parts
                .iter()
                .any(|part| value.contains(&part.trim().to_lowercase()));
        }
        false
    }
}

/// Negative fit for addresses at free-mail providers: a private address is a weaker lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreeMailRule {
    pub points: i64,
    pub domains: Vec<String>,
}

/// Free-mail domains scored by default.
pub const DEFAULT_FREE_MAIL_DOMAINS: [&str; 16] = [
    "aol.com",
    "gmail.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mail.com",
    "me.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "web.de",
    "yahoo.com",
    "yandex.ru",
];

impl Default for FreeMailRule {
    fn default() -> Self {
        FreeMailRule {
            points: -10,
            domains: DEFAULT_FREE_MAIL_DOMAINS.map(str::to_owned).to_vec(),
        }
    }
}

impl FreeMailRule {
    /// Is `email` at one of the listed domains?
    pub fn matches(&self, email: &str) -> bool {
        let Some((_, domain)) = email.trim().rsplit_once('@') else {
            return false;
        };
        let domain = domain.to_lowercase();
        self.domains
            .iter()
            .any(|listed| listed.to_lowercase() == domain)
    }
}

/// Points lost per full ISO week without any scored activity, never below `floor` engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecayRule {
    pub points_per_quiet_week: i64,
    pub floor: i64,
}

impl Default for DecayRule {
    fn default() -> Self {
        DecayRule {
            points_per_quiet_week: 5,
            floor: 10,
        }
    }
}

/// The whole rules file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringRules {
    pub events: EventRules,
    pub fit: Vec<FitRule>,
    pub free_mail: FreeMailRule,
    pub mql_threshold: i64,
    pub decay: DecayRule,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            events: EventRules::default(),
            fit: Vec::new(),
            free_mail: FreeMailRule::default(),
            mql_threshold: 100,
            decay: DecayRule::default(),
        }
    }
}

/// Points beyond this either way are a typo, not a rule.
const MAX_POINTS: i64 = 10_000;

impl ScoringRules {
    /// Parses and checks a rules file; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<ScoringRules, ScoringRulesError> {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        let rules: ScoringRules =
            serde_path_to_error::deserialize(deserializer).map_err(|error| {
                let at = error.path().to_string();
                ScoringRulesError::Parse {
                    file: file.to_owned(),
                    at: if at == "." {
                        String::new()
                    } else {
                        format!("{at}: ")
                    },
                    message: error.into_inner().to_string(),
                }
            })?;
        rules.check(file)?;
        Ok(rules)
    }

    /// Checks values serde cannot: ranges, exactly-one-of, empty lists.
    pub fn check(&self, file: &str) -> Result<(), ScoringRulesError> {
        let invalid = |at: String, message: &str| ScoringRulesError::Invalid {
            file: file.to_owned(),
            at,
            message: message.to_owned(),
        };
        let events = &self.events;
        let mut points_rules: Vec<(String, &PointsRule)> = vec![
            (
                "events.form_submitted.by_intent.contact_request".into(),
                &events.form_submitted.by_intent.contact_request,
            ),
            (
                "events.form_submitted.by_intent.content_download".into(),
                &events.form_submitted.by_intent.content_download,
            ),
            ("events.repeat_submission".into(), &events.repeat_submission),
            ("events.asset_fetched".into(), &events.asset_fetched),
            ("events.returning_visit".into(), &events.returning_visit),
            ("events.email_landing".into(), &events.email_landing),
        ];
        for (form_id, rule) in &events.form_submitted.by_form {
            if form_id.trim().is_empty() {
                return Err(invalid(
                    "events.form_submitted.by_form".into(),
                    "a form id must not be empty",
                ));
            }
            points_rules.push((format!("events.form_submitted.by_form.{form_id}"), rule));
        }
        for (at, rule) in points_rules {
            if rule.points.abs() > MAX_POINTS {
                return Err(invalid(
                    format!("{at}.points"),
                    "must be between -10000 and 10000",
                ));
            }
            match (rule.repeat, rule.cap_per_week) {
                (Repeat::Once, Some(_)) => {
                    return Err(invalid(
                        format!("{at}.cap_per_week"),
                        "a weekly cap only applies to a rule that scores every_time",
                    ))
                }
                (Repeat::EveryTime, Some(cap)) if cap <= 0 => {
                    return Err(invalid(format!("{at}.cap_per_week"), "must be more than 0"))
                }
                _ => {}
            }
        }
        for (index, rule) in self.fit.iter().enumerate() {
            let at = format!("fit[{index}]");
            if rule.field.trim().is_empty() {
                return Err(invalid(format!("{at}.field"), "must name a form field"));
            }
            if rule.points.abs() > MAX_POINTS {
                return Err(invalid(
                    format!("{at}.points"),
                    "must be between -10000 and 10000",
                ));
            }
            let tests = [
                rule.equals.is_some(),
                rule.one_of.is_some(),
                rule.contains_any.is_some(),
            ];
            if tests.iter().filter(|set| **set).count() != 1 {
                return Err(invalid(
                    at,
                    "needs exactly one of `equals`, `one_of`, `contains_any`",
                ));
            }
            for (name, list) in [
                ("one_of", &rule.one_of),
                ("contains_any", &rule.contains_any),
            ] {
                if let Some(list) = list {
                    if list.is_empty() || list.iter().any(|v| v.trim().is_empty()) {
                        return Err(invalid(
                            format!("{at}.{name}"),
                            "needs at least one value, none of them empty",
                        ));
                    }
                }
            }
            if rule.equals.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(invalid(format!("{at}.equals"), "must not be empty"));
            }
        }
        if self.free_mail.points > 0 {
            return Err(invalid(
                "free_mail.points".into(),
                "must be 0 or negative: a free-mail address is a weaker fit",
            ));
        }
        if self.free_mail.points < -MAX_POINTS {
            return Err(invalid(
                "free_mail.points".into(),
                "must be between -10000 and 0",
            ));
        }
        if let Some(index) = self
            .free_mail
            .domains
            .iter()
            .position(|d| d.trim().is_empty() || d.contains('@') || !d.contains('.'))
        {
            return Err(invalid(
                format!("free_mail.domains[{index}]"),
                "must be a domain such as gmail.com",
            ));
        }
        if self.mql_threshold <= 0 || self.mql_threshold > 1_000_000 {
            return Err(invalid(
                "mql_threshold".into(),
                "must be more than 0 and at most 1000000",
            ));
        }
        if !(0..=MAX_POINTS).contains(&self.decay.points_per_quiet_week) {
            return Err(invalid(
                "decay.points_per_quiet_week".into(),
                "must be between 0 and 10000",
            ));
        }
        if !(0..=1_000_000).contains(&self.decay.floor) {
            return Err(invalid(
                "decay.floor".into(),
                "must be between 0 and 1000000",
            ));
        }
        Ok(())
    }

    /// The form ids `events.form_submitted.by_form` names, for the handler to check they exist.
    pub fn form_ids(&self) -> impl Iterator<Item = &str> {
        self.events
            .form_submitted
            .by_form
            .keys()
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        ScoringRules::from_json("forms/scoring.json", text)
            .expect_err("must be refused")
            .to_string()
    }

    #[test]
    fn an_empty_file_means_the_documented_defaults() {
        let rules = ScoringRules::from_json("scoring.json", "{}").expect("defaults");
        assert_eq!(rules, ScoringRules::default());
        assert_eq!(rules.mql_threshold, 100);
        assert!(
            rules.events.form_submitted.by_intent.contact_request.points
                > rules
                    .events
                    .form_submitted
                    .by_intent
                    .content_download
                    .points
        );
    }

    #[test]
    fn rules_written_out_read_back_the_same() {
        let rules = ScoringRules::from_json(
            "scoring.json",
            r#"{"fit": [{"field": "country", "one_of": ["DE"], "points": 10}],
                "events": {"asset_fetched": {"points": 4, "repeat": "once"}}}"#,
        )
        .expect("valid");
        let json = serde_json::to_string(&rules).expect("serialise");
        assert_eq!(ScoringRules::from_json("stored", &json), Ok(rules));
    }

    #[test]
    fn a_section_left_out_keeps_its_defaults() {
        let rules = ScoringRules::from_json(
            "scoring.json",
            r#"{"events": {"returning_visit": {"points": 2, "repeat": "once"}}}"#,
        )
        .expect("valid");
        assert_eq!(rules.events.returning_visit.points, 2);
        assert_eq!(
            rules.events.asset_fetched,
            EventRules::default().asset_fetched
        );
    }

    #[test]
    fn unknown_keys_are_refused_naming_the_path() {
        assert_eq!(
            error(r#"{"decay": {"points_per_quiet_week": 5, "flor": 3}}"#),
            "forms/scoring.json: decay.flor: unknown field `flor`, expected `points_per_quiet_week` or `floor` at line 1 column 45"
        );
        let message = error(r#"{"events": {"asset_fetched": {"points": 3, "repeat": "always"}}}"#);
        assert!(
            message.starts_with(
                "forms/scoring.json: events.asset_fetched.repeat: unknown variant `always`"
            ),
            "{message}"
        );
    }

    #[test]
    fn bad_values_are_refused_naming_the_field() {
        assert_eq!(
            error(
                r#"{"events": {"asset_fetched": {"points": 3, "repeat": "every_time", "cap_per_week": 0}}}"#
            ),
            "forms/scoring.json: events.asset_fetched.cap_per_week: must be more than 0"
        );
        assert_eq!(
            error(r#"{"events": {"email_landing": {"points": 3, "repeat": "once", "cap_per_week": 9}}}"#),
            "forms/scoring.json: events.email_landing.cap_per_week: a weekly cap only applies to a rule that scores every_time"
        );
        assert_eq!(
            error(
                r#"{"fit": [{"field": "title", "points": 5, "equals": "CTO", "one_of": ["CEO"]}]}"#
            ),
            "forms/scoring.json: fit[0]: needs exactly one of `equals`, `one_of`, `contains_any`"
        );
        assert_eq!(
            error(r#"{"fit": [{"field": "title", "points": 5, "contains_any": []}]}"#),
            "forms/scoring.json: fit[0].contains_any: needs at least one value, none of them empty"
        );
        assert_eq!(
            error(r#"{"mql_threshold": 0}"#),
            "forms/scoring.json: mql_threshold: must be more than 0 and at most 1000000"
        );
        assert_eq!(
            error(r#"{"decay": {"floor": -1}}"#),
            "forms/scoring.json: decay.floor: must be between 0 and 1000000"
        );
        assert_eq!(
            error(r#"{"free_mail": {"points": 5}}"#),
            "forms/scoring.json: free_mail.points: must be 0 or negative: a free-mail address is a weaker fit"
        );
        assert_eq!(
            error(r#"{"free_mail": {"domains": ["gmail.com", "nodot"]}}"#),
            "forms/scoring.json: free_mail.domains[1]: must be a domain such as gmail.com"
        );
    }

    #[test]
    fn fit_rules_compare_trimmed_and_case_insensitively() {
        let rule = |json: &str| -> FitRule { serde_json::from_str(json).expect("fit rule") };
        let equals = rule(r#"{"field": "size", "points": 5, "equals": "1000+"}"#);
        assert!(equals.matches(" 1000+ "));
        assert!(!equals.matches("100"));
        let one_of = rule(r#"{"field": "country", "points": 5, "one_of": ["DE", "AT"]}"#);
        assert!(one_of.matches("at"));
        assert!(!one_of.matches("FR"));
        let contains =
            rule(r#"{"field": "title", "points": 5, "contains_any": ["VP", "Director"]}"#);
        assert!(contains.matches("Marketing director, EMEA"));
        assert!(!contains.matches("Intern"));
    }

    #[test]
    fn free_mail_matches_the_domain_only() {
        let rule = FreeMailRule::default();
        assert!(rule.matches("ada@Gmail.com"));
        assert!(!rule.matches("ada@gmail.com.example.org"));
        assert!(!rule.matches("ada@example.com"));
        assert!(!rule.matches("not an address"));
    }
}
