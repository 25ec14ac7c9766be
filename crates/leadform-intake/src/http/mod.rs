//! The HTTP API: one file per concern, wired together here.

pub mod admission;
pub mod assets;
pub mod cookies;
pub mod cors;
pub mod errors;
pub mod fallback;
pub mod forms;
pub mod leads;
pub mod own_origin;
pub mod profile;
pub mod rate_limit;
pub mod static_files;
pub mod visitor;

use crate::forms::FormRegistry;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use leadform_store::Store;
use own_origin::OwnOrigin;
use rate_limit::RateLimiter;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// Largest request body accepted, for JSON leads and fallback form posts alike.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// What every handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub forms: Arc<FormRegistry>,
    pub store: Arc<Store>,
    pub rate_limiter: Arc<RateLimiter>,
    /// Poked after each stored lead with deliveries, so the forwarder starts at once.
    pub deliveries_due: Arc<Notify>,
    /// Count requests against the rightmost `X-Forwarded-For` address instead of the socket peer.
    pub trust_proxy: bool,
    /// The handler's own origin for CORS and form posts, and whether cookies get `Secure`.
    pub own_origin: OwnOrigin,
    // Issue 7: signed visitor ids, form tokens and asset links, timed by one clock.
    pub signing_key: crate::signing::SigningKey,
    pub gated_assets: Arc<crate::gated_assets::GatedAssets>,
    pub clock: crate::clock::Clock,
}

impl AppState {
    /// What accepting a lead needs, with the clock read once for this request.
    pub fn intake(&self) -> crate::intake::Intake<'_> {
        crate::intake::Intake {
            store: &self.store,
            deliveries_due: &self.deliveries_due,
            signing_key: &self.signing_key,
            gated_assets: &self.gated_assets,
            now_ms: self.clock.now_ms(),
        }
    }
}

pub fn router(state: AppState, public_dir: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route(
            "/v1/forms/{id}",
            get(forms::get_form).options(forms::preflight),
        )
        .route(
            "/v1/forms/{id}/fallback",
            get(fallback::show_form).post(fallback::submit_form),
        )
        .route("/v1/forms/{id}/thanks", get(fallback::thanks))
        .route("/v1/forms/{id}/asset", get(assets::download))
        .route("/v1/fallback.css", get(fallback::stylesheet))
        .route(
            "/v1/leads",
            post(leads::post_lead).options(leads::preflight),
        )
        .route(
            "/v1/profile",
            get(profile::get_profile)
                .delete(profile::forget_profile)
                .options(profile::preflight),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state);
    match public_dir {
        Some(dir) => api.fallback_service(static_files::service(dir)),
        None => api.fallback(static_files::not_found),
    }
}
