//! `/console/forms`: every form with its embed snippet, and the embed and campaign builder: pick a
//! campaign id and a lead source from the form's allow-lists to get the `<div data-leadform …>`
//! snippet for that embed, and build a UTM-tagged link to a page. A plain GET form; the result is
//! rendered here. The snippets and the link sit in read-only text areas to select and copy; a
//! small script from a file (`/console/copy.js`, allowed by [`crate::FORMS_PAGE_CSP`] on this
//! page only) adds a Copy button beside each, hidden until the script runs.

use crate::auth::CurrentUser;
use crate::error::ConsoleError;
use crate::layout::{page, Section};
use crate::session_cookie::is_secure;
use crate::state::ConsoleState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse};
use leadform_core::FormDefinition;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct BuilderQuery {
    #[serde(default)]
    form: String,
    #[serde(default)]
    campaign_id: String,
    #[serde(default)]
    lead_source: String,
    #[serde(default)]
    page_url: String,
    #[serde(default)]
    utm_source: String,
    #[serde(default)]
    utm_medium: String,
    #[serde(default)]
    utm_campaign: String,
    #[serde(default)]
    utm_content: String,
    #[serde(default)]
    utm_term: String,
}

/// The handler's own origin as browsers reach it: `--public-url`, else the `Host` header.
fn handler_origin(state: &ConsoleState, headers: &HeaderMap) -> String {
    if let Some(public) = &state.public_origin {
        return public.origin.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("forms.example.com");
    let scheme = if is_secure(headers, None) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Escapes a value for a double-quoted HTML attribute in a snippet.
fn attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// The embed snippet, with the data attributes that differ from the form's defaults.
pub fn embed_snippet(
    origin: &str,
    form: &FormDefinition,
    campaign_id: Option<&str>,
    lead_source: Option<&str>,
) -> String {
    let mut attributes = format!("data-leadform=\"{}\"", attribute(&form.id));
    if let Some(campaign) = campaign_id {
        attributes.push_str(&format!(" data-campaign-id=\"{}\"", attribute(campaign)));
    }
    if let Some(source) = lead_source {
        attributes.push_str(&format!(" data-lead-source=\"{}\"", attribute(source)));
    }
    format!(
        "<div {attributes}>\n  <a href=\"{origin}/v1/forms/{id}/fallback\">Open the form: {title}</a>\n</div>\n<script src=\"{origin}/leadform.js\" defer></script>",
        id = attribute(&form.id),
        title = attribute(&form.title),
    )
}

/// `page_url` with the UTM parameters that are set, added after any query it already has.
pub fn utm_link(page_url: &str, parameters: &[(&str, &str)]) -> Result<String, String> {
    let page_url = page_url.trim();
    if !(page_url.starts_with("https://") || page_url.starts_with("http://")) {
        return Err(
            "the page must be an http or https address, like https://www.example.com/pricing"
                .into(),
        );
    }
    if page_url.contains(char::is_whitespace) {
        return Err("the page address must not contain spaces".into());
    }
    let (base, fragment) = match page_url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (page_url, None),
    };
    let set: Vec<(&str, &str)> = parameters
        .iter()
        .map(|(name, value)| (*name, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let query = serde_urlencoded::to_string(&set).map_err(|e| e.to_string())?;
    let mut link = base.to_owned();
    if !query.is_empty() {
        link.push(if base.contains('?') { '&' } else { '?' });
        link.push_str(&query);
    }
    if let Some(fragment) = fragment {
        link.push('#');
        link.push_str(fragment);
    }
    Ok(link)
}

/// The values an embed may choose from: the allow-list, or only the form's default without one.
fn choices(allowed: &[String], default: Option<&String>) -> Vec<String> {
    let mut values: Vec<String> = allowed.to_vec();
    if let Some(default) = default {
        if !values.contains(default) {
            values.insert(0, default.clone());
        }
    }
    values
}

fn pick<'a>(
    what: &str,
    value: &'a str,
    choices: &[String],
    problems: &mut Vec<String>,
) -> Option<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if choices.iter().any(|c| c == value) {
        Some(value)
    } else {
        problems.push(format!(
            "{what} {value:?} is not in this form's list, so the handler would refuse its leads"
        ));
        None
    }
}

pub async fn show(
    State(state): State<ConsoleState>,
    current: CurrentUser,
    headers: HeaderMap,
    query: Result<Query<BuilderQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<impl IntoResponse, ConsoleError> {
    let Query(query) = query.map_err(|e| {
        ConsoleError::BadRequest(format!("the builder's values are unreadable: {e}"))
    })?;
    let origin = handler_origin(&state, &headers);
    let selected = match query.form.trim() {
        "" => None,
        id => Some(
            state
                .forms
                .get(id)
                .ok_or_else(|| ConsoleError::NotFound(format!("There is no form {id:?}.")))?,
        ),
    };
    let html: Html<String> = page(
        "Forms",
        Section::Forms,
        &current,
        html! {
            h1 { "Forms" }
            @for form in state.forms.values() {
                section.form-card aria-labelledby={ "form-" (form.id) } {
                    h2 id={ "form-" (form.id) } { (form.title) }
                    p.muted {
                        code { (form.id) } " · "
                        @match form.kind { leadform_core::FormKind::Contact => "Contact request", leadform_core::FormKind::ContentDownload => "Content download" }
                        " · " a href={ "/console/leads?form=" (form.id) } { "Its leads" }
                        " · " a href={ "/console/forms?form=" (form.id) "#builder" } { "Build an embed" }
                    }
                    label for={ "snippet-" (form.id) } { "Embed snippet" }
                    textarea.snippet id={ "snippet-" (form.id) } readonly rows="4" { (embed_snippet(&origin, form, None, None)) }
                    (copy_button(&format!("snippet-{}", form.id), "Copy snippet"))
                }
            }
            @if let Some(form) = selected { (builder(&origin, form, &query)) }
            script src="/console/copy.js" defer {}
        },
    );
    Ok((
        [(header::CONTENT_SECURITY_POLICY, crate::FORMS_PAGE_CSP)],
        html,
    ))
}

/// A Copy button for the text area `target`, hidden until `/console/copy.js` shows it, and the
/// line where it says "Copied" (read out by screen readers).
fn copy_button(target: &str, label: &str) -> Markup {
    let status = format!("{target}-status");
    html! {
        div.copy-row {
            button.copy type="button" data-copy-target=(target) data-copy-status=(status) hidden { (label) }
            span.copy-status id=(status) role="status" {}
        }
    }
}

fn builder(origin: &str, form: &FormDefinition, query: &BuilderQuery) -> Markup {
    let campaigns = choices(&form.allowed_campaign_ids, form.hidden.campaign_id.as_ref());
    let sources = choices(&form.allowed_lead_sources, form.hidden.lead_source.as_ref());
    let mut problems = Vec::new();
    let campaign = pick("campaign id", &query.campaign_id, &campaigns, &mut problems);
    let source = pick("lead source", &query.lead_source, &sources, &mut problems);
    let snippet = embed_snippet(origin, form, campaign, source);
    let link = (!query.page_url.trim().is_empty()).then(|| {
        utm_link(
            &query.page_url,
            &[
                ("utm_source", query.utm_source.as_str()),
                ("utm_medium", query.utm_medium.as_str()),
                ("utm_campaign", query.utm_campaign.as_str()),
                ("utm_content", query.utm_content.as_str()),
                ("utm_term", query.utm_term.as_str()),
            ],
        )
    });
    let select = |name: &str, label: &str, values: &[String], current: &str| {
        html! {
            div.field {
                label for={ "b-" (name) } { (label) }
                select id={ "b-" (name) } name=(name) {
                    option value="" { "The form's default" }
                    @for value in values {
                        @if value == current { option value=(value) selected { (value) } }
                        @else { option value=(value) { (value) } }
                    }
                }
            }
        }
    };
    let text = |name: &str, label: &str, value: &str| {
        html! {
            div.field {
                label for={ "b-" (name) } { (label) }
                input id={ "b-" (name) } type="text" name=(name) value=(value);
            }
        }
    };
    html! {
        section #builder.form-card aria-labelledby="builder-h" {
            h2 #builder-h { "Embed and campaign builder: " (form.title) }
            form.filters method="get" action="/console/forms" {
                input type="hidden" name="form" value=(form.id);
                (select("campaign_id", "Campaign id", &campaigns, query.campaign_id.trim()))
                (select("lead_source", "Lead source", &sources, query.lead_source.trim()))
                (text("page_url", "Page to link to", &query.page_url))
                (text("utm_source", "utm_source", &query.utm_source))
                (text("utm_medium", "utm_medium", &query.utm_medium))
                (text("utm_campaign", "utm_campaign", &query.utm_campaign))
                (text("utm_content", "utm_content", &query.utm_content))
                (text("utm_term", "utm_term", &query.utm_term))
                div.actions { button.primary type="submit" { "Build" } }
            }
            @for problem in &problems { p.error role="alert" { (problem) } }
            label for="built-snippet" { "Snippet for this embed" }
            textarea.snippet #built-snippet readonly rows="4" { (snippet) }
            (copy_button("built-snippet", "Copy snippet"))
            @match &link {
                Some(Ok(link)) => {
                    label for="built-link" { "Tagged link" }
                    textarea.snippet #built-link readonly rows="2" { (link) }
                    (copy_button("built-link", "Copy link"))
                }
                Some(Err(problem)) => { p.error role="alert" { (problem) } }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_query_and_fragment_and_encode_values() {
        assert_eq!(
            utm_link("https://www.example.com/pricing?plan=pro#faq", &[("utm_source", "news letter"), ("utm_medium", ""), ("utm_campaign", "q4&more")]).unwrap(),
            "https://www.example.com/pricing?plan=pro&utm_source=news+letter&utm_campaign=q4%26more#faq"
        );
        assert_eq!(
            utm_link("https://x.example", &[]).unwrap(),
            "https://x.example"
        );
        assert!(utm_link("javascript:alert(1)", &[]).is_err());
        assert!(utm_link("www.example.com", &[]).is_err());
    }
}
