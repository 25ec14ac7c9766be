//! Where the operations endpoints answer (issue 13 §6). Without `--admin-addr`, `/healthz`,
//! `/readyz` and `/metrics` are on the main address. With it, readiness and metrics move to the
//! admin address only, so they need not be public (the main address answers 404 for them);
//! `/healthz` answers on both, since a process check may come from either side.

use axum::middleware;
use axum::routing::get;
use axum::Router;

use super::{health, metrics, security_headers, static_files, AppState};

/// Which operations endpoints the main address carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationsEndpoints {
    /// No `--admin-addr`: all three on the main address.
    OnMainAddress,
    /// `--admin-addr`: only `/healthz` on the main address.
    OnAdminAddress,
}

/// The operations routes of the main address.
pub fn main_address_routes(placement: OperationsEndpoints) -> Router<AppState> {
    let routes = Router::new().route("/healthz", get(health::healthz));
    match placement {
        OperationsEndpoints::OnMainAddress => readiness_and_metrics(routes),
        OperationsEndpoints::OnAdminAddress => routes,
    }
}

/// Everything the admin address answers; the rest is a 404.
pub fn admin_router(state: AppState) -> Router {
    readiness_and_metrics(Router::new().route("/healthz", get(health::healthz)))
        .fallback(static_files::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(middleware::from_fn(security_headers::add_security_headers))
        .with_state(state)
}

fn readiness_and_metrics(routes: Router<AppState>) -> Router<AppState> {
    routes
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
}
