//! Which values a form accepts. The widget calls [`validate_field`] as the visitor types and the
//! handler calls [`validate_submission`] on every POST: one rule book, two places.

use crate::catalogue::{fill, text, Text};
use crate::definition::{ConsentDefinition, FieldDefinition, FieldKind, FormDefinition};
use crate::email::is_plausible_email;
use crate::error::{FieldError, FieldErrors, SubmissionError};
use crate::locale::{format_count, Locale};
use crate::sanitize::{
    check_hidden_value, clean_field_value, clean_http_url, clean_text, is_uuid_v4,
    MAX_CAPTURED_CHARS,
};
use crate::submission::{Intent, LeadSubmission};
use std::collections::BTreeMap;
use validator::ValidateLength;

/// The least number of digits in a phone number anyone can dial.
const MIN_PHONE_DIGITS: usize = 5;

/// Checks one value against its field's rules, with messages in English. `value` is what the
/// visitor typed; `""` means empty (and for a checkbox, not ticked).
pub fn validate_field(field: &FieldDefinition, value: &str) -> Result<(), FieldError> {
    validate_field_in(Locale::En, field, value)
}

/// [`validate_field`] with its messages written in `locale`.
pub fn validate_field_in(
    locale: Locale,
    field: &FieldDefinition,
    value: &str,
) -> Result<(), FieldError> {
    // Judged as it will be stored: without bidi controls or zero-width characters, trimmed.
    let cleaned = clean_field_value(value);
    let value = cleaned.as_str();
    if !field.is_answered_by(value) {
        return if field.required {
            Err(required_error(locale, field))
        } else {
            Ok(())
        };
    }
    let max = field.max_length();
    if !value.validate_length(None, Some(max as u64), None) {
        return Err(FieldError::new(
            "too_long",
            fill(
                locale,
                Text::TooLong,
                &[
                    ("max", &format_count(locale, max)),
                    ("length", &format_count(locale, value.chars().count())),
                ],
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
            text(locale, Text::ControlCharacters),
        ));
    }
    match field.kind {
        FieldKind::Email if !is_plausible_email(value) => {
            Err(FieldError::new("email", text(locale, Text::EmailFormat)))
        }
        FieldKind::Tel if !is_plausible_phone(value) => {
            Err(FieldError::new("phone", text(locale, Text::PhoneFormat)))
        }
        FieldKind::Select if !field.options.iter().any(|o| o.value == value) => Err(
            FieldError::new("not_an_option", text(locale, Text::NotAnOption)),
        ),
        FieldKind::Checkbox if value != "true" => Err(FieldError::new(
            "checkbox",
            text(locale, Text::CheckboxValue),
        )),
        _ => Ok(()),
    }
}

fn required_error(locale: Locale, field: &FieldDefinition) -> FieldError {
    let message = match field.kind {
        FieldKind::Checkbox => text(locale, Text::RequiredCheckbox).to_owned(),
        FieldKind::Select => text(locale, Text::RequiredSelect).to_owned(),
        FieldKind::Email => text(locale, Text::EmailFormat).to_owned(),
        // "Enter your first name." reads well lowercased; German nouns keep their capital, and the
        // other languages quote the label as written.
        _ if locale == Locale::En => fill(
            locale,
            Text::RequiredText,
            &[("label", &field.label.trim().to_lowercase())],
        ),
        _ => fill(locale, Text::RequiredText, &[("label", field.label.trim())]),
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

/// The language a submission's messages are written in: the locale it carries (`de-AT` → `de`),
/// else the form's `default_locale`, else English.
pub fn submission_locale(form: &FormDefinition, submission: &LeadSubmission) -> Locale {
    Locale::from_tag(&submission.locale)
        .or(form.default_locale)
        .unwrap_or_default()
}

/// Validates a whole submission against its form. Never trusts the browser: required fields,
/// formats, hidden values, allow-lists and attribution are all checked again here. Field messages
/// are written in the [`submission_locale`].
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

    if let Some(cookie) = &submission.munchkin_cookie {
        crate::munchkin::check_munchkin_cookie(cookie)?;
    }

    let locale = submission_locale(form, submission);
    // Messages name fields by their label in the visitor's language.
    let form = &form.translated(locale);
    let mut errors = FieldErrors::new();
    let mut fields = BTreeMap::new();
    for name in submission.fields.keys() {
        if form.field(name).is_none() {
            errors.insert(
                clean_text(name, 64),
                FieldError::new("unknown_field", text(locale, Text::UnknownField)),
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
        match validate_field_in(locale, &rules, value) {
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
                FieldError::new("required", text(locale, Text::RequiredCheckbox)),
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
        // The visitor's own tag (it may name a region, `de-AT`), else the language spoken to them.
        locale: Some(clean_locale(&submission.locale))
            .filter(|tag| !tag.is_empty())
            .unwrap_or_else(|| locale.code().to_owned()),
        attribution: submission.attribution.as_ref().map(|a| a.sanitized()),
        consent: submission.consent,
        // Never the payload's: the handler sets it from the signed cookie (see LeadSubmission).
        visitor_id: None,
        shown_fields: submission.shown_fields.clone(),
        bot_check: submission.bot_check.clone(),
        // Spent once the handler has judged it; never stored with the lead or sent to a CRM.
        form_token: None,
        munchkin_cookie: submission.munchkin_cookie.clone(),
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
