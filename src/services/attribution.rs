//! Campaign attribution, captured on every page view where the widget runs.
//!
//! The first touch is kept from the visitor's first visit and the last touch moves to each visit
//! with campaign parameters (`LeadAttribution::record_visit` in leadform-core). Between visits it is
//! remembered in localStorage — only where the form's storage policy allows; until then it lives in
//! memory for this page view and is still sent with the lead.

use super::{page, storage};
use leadform_core::{AttributionTouch, LeadAttribution, StoragePolicy};
use std::cell::RefCell;

pub const STORAGE_KEY: &str = "attribution";

thread_local! {
    /// This page view's attribution, computed once however many forms the page holds.
    static PAGE_ATTRIBUTION: RefCell<Option<LeadAttribution>> = const { RefCell::new(None) };
}

/// What the browser remembered, with this page view folded in.
pub fn current() -> LeadAttribution {
    PAGE_ATTRIBUTION.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let remembered: LeadAttribution = storage::read(STORAGE_KEY).unwrap_or_default();
                let page = page::current_page();
                remembered.record_visit(AttributionTouch::from_visit(
                    &page.url,
                    &page.referrer,
                    &page.now_iso,
                ))
            })
            .clone()
    })
}

/// Stores the attribution for later visits if `policy` allows it now. Returns whether it did.
pub fn remember(policy: StoragePolicy, consent_given: bool) -> bool {
    policy.allows(consent_given) && storage::write(STORAGE_KEY, &current())
}

/// Drops the in-memory copy so the next [`current`] reads storage and the page again.
pub fn reload() {
    PAGE_ATTRIBUTION.with(|cell| cell.borrow_mut().take());
}
