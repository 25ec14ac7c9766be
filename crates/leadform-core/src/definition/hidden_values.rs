//! The campaign and lead source: set by the form definition, carried by every submission.

use serde::{Deserialize, Serialize};

/// The campaign and lead source every lead is tied to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HiddenValues {
    pub lead_source: Option<String>,
    pub campaign_id: Option<String>,
}
