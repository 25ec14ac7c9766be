//! The form's state as a Yew reducer: what the visitor typed, which fields they have left, which
//! errors show, and where the submission stands.
//!
//! Everything here is pure (no web-sys), so the rules of the form's behaviour are unit-tested
//! natively. Side effects (sending, focusing) are driven by components from the counters below.

use leadform_core::catalogue::{fields_need_attention, text, Text};
use leadform_core::{validate_field_in, FieldDefinition, FieldErrors, LeadAccepted, Locale};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use yew::Reducible;

/// Where the submission stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Editing,
    Submitting,
    Succeeded(Rc<LeadAccepted>),
    /// The last attempt failed; the message says why and what to do. Values are untouched.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormState {
    /// The fields this view shows (after progressive profiling), consent included, in order.
    pub fields: Rc<Vec<FieldDefinition>>,
    pub values: BTreeMap<String, String>,
    /// Fields the visitor has left at least once; only their errors show before a submit.
    pub touched: BTreeSet<String>,
    /// Field name → message currently shown.
    pub errors: BTreeMap<String, String>,
    pub status: Status,
    /// Made once per form view and reused by every retry, so the handler stores a retry once.
    pub submission_id: String,
    /// Increments each time the form enters `Submitting`: the component sends once per increment.
    pub send_count: u32,
    /// Increments whenever focus should move to the problems: the error summary when it shows,
    /// else the first invalid field.
    pub focus_count: u32,
    /// The fields the error summary lists: those with an error at the last failed submit (or
    /// 422), in display order. One drops out of view once fixed; the summary goes with the last.
    pub summary: Vec<String>,
    /// The language of the messages (negotiated once per mount).
    pub locale: Locale,
}

pub enum Action {
    Input {
        name: String,
        value: String,
    },
    Blur {
        name: String,
    },
    /// The visitor pressed the submit button (or Enter).
    Submit,
    /// The one-click form: send without validating fields the visitor never saw.
    SubmitKnown,
    Accepted(LeadAccepted),
    /// The handler refused some values (422): field name → error.
    Rejected(FieldErrors),
    Failed(String),
}

impl FormState {
    /// A fresh view of `fields`, with known values already filled in.
    pub fn new(
        fields: Vec<FieldDefinition>,
        prefill: BTreeMap<String, String>,
        submission_id: String,
    ) -> Self {
        Self {
            fields: Rc::new(fields),
            values: prefill,
            touched: BTreeSet::new(),
            errors: BTreeMap::new(),
            status: Status::Editing,
            submission_id,
            send_count: 0,
            focus_count: 0,
            summary: Vec::new(),
            locale: Locale::En,
        }
    }

    /// The same view speaking `locale`.
    pub fn with_locale(self, locale: Locale) -> Self {
        Self { locale, ..self }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn is_submitting(&self) -> bool {
        self.status == Status::Submitting
    }

    /// What the form says after a 422 with `errors`; the `leadform:error` event says the same.
    pub fn rejection_message(&self, errors: &FieldErrors) -> String {
        let hidden_problems: Vec<&str> = errors
            .iter()
            .filter(|(name, _)| self.field(name).is_none())
            .map(|(_, error)| error.message.as_str())
            .collect();
        if hidden_problems.is_empty() {
            text(self.locale, Text::FixFields).to_owned()
        } else {
            // Errors on values the visitor cannot see (e.g. a campaign id): say what they are.
            hidden_problems.join(" ")
        }
    }

    /// The first field, in display order, that shows an error: the one to focus.
    pub fn first_invalid(&self) -> Option<&str> {
        self.fields
            .iter()
            .map(|f| f.name.as_str())
            .find(|name| self.errors.contains_key(*name))
    }

    /// What the error summary lists now: each summarised field that still has an error, with
    /// that error, in display order. Empty: no summary shows.
    pub fn summary_entries(&self) -> Vec<(&FieldDefinition, &str)> {
        self.fields
            .iter()
            .filter(|f| self.summary.contains(&f.name))
            .filter_map(|f| self.error(&f.name).map(|message| (f, message)))
            .collect()
    }

    /// Lists every shown field that has an error, as a failed submit leaves them.
    fn summarise_errors(&mut self) {
        self.summary = self
            .fields
            .iter()
            .filter(|f| self.errors.contains_key(&f.name))
            .map(|f| f.name.clone())
            .collect();
    }

    /// The text for the live region, if anything should be announced.
    pub fn announcement(&self) -> Option<String> {
        match &self.status {
            Status::Submitting => Some(text(self.locale, Text::Sending).to_owned()),
            Status::Failed(message) => Some(message.clone()),
            Status::Editing if !self.errors.is_empty() && self.focus_count > 0 => {
                Some(fields_need_attention(self.locale, self.errors.len()))
            }
            _ => None,
        }
    }

    fn field(&self, name: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn check(&mut self, name: &str) {
        let Some(field) = self.field(name) else {
            return;
        };
        match validate_field_in(self.locale, field, self.value(name)) {
            Ok(()) => {
                self.errors.remove(name);
            }
            Err(error) => {
                self.errors.insert(name.to_owned(), error.message);
            }
        }
    }

    fn check_all(&mut self) {
        let names: Vec<String> = self.fields.iter().map(|f| f.name.clone()).collect();
        for name in names {
            self.touched.insert(name.clone());
            self.check(&name);
        }
    }

    fn start_sending(&mut self) {
        // Without an id the handler would refuse the lead as invalid and the visitor would be
        // told to check answers that are fine: say what is really wrong, and send nothing.
        if self.submission_id.is_empty() {
            self.status = Status::Failed(text(self.locale, Text::NoSubmissionId).to_owned());
            return;
        }
        self.status = Status::Submitting;
        self.send_count += 1;
    }
}

impl Reducible for FormState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Nothing changes while a submission is on its way, and nothing after it landed: a second
        // click cannot start a second send, and a late keystroke cannot alter what was sent.
        if matches!(self.status, Status::Submitting | Status::Succeeded(_))
            && matches!(
                action,
                Action::Input { .. } | Action::Blur { .. } | Action::Submit | Action::SubmitKnown
            )
        {
            return self;
        }
        let mut next = (*self).clone();
        match action {
            Action::Input { name, value } => {
                next.values.insert(name.clone(), value);
                // Once an error shows, it follows the typing so it disappears as soon as it is fixed.
                if next.touched.contains(&name) {
                    next.check(&name);
                }
            }
            Action::Blur { name } => {
                next.touched.insert(name.clone());
                next.check(&name);
            }
            Action::Submit => {
                next.check_all();
                if next.errors.is_empty() {
                    next.start_sending();
                } else {
                    next.status = Status::Editing;
                    next.summarise_errors();
                    next.focus_count += 1;
                }
            }
            Action::SubmitKnown => next.start_sending(),
            Action::Accepted(answer) => next.status = Status::Succeeded(Rc::new(answer)),
            Action::Rejected(errors) => {
                next.status = Status::Failed(next.rejection_message(&errors));
                for (name, error) in errors {
                    if next.field(&name).is_some() {
                        next.touched.insert(name.clone());
                        next.errors.insert(name, error.message);
                    }
                }
                next.summarise_errors();
                next.focus_count += 1;
            }
            Action::Failed(message) => next.status = Status::Failed(message),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
