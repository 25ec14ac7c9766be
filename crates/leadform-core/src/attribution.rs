//! Marketing attribution: where a visitor came from, captured without the site owner wiring anything.
//!
//! A [`AttributionTouch`] is one visit's campaign parameters, click ids, referrer and landing page.
//! Every lead carries the visitor's first touch (kept from the very first visit) and last touch (the
//! latest visit that carried campaign parameters), so marketing can credit both the channel that found
//! the person and the one that converted them.

use crate::sanitize::{clean_http_url, clean_optional_text, query_pairs, MAX_CAPTURED_CHARS};
use serde::{Deserialize, Serialize};

/// Every value a touch carries, by name, in the order exports and CRM mappings use: the campaign
/// parameters, then the referrer and the landing page.
pub const TOUCH_VALUES: [&str; 10] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "msclkid",
    "referrer",
    "landing_page",
];

/// The URL parameters that mark a visit as coming from a campaign: the first eight of
/// [`TOUCH_VALUES`], everything but the referrer and the landing page.
pub const CAMPAIGN_PARAMETERS: [&str; 8] = campaign_parameters();

const fn campaign_parameters() -> [&'static str; 8] {
    let mut parameters = [""; 8];
    let mut i = 0;
    while i < parameters.len() {
        parameters[i] = TOUCH_VALUES[i];
        i += 1;
    }
    parameters
}

/// One visit's attribution. Every value is plain text, capped and stripped of control characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributionTouch {
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub gclid: Option<String>,
    pub fbclid: Option<String>,
    pub msclkid: Option<String>,
    /// The page that sent the visitor here; only http(s) URLs are kept.
    pub referrer: Option<String>,
    /// The first page of this visit on the site.
    pub landing_page: Option<String>,
    /// When the touch was captured (ISO 8601, from the browser clock).
    pub captured_at: Option<String>,
}

/// The first and last touch sent with a lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadAttribution {
    pub first_touch: Option<AttributionTouch>,
    pub last_touch: Option<AttributionTouch>,
}

impl AttributionTouch {
    /// Reads a touch from the landing page URL and the document referrer.
    pub fn from_visit(landing_page: &str, referrer: &str, captured_at: &str) -> Self {
        let mut touch = Self {
            referrer: clean_http_url(referrer, MAX_CAPTURED_CHARS),
            landing_page: clean_http_url(landing_page, MAX_CAPTURED_CHARS),
            captured_at: clean_optional_text(captured_at, 40),
            ..Self::default()
        };
        for (name, value) in query_pairs(landing_page) {
            // The first occurrence wins, as in most analytics tools.
            if let Some(slot) = touch.parameter_slot(&name) {
                if slot.is_none() {
                    *slot = clean_optional_text(&value, MAX_CAPTURED_CHARS);
                }
            }
        }
        touch
    }

    /// `true` when the visit came from a campaign (any UTM parameter or click id).
    pub fn has_campaign_parameters(&self) -> bool {
        CAMPAIGN_PARAMETERS
            .iter()
            .any(|name| self.value(name).is_some())
    }

    /// The value named by one of [`TOUCH_VALUES`]; `None` when absent, empty, or an unknown name.
    pub fn value(&self, name: &str) -> Option<&str> {
        let slot = match name {
            "utm_source" => &self.utm_source,
            "utm_medium" => &self.utm_medium,
            "utm_campaign" => &self.utm_campaign,
            "utm_term" => &self.utm_term,
            "utm_content" => &self.utm_content,
            "gclid" => &self.gclid,
            "fbclid" => &self.fbclid,
            "msclkid" => &self.msclkid,
            "referrer" => &self.referrer,
            "landing_page" => &self.landing_page,
            _ => return None,
        };
        slot.as_deref().filter(|value| !value.is_empty())
    }

    /// The same touch with every value re-cleaned. The handler calls this: it trusts no browser.
    pub fn sanitized(&self) -> Self {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| clean_optional_text(v, MAX_CAPTURED_CHARS))
        };
        let url = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| clean_http_url(v, MAX_CAPTURED_CHARS))
        };
        Self {
            utm_source: text(&self.utm_source),
            utm_medium: text(&self.utm_medium),
            utm_campaign: text(&self.utm_campaign),
            utm_term: text(&self.utm_term),
            utm_content: text(&self.utm_content),
            gclid: text(&self.gclid),
            fbclid: text(&self.fbclid),
            msclkid: text(&self.msclkid),
            referrer: url(&self.referrer),
            landing_page: url(&self.landing_page),
            captured_at: self
                .captured_at
                .as_deref()
                .and_then(|v| clean_optional_text(v, 40)),
        }
    }

    /// `(parameter name, value)` for every captured campaign parameter, in [`CAMPAIGN_PARAMETERS`] order.
    pub fn parameters(&self) -> Vec<(&'static str, &str)> {
        CAMPAIGN_PARAMETERS
            .iter()
            .filter_map(|name| self.value(name).map(|value| (*name, value)))
            .collect()
    }

    fn parameter_slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        match name {
            "utm_source" => Some(&mut self.utm_source),
            "utm_medium" => Some(&mut self.utm_medium),
            "utm_campaign" => Some(&mut self.utm_campaign),
            "utm_term" => Some(&mut self.utm_term),
            "utm_content" => Some(&mut self.utm_content),
            "gclid" => Some(&mut self.gclid),
            "fbclid" => Some(&mut self.fbclid),
            "msclkid" => Some(&mut self.msclkid),
            _ => None,
        }
    }
}

impl LeadAttribution {
    /// Folds the current visit into what the browser remembered.
    ///
    /// First touch is kept once set. Last touch moves only when the current visit carries campaign
    /// parameters, so browsing to a second page does not erase the campaign that brought the visitor.
    pub fn record_visit(&self, current: AttributionTouch) -> Self {
        let first_touch = self.first_touch.clone().or_else(|| Some(current.clone()));
        let last_touch = if current.has_campaign_parameters() {
            Some(current)
        } else {
            self.last_touch.clone()
        };
        Self {
            first_touch,
            last_touch,
        }
    }

    /// Both touches re-cleaned (see [`AttributionTouch::sanitized`]).
    pub fn sanitized(&self) -> Self {
        Self {
            first_touch: self.first_touch.as_ref().map(AttributionTouch::sanitized),
            last_touch: self.last_touch.as_ref().map(AttributionTouch::sanitized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_parameters_are_the_touch_values_before_referrer_and_landing_page() {
        assert_eq!(
            CAMPAIGN_PARAMETERS,
            [
                "utm_source",
                "utm_medium",
                "utm_campaign",
                "utm_term",
                "utm_content",
                "gclid",
                "fbclid",
                "msclkid"
            ]
        );
        assert_eq!(TOUCH_VALUES[8..], ["referrer", "landing_page"]);
    }

    const NOW: &str = "2026-11-23T07:00:00.000Z";

    #[test]
    fn reads_utm_parameters_click_ids_and_referrer() {
        let touch = AttributionTouch::from_visit(
            "https://acme.test/ebook?utm_source=linkedin&utm_medium=paid%20social&utm_campaign=q4&gclid=abc&other=x",
            "https://www.linkedin.com/feed/",
            NOW,
        );
        assert_eq!(touch.utm_source.as_deref(), Some("linkedin"));
        assert_eq!(touch.utm_medium.as_deref(), Some("paid social"));
        assert_eq!(touch.utm_campaign.as_deref(), Some("q4"));
        assert_eq!(touch.gclid.as_deref(), Some("abc"));
        assert_eq!(touch.utm_term, None);
        assert_eq!(
            touch.referrer.as_deref(),
            Some("https://www.linkedin.com/feed/")
        );
        assert!(touch.has_campaign_parameters());
        assert_eq!(
            touch.parameters(),
            vec![
                ("utm_source", "linkedin"),
                ("utm_medium", "paid social"),
                ("utm_campaign", "q4"),
                ("gclid", "abc")
            ]
        );
    }

    #[test]
    fn hostile_values_become_capped_plain_text() {
        let long = "A".repeat(5000);
        let touch = AttributionTouch::from_visit(
            &format!("https://acme.test/?utm_source=%3Cscript%3Ealert(1)%3C%2Fscript%3E&utm_term=a%0D%0Ab&utm_content={long}"),
            "javascript:alert(document.cookie)",
            NOW,
        );
        assert_eq!(
            touch.utm_source.as_deref(),
            Some("<script>alert(1)</script>")
        );
        assert_eq!(touch.utm_term.as_deref(), Some("ab"));
        assert_eq!(
            touch.utm_content.as_ref().map(|v| v.chars().count()),
            Some(256)
        );
        assert_eq!(touch.referrer, None);
    }

    #[test]
    fn sanitized_reapplies_the_rules_to_untrusted_input() {
        let forged = AttributionTouch {
            utm_source: Some(format!("x\u{7}{}", "y".repeat(400))),
            referrer: Some("data:text/html,hi".into()),
            landing_page: Some("https://acme.test/".into()),
            gclid: Some("   ".into()),
            ..AttributionTouch::default()
        };
        let clean = forged.sanitized();
        assert_eq!(clean.utm_source.as_ref().map(|v| v.len()), Some(256));
        assert!(!clean.utm_source.unwrap_or_default().contains('\u{7}'));
        assert_eq!(clean.referrer, None);
        assert_eq!(clean.gclid, None);
        assert_eq!(clean.landing_page.as_deref(), Some("https://acme.test/"));
    }

    #[test]
    fn first_touch_is_kept_and_last_touch_moves_only_on_campaign_visits() {
        let first = AttributionTouch::from_visit("https://acme.test/?utm_source=google", "", NOW);
        let plain = AttributionTouch::from_visit("https://acme.test/pricing", "", NOW);
        let second =
            AttributionTouch::from_visit("https://acme.test/blog?utm_source=newsletter", "", NOW);

        let after_first = LeadAttribution::default().record_visit(first.clone());
        assert_eq!(after_first.first_touch.as_ref(), Some(&first));
        assert_eq!(after_first.last_touch.as_ref(), Some(&first));

        let after_plain = after_first.record_visit(plain);
        assert_eq!(after_plain.last_touch.as_ref(), Some(&first));

        let after_second = after_plain.record_visit(second.clone());
        assert_eq!(after_second.first_touch.as_ref(), Some(&first));
        assert_eq!(after_second.last_touch.as_ref(), Some(&second));
    }

    #[test]
    fn a_direct_first_visit_is_a_first_touch_without_a_last_touch() {
        let direct = AttributionTouch::from_visit("https://acme.test/", "", NOW);
        let attribution = LeadAttribution::default().record_visit(direct.clone());
        assert_eq!(attribution.first_touch, Some(direct));
        assert_eq!(attribution.last_touch, None);
    }
}
