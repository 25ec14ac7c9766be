//! The HTTP API: one file per concern, wired together here.

pub mod admin;
pub mod admission;
pub mod assets;
pub mod checked_origin;
pub mod client_address;
pub mod cookies;
pub mod cors;
pub mod embedded_site;
pub mod errors;
pub mod fallback;
pub mod first_markup;
pub mod forms;
pub mod health;
pub mod leads;
pub mod metrics;
pub mod own_origin;
pub mod page_views;
pub mod profile;
pub mod rate_limit;
pub mod requested_locale;
pub mod security_headers;
pub mod static_files;
pub mod visitor;

use crate::forms::FormRegistry;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use client_address::TrustedProxies;
use leadform_store::Store;
use own_origin::OwnOrigin;
use rate_limit::RateLimiter;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// Largest request body accepted, for JSON leads and fallback form posts alike.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// What every handler needs, behind one `Arc`: axum clones the state for every extractor and
/// middleware of every request, and a copy of each field cost a profile's 2% of the handler.
#[derive(Clone)]
pub struct AppState(Arc<HandlerContext>);

impl AppState {
    pub fn new(context: HandlerContext) -> AppState {
        AppState(Arc::new(context))
    }
}

impl std::ops::Deref for AppState {
    type Target = HandlerContext;

    fn deref(&self) -> &HandlerContext {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct HandlerContext {
    pub forms: Arc<FormRegistry>,
    pub store: Arc<Store>,
    pub rate_limiter: Arc<RateLimiter>,
    /// Poked after each stored lead with deliveries, so the forwarder starts at once.
    pub deliveries_due: Arc<Notify>,
    /// `--trusted-proxy`: peers whose `X-Forwarded-For` entry names the client.
    pub trusted_proxies: TrustedProxies,
    /// The handler's own origin for CORS and form posts, and whether cookies get `Secure`.
    pub own_origin: OwnOrigin,
    /// Request latencies and submission outcomes for `GET /metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The lead-scoring rules (`scoring.json`), read once at start-up.
    pub scoring: Arc<leadform_scoring::ScoringRules>,
    // Issue 7: signed visitor ids, form tokens and asset links, timed by one clock.
    pub signing_key: crate::signing::SigningKey,
    pub gated_assets: Arc<crate::gated_assets::GatedAssets>,
    pub clock: crate::clock::HandlerClock,
    /// Group commit (issue 13 §5): leads arriving together share one transaction.
    pub committer: leadform_store::GroupCommitter,
}

impl HandlerContext {
    /// What accepting a lead needs, with the clock read once for this request.
    pub fn intake(&self) -> crate::intake::Intake<'_> {
        crate::intake::Intake {
            store: &self.store,
            committer: &self.committer,
            deliveries_due: &self.deliveries_due,
            signing_key: &self.signing_key,
            gated_assets: &self.gated_assets,
            scoring: &self.scoring,
            now_ms: self.clock.now_ms(),
        }
    }
}

pub fn router(
    state: AppState,
    public_dir: Option<PathBuf>,
    operations: admin::OperationsEndpoints,
) -> Router {
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
        .route(
            "/v1/forms/{id}/embed",
            get(first_markup::get_first_markup).options(forms::preflight),
        )
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
        .route("/v1/page-views", post(page_views::post_page_view))
        // `--admin-addr` moves readiness and metrics off this address.
        .merge(admin::main_address_routes(operations))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES));
    let site = match public_dir {
        Some(dir) => api.fallback_service(static_files::service(dir)),
        // One binary (issue 13 §6): the browser files built in, when this build carries them.
        None if embedded_site::is_available() => api.fallback_service(embedded_site::service()),
        None => api.fallback(static_files::not_found),
    };
    site.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        metrics::record,
    ))
    .layer(middleware::from_fn(security_headers::add_security_headers))
    .with_state(state)
}
