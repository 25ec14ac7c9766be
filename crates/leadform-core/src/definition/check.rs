//! The rules a definition must meet beyond its JSON shape. Each error names the path at fault, so
//! the handler can say `forms/ebook.json: fields[3].options: a select needs at least one option`.

use super::{Destination, FieldKind, FormDefinition, FormKind, StoragePolicy};
use crate::error::DefinitionError;
use crate::sanitize::clean_http_url;
use crate::submission::check_hidden_value;
use std::collections::BTreeSet;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

pub(super) fn check_definition(form: &FormDefinition) -> Result<(), DefinitionError> {
    form.validate().map_err(|errors| first_error("", &errors))?;
    check_fields(form)?;
    check_kind(form)?;
    check_progressive(form)?;
    check_hidden_defaults(form)?;
    if form.storage == StoragePolicy::AfterConsent && form.consent.is_none() {
        return Err(DefinitionError::new(
            "storage",
            "`after_consent` needs a `consent` section: there is no checkbox to consent with",
        ));
    }
    for (index, destination) in form.destinations.iter().enumerate() {
        let result = match destination {
            Destination::SalesforceWebToLead(d) => d.validate(),
            Destination::Hubspot(d) => d.validate(),
            Destination::PardotFormHandler(d) => d.validate(),
            Destination::Webhook(d) => d.validate(),
            Destination::Marketo(d) => d.validate(),
        };
        result.map_err(|errors| first_error(&format!("destinations[{index}]"), &errors))?;
    }
    super::destination_id::check_unique_ids(form)?;
    super::field_map::check_destinations_send_email(form)?;
    Ok(())
}

fn check_fields(form: &FormDefinition) -> Result<(), DefinitionError> {
    let mut seen = BTreeSet::new();
    for (index, field) in form.fields.iter().enumerate() {
        let at = |rest: &str| format!("fields[{index}]{rest}");
        if !seen.insert(field.name.as_str()) {
            return Err(DefinitionError::new(
                at(".name"),
                format!("`{}` is used by two fields", field.name),
            ));
        }
        if form.consent.is_some() && field.name == super::ConsentDefinition::FIELD_NAME {
            return Err(DefinitionError::new(
                at(".name"),
                "`consent` is reserved for the consent checkbox of the `consent` section",
            ));
        }
        match field.kind {
            FieldKind::Select if field.options.is_empty() => {
                return Err(DefinitionError::new(
                    at(".options"),
                    "a select needs at least one option",
                ));
            }
            FieldKind::Select => {
                let mut values = BTreeSet::new();
                if let Some(dup) = field.options.iter().find(|o| !values.insert(&o.value)) {
                    return Err(DefinitionError::new(
                        at(".options"),
                        format!("the option value `{}` appears twice", dup.value),
                    ));
                }
            }
            _ if !field.options.is_empty() => {
                return Err(DefinitionError::new(
                    at(".options"),
                    "only a `select` field takes options",
                ));
            }
            FieldKind::Hidden if field.value.is_none() => {
                return Err(DefinitionError::new(
                    at(".value"),
                    "a hidden field needs a `value`",
                ));
            }
            _ => {}
        }
        if field.kind == FieldKind::Hidden && field.required {
            return Err(DefinitionError::new(
                at(".required"),
                "a hidden field cannot be required: the visitor cannot fill it",
            ));
        }
    }
    Ok(())
}

fn check_kind(form: &FormDefinition) -> Result<(), DefinitionError> {
    match (form.kind, &form.asset) {
        (FormKind::ContentDownload, None) => Err(DefinitionError::new(
            "asset",
            "a `content_download` form needs an `asset` (title and url) to give away",
        )),
        (FormKind::Contact, Some(_)) => Err(DefinitionError::new(
            "asset",
            "only a `content_download` form has an asset",
        )),
        _ => Ok(()),
    }
}

fn check_progressive(form: &FormDefinition) -> Result<(), DefinitionError> {
    let Some(progressive) = &form.progressive else {
        return Ok(());
    };
    let mut seen = BTreeSet::new();
    for (index, name) in progressive.pool.iter().enumerate() {
        let at = format!("progressive.pool[{index}]");
        match form.field(name) {
            None => {
                return Err(DefinitionError::new(
                    at,
                    format!("`{name}` is not a field of this form"),
                ))
            }
            Some(field) if !field.is_visible() => {
                return Err(DefinitionError::new(
                    at,
                    format!("`{name}` is hidden, so it can never be asked"),
                ))
            }
            Some(_) if !seen.insert(name) => {
                return Err(DefinitionError::new(
                    at,
                    format!("`{name}` is in the pool twice"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_hidden_defaults(form: &FormDefinition) -> Result<(), DefinitionError> {
    let checks = [
        (
            "hidden.lead_source",
            &form.hidden.lead_source,
            &form.allowed_lead_sources,
        ),
        (
            "hidden.campaign_id",
            &form.hidden.campaign_id,
            &form.allowed_campaign_ids,
        ),
    ];
    for (path, value, allowed) in checks {
        for (index, listed) in allowed.iter().enumerate() {
            let list_path = path.replace("hidden.", "allowed_") + "s";
            check_hidden_value(listed).map_err(|message| {
                DefinitionError::new(format!("{list_path}[{index}]"), message)
            })?;
        }
        let Some(value) = value else { continue };
        check_hidden_value(value).map_err(|message| DefinitionError::new(path, message))?;
        if !allowed.is_empty() && !allowed.contains(value) {
            return Err(DefinitionError::new(
                path,
                format!("`{value}` is not in the form's own allow-list"),
            ));
        }
    }
    Ok(())
}

/// Turns validator's nested error tree into the first error, with a JSON-like path.
fn first_error(prefix: &str, errors: &ValidationErrors) -> DefinitionError {
    let mut entries: Vec<_> = errors.errors().iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in entries {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                if let Some(error) = list.first() {
                    return DefinitionError::new(path, describe(error));
                }
            }
            ValidationErrorsKind::Struct(inner) => return first_error(&path, inner),
            ValidationErrorsKind::List(items) => {
                if let Some((index, inner)) = items.iter().next() {
                    return first_error(&format!("{path}[{index}]"), inner);
                }
            }
        }
    }
    DefinitionError::new(prefix, "invalid value")
}

fn describe(error: &ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} long"),
            (Some(min), None) => format!("must have at least {min}"),
            (None, Some(max)) => format!("must be at most {max} long"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            _ => "is out of range".into(),
        },
        other => other.replace('_', " "),
    }
}

fn failure(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

pub(super) fn slug(value: &str) -> Result<(), ValidationError> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-');
    ok.then_some(())
        .ok_or_else(|| failure("slug", "use 1-64 lowercase letters, digits and `-`"))
}

pub(super) fn field_name(value: &str) -> Result<(), ValidationError> {
    let ok = (1..=64).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(()).ok_or_else(|| {
        failure(
            "field_name",
            "use lowercase letters, digits and `_`, starting with a letter",
        )
    })
}

pub(super) fn http_url(value: &str) -> Result<(), ValidationError> {
    // validator's own `url` rule accepts `javascript:` and `data:` URLs; ours does not.
    (clean_http_url(value, 2000).as_deref() == Some(value))
        .then_some(())
        .ok_or_else(|| failure("url", "must be an http:// or https:// URL"))
}

pub(super) fn http_url_required(value: &str) -> Result<(), ValidationError> {
    http_url(value)
}

/// An absolute http(s) URL, or a root-relative path (`/assets/x.pdf`) resolved against the handler.
pub(super) fn http_url_or_path(value: &str) -> Result<(), ValidationError> {
    let is_safe_path = value.starts_with('/')
        && !value.starts_with("//")
        && value.len() <= 2000
        && !value
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\\'));
    if is_safe_path {
        return Ok(());
    }
    http_url(value).map_err(|_| {
        failure(
            "url",
            "must be an http:// or https:// URL, or a path starting with /",
        )
    })
}

pub(super) fn origins(values: &[String]) -> Result<(), ValidationError> {
    for origin in values {
        let path_start = origin
            .split_once("://")
            .map(|(_, rest)| rest.find('/').is_some())
            .unwrap_or(true);
        if http_url(origin).is_err() || path_start {
            return Err(ValidationError::new("origin").with_message(
                format!("`{origin}` is not an origin like https://www.example.com (no path)")
                    .into(),
            ));
        }
    }
    Ok(())
}

pub(super) fn salesforce_id(value: &str) -> Result<(), ValidationError> {
    let ok = matches!(value.len(), 15 | 18) && value.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(()).ok_or_else(|| {
        failure(
            "salesforce_id",
            "must be a 15 or 18 character Salesforce id",
        )
    })
}

pub(super) fn env_var_name(value: &str) -> Result<(), ValidationError> {
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(()).ok_or_else(|| {
        failure(
            "env_var_name",
            "name an environment variable like LEADFORM_WEBHOOK_SECRET (the secret itself never goes in the file)",
        )
    })
}
