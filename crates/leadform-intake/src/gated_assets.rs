//! Gated content: the file a `content_download` form gives away, served only through a signed link.
//!
//! An asset `url` that is a path (`/12-must-have-dashboard-charts.pdf`) names a file in the private
//! `--assets` folder, which is never served as it is: the 201 answer (and the fallback's redirect)
//! carries a link `/v1/forms/{id}/asset?expires={ms}&signature={hex}` that works for
//! [`ASSET_LINK_LIFETIME_MS`]. An http(s) `url` elsewhere still works, but anyone who learns it can
//! download the file: `serve` warns about each one at start-up.

use crate::forms::FormRegistry;
use crate::signing::{Purpose, SigningKey};
use leadform_core::{FormDefinition, FormKind};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use thiserror::Error;

/// How long a download link works after the submission that earned it.
pub const ASSET_LINK_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Error)]
pub enum AssetsError {
    #[error("form `{form_id}`: asset.url `{url}` is a file in the private assets folder, but serve has no --assets DIR")]
    NoAssetsFolder { form_id: String, url: String },
    #[error("form `{form_id}`: asset.url `{url}` must be a plain path inside the assets folder (no `..`)")]
    EscapesFolder { form_id: String, url: String },
    #[error("form `{form_id}`: asset file {} does not exist or is not a file", path.display())]
    Missing { form_id: String, path: PathBuf },
}

/// Where one form's asset is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AssetSource {
    /// In the private folder: given out through signed links only.
    Private(PathBuf),
    /// Somewhere else on the web: given out as it is, unprotected.
    External(String),
}

/// Why a download link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFlaw {
    /// Not signed by this server for this form and expiry (tampered, or made up).
    Forged,
    Expired,
    /// The form has no private asset (none, or an external one).
    NoPrivateAsset,
}

/// Every form's gated asset, checked at start-up.
#[derive(Debug, Clone, Default)]
pub struct GatedAssets {
    by_form: BTreeMap<String, AssetSource>,
}

impl GatedAssets {
    /// Checks every form's asset against `folder`. A path asset needs the folder and its file, or
    /// start-up stops naming the form: a download that fails after the visitor gave their email is
    /// the worst way to find out.
    pub fn load(forms: &FormRegistry, folder: Option<&Path>) -> Result<GatedAssets, AssetsError> {
        let mut by_form = BTreeMap::new();
        for form in forms.iter() {
            let (FormKind::ContentDownload, Some(asset)) = (form.kind, &form.asset) else {
                continue;
            };
            let url = asset.url.trim();
            if url.starts_with("http://") || url.starts_with("https://") {
                tracing::warn!(
                    form_id = %form.id,
                    "the gated asset is an external URL: anyone who has the link can download it; put the file in the --assets folder and use its path to protect it"
                );
                by_form.insert(form.id.clone(), AssetSource::External(url.to_owned()));
                continue;
            }
            let folder = folder.ok_or_else(|| AssetsError::NoAssetsFolder {
                form_id: form.id.clone(),
                url: url.to_owned(),
            })?;
            let relative = Path::new(url.trim_start_matches('/'));
            let plain = relative.components().count() > 0
                && relative
                    .components()
                    .all(|part| matches!(part, Component::Normal(_)));
            if !plain {
                return Err(AssetsError::EscapesFolder {
                    form_id: form.id.clone(),
                    url: url.to_owned(),
                });
            }
            let path = folder.join(relative);
            if !path.is_file() {
                return Err(AssetsError::Missing {
                    form_id: form.id.clone(),
                    path,
                });
            }
            by_form.insert(form.id.clone(), AssetSource::Private(path));
        }
        Ok(GatedAssets { by_form })
    }

    /// The link to give a visitor who just submitted `form`: signed and expiring for a private
    /// asset, the URL itself for an external one; `None` when the form gives nothing away.
    pub fn link_for(&self, key: &SigningKey, form: &FormDefinition, now_ms: i64) -> Option<String> {
        match self.by_form.get(&form.id)? {
            AssetSource::External(url) => Some(url.clone()),
            AssetSource::Private(_) => {
                let expires = now_ms.saturating_add(ASSET_LINK_LIFETIME_MS);
                let signature = key.sign(Purpose::AssetLink, &link_message(&form.id, expires));
                Some(format!(
                    "/v1/forms/{}/asset?expires={expires}&signature={signature}",
                    form.id
                ))
            }
        }
    }

    /// The file a download link opens, if its signature is this server's and it has not expired.
    pub fn open(
        &self,
        key: &SigningKey,
        form_id: &str,
        expires_ms: i64,
        signature: &str,
        now_ms: i64,
    ) -> Result<&Path, LinkFlaw> {
        let Some(AssetSource::Private(path)) = self.by_form.get(form_id) else {
            return Err(LinkFlaw::NoPrivateAsset);
        };
        // The signature first: an expiry someone edited must read as tampered, not as expired.
        if !key.verify(
            Purpose::AssetLink,
            &link_message(form_id, expires_ms),
            signature,
        ) {
            return Err(LinkFlaw::Forged);
        }
        if now_ms > expires_ms {
            return Err(LinkFlaw::Expired);
        }
        Ok(path)
    }
}

fn link_message(form_id: &str, expires_ms: i64) -> String {
    format!("{form_id}\n{expires_ms}")
}
