//! The handler's half of progressive profiling, keyed by its visitor cookie.

use super::definition::encode_path_segment;
use super::http::{request, HttpError};
use leadform_core::KnownProfile;

/// `GET {endpoint}/v1/profile?form={id}`: what the handler knows about this browser's visitor.
pub async fn fetch_profile(endpoint: &str, form_id: &str) -> Result<KnownProfile, HttpError> {
    let url = [endpoint, "/v1/profile?form=", &encode_path_segment(form_id)].concat();
    request("GET", &url, None, true).await?.success()?.parse()
}

/// `DELETE {endpoint}/v1/profile?form={id}`: the handler forgets the visitor and clears its
/// cookie (the form id lets it check the page's origin against that form's allow-list).
pub async fn forget_profile(endpoint: &str, form_id: &str) -> Result<(), HttpError> {
    let url = [endpoint, "/v1/profile?form=", &encode_path_segment(form_id)].concat();
    request("DELETE", &url, None, true)
        .await?
        .success()
        .map(|_| ())
}
