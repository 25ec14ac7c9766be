//! Which settings one embed can give, as data attributes on its container or as `Leadform.mount`
//! options. One schema lists them, so the HTML and the JS API cannot drift apart.

use super::EmbedError;
use crate::handoff::EmbedOptions;

/// The container attribute that names the form (and marks an element as a Leadform embed).
pub const FORM_ID: &str = "data-leadform";
pub const ENDPOINT: &str = "data-endpoint";
pub const CAMPAIGN_ID: &str = "data-campaign-id";
pub const LEAD_SOURCE: &str = "data-lead-source";
pub const LOCALE: &str = "data-locale";
/// Set on a container once a widget is mounted in it, so a second scan leaves it alone.
pub const MOUNTED: &str = "data-leadform-mounted";

/// The settings as given, before defaults: every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedSettings {
    pub form_id: Option<String>,
    pub endpoint: Option<String>,
    pub campaign_id: Option<String>,
    pub lead_source: Option<String>,
    pub locale: Option<String>,
}

/// One setting: its data attribute, its key in `Leadform.mount(el, {…})`, and where it goes.
pub struct Setting {
    pub attribute: &'static str,
    pub option_key: &'static str,
    pub slot: fn(&mut EmbedSettings) -> &mut Option<String>,
}

/// Every setting an embed can give.
pub const SCHEMA: [Setting; 5] = [
    Setting {
        attribute: FORM_ID,
        option_key: "formId",
        slot: |s| &mut s.form_id,
    },
    Setting {
        attribute: ENDPOINT,
        option_key: "endpoint",
        slot: |s| &mut s.endpoint,
    },
    Setting {
        attribute: CAMPAIGN_ID,
        option_key: "campaignId",
        slot: |s| &mut s.campaign_id,
    },
    Setting {
        attribute: LEAD_SOURCE,
        option_key: "leadSource",
        slot: |s| &mut s.lead_source,
    },
    Setting {
        attribute: LOCALE,
        option_key: "locale",
        slot: |s| &mut s.locale,
    },
];

impl EmbedSettings {
    /// Reads every setting through `read` (an attribute or option lookup). Blank values count as
    /// absent, so `data-campaign-id=""` falls back to the definition's campaign.
    pub fn read(read: impl Fn(&Setting) -> Option<String>) -> Self {
        let mut settings = Self::default();
        for setting in &SCHEMA {
            let value = read(setting)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            *(setting.slot)(&mut settings) = value;
        }
        settings
    }

    /// `self` with every setting that `overrides` gives replaced.
    pub fn overridden_by(mut self, overrides: EmbedSettings) -> Self {
        let mut overrides = overrides;
        for setting in &SCHEMA {
            if let Some(value) = (setting.slot)(&mut overrides).take() {
                *(setting.slot)(&mut self) = Some(value);
            }
        }
        self
    }

    /// Applies the defaults: the endpoint is the handler that served the loader.
    pub fn resolve(self, default_endpoint: &str) -> Result<EmbedOptions, EmbedError> {
        let form_id = self.form_id.ok_or(EmbedError::MissingFormId)?;
        let endpoint = self.endpoint.unwrap_or_else(|| default_endpoint.to_owned());
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(EmbedError::BadEndpoint(endpoint));
        }
        Ok(EmbedOptions {
            form_id,
            endpoint,
            campaign_id: self.campaign_id,
            lead_source: self.lead_source,
            locale: self.locale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> EmbedSettings {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        EmbedSettings::read(|s| map.get(s.attribute).map(|v| v.to_string()))
    }

    #[test]
    fn reads_every_attribute_of_the_schema() {
        let options = from(&[
            (FORM_ID, "ebook"),
            (ENDPOINT, "https://leads.example.com/"),
            (CAMPAIGN_ID, "701X"),
            (LEAD_SOURCE, "Blog"),
            (LOCALE, "de-DE"),
        ])
        .resolve("https://default.example.com")
        .unwrap();
        assert_eq!(
            options,
            EmbedOptions {
                form_id: "ebook".into(),
                endpoint: "https://leads.example.com".into(),
                campaign_id: Some("701X".into()),
                lead_source: Some("Blog".into()),
                locale: Some("de-DE".into()),
            }
        );
    }

    #[test]
    fn blank_values_fall_back_and_the_endpoint_defaults_to_the_loader_origin() {
        let options = from(&[(FORM_ID, "contact-us"), (CAMPAIGN_ID, "  ")])
            .resolve("http://127.0.0.1:8080/")
            .unwrap();
        assert_eq!(options.endpoint, "http://127.0.0.1:8080");
        assert_eq!(options.campaign_id, None);
    }

    #[test]
    fn options_override_attributes_one_by_one() {
        let attributes = from(&[(FORM_ID, "a"), (LEAD_SOURCE, "Blog"), (LOCALE, "en")]);
        let options = EmbedSettings {
            lead_source: Some("Partner".into()),
            ..EmbedSettings::default()
        };
        let merged = attributes.overridden_by(options);
        assert_eq!(merged.form_id.as_deref(), Some("a"));
        assert_eq!(merged.lead_source.as_deref(), Some("Partner"));
        assert_eq!(merged.locale.as_deref(), Some("en"));
    }

    #[test]
    fn a_missing_form_id_or_a_non_http_endpoint_is_a_clear_error() {
        assert_eq!(
            from(&[]).resolve("http://x.test"),
            Err(EmbedError::MissingFormId)
        );
        assert_eq!(
            from(&[(FORM_ID, "a"), (ENDPOINT, "javascript:alert(1)")]).resolve("http://x.test"),
            Err(EmbedError::BadEndpoint("javascript:alert(1)".into()))
        );
    }
}
