//! "Not you?": forgetting the visitor, the same way whether the click reached the widget's own
//! form or was held on the loader's shown form until the takeover (`embed/takeover.rs`).

use super::{profile, visitor};
use leadform_core::PublicFormDefinition;
use std::future::Future;

/// Forgets the visitor on this device at once (profile and visitor id; a fresh id where the
/// policy allows one now) and returns the request that makes the handler forget them and clear
/// its cookie. Await it before sending anything that must not carry the old cookie.
pub fn forget_visitor(
    endpoint: &str,
    definition: &PublicFormDefinition,
) -> impl Future<Output = ()> + 'static {
    visitor::forget();
    let _ = visitor::visitor_id(definition.storage, false);
    let endpoint = endpoint.to_owned();
    let form_id = definition.id.clone();
    async move {
        // Best effort: the device forgets either way; the handler's copy goes when it can.
        let _ = profile::forget_profile(&endpoint, &form_id).await;
    }
}
