//! Builds the `LeadSubmission` the widget posts, from the form's state and the page's facts.
//! Pure, so what is sent is unit-tested natively.

use crate::handoff::EmbedOptions;
use leadform_core::munchkin::check_munchkin_cookie;
use leadform_core::sanitize::{clean_field_value, clean_http_url, clean_text, MAX_CAPTURED_CHARS};
use leadform_core::{
    BotCheck, ConsentDefinition, FieldDefinition, HiddenValues, LeadAttribution, LeadSubmission,
    PublicFormDefinition,
};
use std::collections::BTreeMap;

/// What the browser knows about the page the form sits on (read by `services::page`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageContext {
    pub url: String,
    pub title: String,
    pub referrer: String,
    /// ISO 8601, from the browser clock.
    pub now_iso: String,
    /// `navigator.language`, e.g. `en-GB`.
    pub language: String,
    /// Marketo's Munchkin cookie (`_mkto_trk`), first-party on the host page, when it has one.
    pub munchkin_cookie: Option<String>,
}

pub struct PayloadInput<'a> {
    pub definition: &'a PublicFormDefinition,
    pub options: &'a EmbedOptions,
    /// What the visitor typed (and known values sent by the one-click form).
    pub values: &'a BTreeMap<String, String>,
    /// The inputs the visitor was shown.
    pub shown: &'a [FieldDefinition],
    pub submission_id: &'a str,
    pub page: &'a PageContext,
    pub attribution: Option<LeadAttribution>,
    pub visitor_id: Option<String>,
    pub bot_check: BotCheck,
}

pub fn build_submission(input: PayloadInput<'_>) -> LeadSubmission {
    let definition = input.definition;
    // Only the form's own visible fields travel; hidden ones are filled in by the handler.
    let fields = definition
        .fields
        .iter()
        .filter(|f| f.is_visible())
        .filter_map(|f| {
            // Cleaned as the handler will clean it, so what is sent is what is stored.
            let value = clean_field_value(input.values.get(&f.name)?);
            let unticked = value == "false";
            (!value.is_empty() && !unticked).then(|| (f.name.clone(), value))
        })
        .collect();
    let shown_fields = input
        .shown
        .iter()
        .filter(|f| f.name != ConsentDefinition::FIELD_NAME)
        .map(|f| f.name.clone())
        .collect();
    let consent = consent_given(input.values);
    LeadSubmission {
        form_id: definition.id.clone(),
        submission_id: input.submission_id.to_owned(),
        fields,
        hidden: HiddenValues {
            lead_source: input
                .options
                .lead_source
                .clone()
                .or_else(|| definition.hidden.lead_source.clone()),
            campaign_id: input
                .options
                .campaign_id
                .clone()
                .or_else(|| definition.hidden.campaign_id.clone()),
        },
        // Captured values are data, capped and cleaned the way the handler will check them again.
        page_url: clean_http_url(&input.page.url, MAX_CAPTURED_CHARS).unwrap_or_default(),
        page_title: clean_text(&input.page.title, MAX_CAPTURED_CHARS),
        referrer: clean_http_url(&input.page.referrer, MAX_CAPTURED_CHARS).unwrap_or_default(),
        submitted_at: input.page.now_iso.clone(),
        locale: input
            .options
            .locale
            .clone()
            .unwrap_or_else(|| input.page.language.clone()),
        attribution: input.attribution,
        consent,
        visitor_id: input.visitor_id,
        shown_fields: Some(shown_fields),
        bot_check: input.bot_check,
        // The handler's own record of when the form was given out: it times the visit by this.
        form_token: definition.form_token.clone(),
        // Marketo joins the lead to the visitor's tracked visits by it: only where the form may
        // remember the visitor, and only a value of the documented shape.
        munchkin_cookie: input
            .page
            .munchkin_cookie
            .clone()
            .filter(|_| definition.storage.allows(consent))
            .filter(|cookie| check_munchkin_cookie(cookie).is_ok()),
    }
}

/// Has the visitor ticked the form's consent checkbox?
pub fn consent_given(values: &BTreeMap<String, String>) -> bool {
    values
        .get(ConsentDefinition::FIELD_NAME)
        .is_some_and(|v| v == "true")
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadform_core::sanitize::is_uuid_v4;

    const ID: &str = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b";
    const MUNCHKIN: &str = "id:123-ABC-456&token:_mch-acme.test-1764400000000-12345";

    fn definition() -> PublicFormDefinition {
        serde_json::from_str(
            r#"{"id": "ebook", "title": "T", "kind": "content_download", "submit_label": "Go",
            "success_message": "Done", "fields": [
              {"name": "email", "label": "Email", "kind": "email", "required": true},
              {"name": "company", "label": "Company", "kind": "text"},
              {"name": "news", "label": "News", "kind": "checkbox"},
              {"name": "variant", "label": "V", "kind": "hidden", "value": "v1"}],
            "hidden": {"lead_source": "Content Download", "campaign_id": "701A"},
            "consent": {"text": "Email me.", "required": false},
            "form_token": "ebook.1.n.sig"}"#,
        )
        .unwrap()
    }

    fn options(campaign_id: Option<&str>) -> EmbedOptions {
        EmbedOptions {
            form_id: "ebook".into(),
            endpoint: "http://127.0.0.1:8080".into(),
            campaign_id: campaign_id.map(str::to_owned),
            lead_source: None,
            locale: None,
        }
    }

    fn build(values: &[(&str, &str)], options: &EmbedOptions) -> LeadSubmission {
        let definition = definition();
        let values: BTreeMap<String, String> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let shown = crate::form_view::form_view(&definition, &Default::default()).fields;
        let page = PageContext {
            url: "https://acme.test/ebook?utm_source=x".into(),
            title: "eBook".into(),
            referrer: "https://search.test/".into(),
            now_iso: "2026-11-23T08:00:00.000Z".into(),
            language: "en-GB".into(),
            munchkin_cookie: Some(MUNCHKIN.into()),
        };
        build_submission(PayloadInput {
            definition: &definition,
            options,
            values: &values,
            shown: &shown,
            submission_id: ID,
            page: &page,
            attribution: None,
            visitor_id: None,
            bot_check: BotCheck {
                honeypot: String::new(),
                fill_ms: 4200,
            },
        })
    }

    #[test]
    fn carries_typed_values_page_facts_and_the_definitions_hidden_values() {
        let lead = build(
            &[
                ("email", " ada@example.com "),
                ("company", ""),
                ("news", "false"),
                ("consent", "true"),
            ],
            &options(None),
        );
        assert_eq!(lead.form_id, "ebook");
        assert!(is_uuid_v4(&lead.submission_id));
        assert_eq!(
            lead.fields.into_iter().collect::<Vec<_>>(),
            [("email".to_owned(), "ada@example.com".to_owned())],
            "empty, unticked, hidden and consent values are not fields"
        );
        assert!(lead.consent);
        assert_eq!(lead.hidden.lead_source.as_deref(), Some("Content Download"));
        assert_eq!(lead.hidden.campaign_id.as_deref(), Some("701A"));
        assert_eq!(lead.page_url, "https://acme.test/ebook?utm_source=x");
        assert_eq!(lead.referrer, "https://search.test/");
        assert_eq!(lead.submitted_at, "2026-11-23T08:00:00.000Z");
        assert_eq!(lead.locale, "en-GB");
        assert_eq!(
            lead.shown_fields,
            Some(vec!["email".into(), "company".into(), "news".into()])
        );
        assert_eq!(lead.bot_check.fill_ms, 4200);
        assert_eq!(lead.form_token.as_deref(), Some("ebook.1.n.sig"));
    }

    #[test]
    fn an_embeds_campaign_overrides_the_definitions() {
        let lead = build(&[("email", "ada@example.com")], &options(Some("701BLOG")));
        assert_eq!(lead.hidden.campaign_id.as_deref(), Some("701BLOG"));
        assert_eq!(lead.hidden.lead_source.as_deref(), Some("Content Download"));
        assert!(!lead.consent);
    }

    #[test]
    fn the_munchkin_cookie_goes_only_where_the_visitor_may_be_remembered() {
        let lead = build(&[("email", "ada@example.com")], &options(None));
        assert_eq!(lead.munchkin_cookie.as_deref(), Some(MUNCHKIN));

        let mut never = definition();
        never.storage = leadform_core::StoragePolicy::Never;
        let values = BTreeMap::from([("email".to_owned(), "ada@example.com".to_owned())]);
        let page = PageContext {
            munchkin_cookie: Some(MUNCHKIN.into()),
            ..PageContext::default()
        };
        let build_with = |definition: &PublicFormDefinition, page: &PageContext| {
            build_submission(PayloadInput {
                definition,
                options: &options(None),
                values: &values,
                shown: &[],
                submission_id: ID,
                page,
                attribution: None,
                visitor_id: None,
                bot_check: BotCheck::default(),
            })
        };
        assert_eq!(build_with(&never, &page).munchkin_cookie, None);

        let odd = PageContext {
            munchkin_cookie: Some("id:123-ABC-456&token:<script>".into()),
            ..PageContext::default()
        };
        assert_eq!(build_with(&definition(), &odd).munchkin_cookie, None);
    }
}
