//! Which values a form accepts. The widget calls [`validate_field`] as the visitor types and the
//! handler calls [`validate_submission`] on every POST: one rule book, two places.

use crate::definition::{ConsentDefinition, FieldDefinition, FieldKind, FormDefinition};
use crate::email::is_plausible_email;
use crate::error::{FieldError, FieldErrors, SubmissionError};
use crate::sanitize::{clean_field_value, clean_http_url, clean_text, MAX_CAPTURED_CHARS};
use crate::submission::{check_hidden_value, is_uuid_v4, Intent, LeadSubmission};
use std::collections::BTreeMap;
use validator::ValidateLength;

/// The least number of digits in a phone number anyone can dial.
const MIN_PHONE_DIGITS: usize = 5;

/// Checks one value against its field's rules. `value` is what the visitor typed; `""` means empty
/// (and for a checkbox, not ticked).
pub fn validate_field(field: &FieldDefinition, value: &str) -> Result<(), FieldError> {
    // Judged as it will be stored: without bidi controls or zero-width characters, trimmed.
    let cleaned = clean_field_value(value);
    let value = cleaned.as_str();
    if !field.is_answered_by(value) {
        return if field.required {
            Err(required_error(field))
        } else {
            Ok(())
        };
    }
    let max = field.max_length();
    if !value.validate_length(None, Some(max as u64), None) {
        return Err(FieldError::new(
            "too_long",
            format!(
                "Use at most {max} characters (this has {}).",
                value.chars().count()
            ),
        ));
    }
    let allows_newlines = field.kind == FieldKind::Textarea;
    if value
        .chars()
        .any(|c| c.is_control() && !(allows_newlines && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(FieldError::new(
            "control_characters",
            "Remove the invisible control characters from this field.",
        ));
    }
    match field.kind {
        FieldKind::Email if !is_plausible_email(value) => Err(FieldError::new(
            "email",
            "Enter an email address like name@company.com",
        )),
        FieldKind::Tel if !is_plausible_phone(value) => Err(FieldError::new(
            "phone",
            "Enter a phone number using digits, spaces and + ( ) - only, like +1 415 555 0100",
        )),
        FieldKind::Select if !field.options.iter().any(|o| o.value == value) => Err(
            FieldError::new("not_an_option", "Choose one of the options in the list."),
        ),
        FieldKind::Checkbox if value != "true" => Err(FieldError::new(
            "checkbox",
            "A checkbox is either ticked (\"true\") or not.",
        )),
        _ => Ok(()),
    }
}

fn required_error(field: &FieldDefinition) -> FieldError {
    let message = match field.kind {
        FieldKind::Checkbox => "Tick this box to continue.".to_owned(),
        FieldKind::Select => "Choose an option.".to_owned(),
        FieldKind::Email => "Enter an email address like name@company.com".to_owned(),
        _ => format!("Enter your {}.", field.label.trim().to_lowercase()),
    };
    FieldError::new("required", message)
}

fn is_plausible_phone(value: &str) -> bool {
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'));
    let digits = value.chars().filter(char::is_ascii_digit).count();
    allowed && digits >= MIN_PHONE_DIGITS && !value[1..].contains('+')
}

/// A submission that passed every rule, cleaned and ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedLead {
    /// The submission with values trimmed, hidden values resolved, and attribution re-sanitised.
    pub submission: LeadSubmission,
    pub intent: Intent,
    /// The first email field's value, lowercased: the key that links leads to one person.
    pub email: Option<String>,
}

/// Validates a whole submission against its form. Never trusts the browser: required fields,
/// formats, hidden values, allow-lists and attribution are all checked again here.
pub fn validate_submission(
    form: &FormDefinition,
    submission: &LeadSubmission,
) -> Result<ValidatedLead, SubmissionError> {
    if submission.form_id != form.id {
        return Err(SubmissionError::WrongForm {
            expected: form.id.clone(),
            submitted: submission.form_id.clone(),
        });
    }
    if !is_uuid_v4(&submission.submission_id) {
        return Err(SubmissionError::BadSubmissionId(clean_text(
            &submission.submission_id,
            64,
        )));
    }

    let mut errors = FieldErrors::new();
    let mut fields = BTreeMap::new();
    for name in submission.fields.keys() {
        if form.field(name).is_none() {
            errors.insert(
                clean_text(name, 64),
                FieldError::new("unknown_field", "This form has no such field."),
            );
        }
    }
    for field in &form.fields {
        if field.kind == FieldKind::Hidden {
            // The definition owns hidden values; whatever the browser sent is ignored.
            if let Some(value) = &field.value {
                fields.insert(field.name.clone(), value.clone());
            }
            continue;
        }
        let value = submission
            .fields
            .get(&field.name)
            .map(|v| clean_field_value(v))
            .unwrap_or_default();
        let value = value.as_str();
        let shown = was_shown(form, submission, field);
        let rules = if shown {
            field.clone()
        } else {
            FieldDefinition {
                required: false,
                ..field.clone()
            }
        };
        match validate_field(&rules, value) {
            Ok(()) if !value.is_empty() => {
                fields.insert(field.name.clone(), value.to_owned());
            }
            Ok(()) => {}
            Err(error) => {
                errors.insert(field.name.clone(), error);
            }
        }
    }

    if let Some(consent) = &form.consent {
        if consent.required && !submission.consent {
            errors.insert(
                ConsentDefinition::FIELD_NAME.to_owned(),
                FieldError::new("required", "Tick this box to continue."),
            );
        }
    }

    let lead_source = resolve_hidden(
        submission.hidden.lead_source.as_deref(),
        form.hidden.lead_source.as_deref(),
        &form.allowed_lead_sources,
        "lead_source",
        &mut errors,
    );
    let campaign_id = resolve_hidden(
        submission.hidden.campaign_id.as_deref(),
        form.hidden.campaign_id.as_deref(),
        &form.allowed_campaign_ids,
        "campaign_id",
        &mut errors,
    );

    if !errors.is_empty() {
        return Err(SubmissionError::Fields(errors));
    }

    let email = form
        .fields
        .iter()
        .find(|f| f.kind == FieldKind::Email)
        .and_then(|f| fields.get(&f.name))
        .map(|email| email.to_lowercase());
    let cleaned = LeadSubmission {
        form_id: form.id.clone(),
        submission_id: submission.submission_id.to_lowercase(),
        fields,
        hidden: crate::submission::HiddenValues {
            lead_source,
            campaign_id,
        },
        page_url: clean_http_url(&submission.page_url, MAX_CAPTURED_CHARS).unwrap_or_default(),
        page_title: clean_text(&submission.page_title, MAX_CAPTURED_CHARS),
        referrer: clean_http_url(&submission.referrer, MAX_CAPTURED_CHARS).unwrap_or_default(),
        submitted_at: clean_text(&submission.submitted_at, 40),
        locale: clean_locale(&submission.locale),
        attribution: submission.attribution.as_ref().map(|a| a.sanitized()),
        consent: submission.consent,
        visitor_id: submission
            .visitor_id
            .as_deref()
            .filter(|id| is_uuid_v4(id))
            .map(str::to_lowercase),
        shown_fields: submission.shown_fields.clone(),
        bot_check: submission.bot_check.clone(),
        // Spent once the handler has judged it; never stored with the lead or sent to a CRM.
        form_token: None,
    };
    Ok(ValidatedLead {
        submission: cleaned,
        intent: form.kind.into(),
        email,
    })
}

/// A field counts as shown unless progressive profiling could have held it back: it is in the pool
/// and the widget's `shown_fields` list leaves it out.
fn was_shown(form: &FormDefinition, submission: &LeadSubmission, field: &FieldDefinition) -> bool {
    let in_pool = form
        .progressive
        .as_ref()
        .is_some_and(|p| p.pool.contains(&field.name));
    match &submission.shown_fields {
        Some(shown) if in_pool => shown.contains(&field.name),
        _ => true,
    }
}

fn resolve_hidden(
    submitted: Option<&str>,
    default: Option<&str>,
    allowed: &[String],
    name: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    let value = submitted
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or(default)?;
    if let Err(problem) = check_hidden_value(value) {
        errors.insert(
            name.to_owned(),
            FieldError::new("invalid_hidden_value", format!("The {name} {problem}.")),
        );
        return None;
    }
    if !allowed.is_empty() && !allowed.iter().any(|a| a == value) {
        errors.insert(
            name.to_owned(),
            FieldError::new(
                "not_allowed",
                format!("The {name} `{value}` is not allowed for this form."),
            ),
        );
        return None;
    }
    Some(value.to_owned())
}

fn clean_locale(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(35)
        .collect()
}

/// `true` when a submission shows a bot's signs: the honeypot is filled, or the form was filled
/// faster than the form's `min_fill_seconds`. Such leads are stored flagged and never delivered,
/// and the bot gets a normal-looking answer so it learns nothing.
///
/// The speed rule needs something to fill: a one-click download (`shown_fields` empty) is a single
/// click by a known visitor, and a prompt click is a person, not a bot.
pub fn looks_automated(form: &FormDefinition, submission: &LeadSubmission) -> bool {
    let had_inputs = submission
        .shown_fields
        .as_ref()
        .is_none_or(|shown| !shown.is_empty());
    !submission.bot_check.honeypot.trim().is_empty()
        || (had_inputs && submission.bot_check.fill_ms < u64::from(form.min_fill_seconds) * 1000)
}
