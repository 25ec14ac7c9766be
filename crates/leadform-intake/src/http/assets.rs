//! `GET /v1/forms/{id}/asset?expires=…&signature=…`: a gated file, through the signed link the
//! submission's answer gave out (see [`crate::gated_assets`]). Anything else gets a 403 page saying
//! what to do.

use super::fallback::problem;
use super::page_views::scorable_person;
use super::visitor::SignedVisitor;
use super::AppState;
use crate::gated_assets::LinkFlaw;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leadform_scoring::ScoreEventKind;
use leadform_store::NewScoreEvent;
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// Read as text: a link someone mangled gets the 403 page, not a bare 400.
#[derive(Debug, Deserialize)]
pub struct AssetLinkQuery {
    pub expires: Option<String>,
    pub signature: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    Query(link): Query<AssetLinkQuery>,
    SignedVisitor(visitor): SignedVisitor,
    request: Request,
) -> Response {
    let expires = link.expires.as_deref().and_then(|e| e.parse::<i64>().ok());
    let (Some(expires), Some(signature)) = (expires, link.signature.as_deref()) else {
        return refused(LinkFlaw::Forged);
    };
    let opened = state.gated_assets.open(
        &state.signing_key,
        &form_id,
        expires,
        signature,
        state.clock.now_ms(),
    );
    let path = match opened {
        Ok(path) => path.to_path_buf(),
        Err(flaw) => return refused(flaw),
    };
    if let Some(visitor) = visitor {
        record_asset_fetched(&state, &visitor, &form_id).await;
    }
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // ServeFile sets the type from the extension and answers range requests (PDF viewers use them).
    let Ok(mut response) = ServeFile::new(&path).oneshot(request).await;
    let response_headers = response.headers_mut();
    // The link is personal and expires: no shared cache may keep the file for others.
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "inline; filename=\"{}\"",
        file_name.replace(['"', '\\'], "_")
    )) {
        response_headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response.map(Body::new)
}

fn refused(flaw: LinkFlaw) -> Response {
    tracing::info!(
        outcome = match flaw {
            LinkFlaw::Forged => "asset_link_forged",
            LinkFlaw::Expired => "asset_link_expired",
            LinkFlaw::NoPrivateAsset => "asset_link_no_asset",
        },
        status = 403,
        "asset download refused"
    );
    let (heading, message) = match flaw {
        LinkFlaw::Expired => (
            "This download link has expired",
            "Download links work for 24 hours. Fill in the form again to get a new one.",
        ),
        LinkFlaw::Forged | LinkFlaw::NoPrivateAsset => (
            "This download link is not valid",
            "The link is incomplete or was changed. Use the link you were given after sending the form, or fill in the form again.",
        ),
    };
    let mut response = problem(StatusCode::FORBIDDEN, heading, message);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.into_response()
}

/// A known visitor fetched the gated file: a scoring event for their person (issue 10), under
/// the same rules as a returning visit. A failure is logged and never stops the download.
async fn record_asset_fetched(state: &AppState, visitor: &str, form_id: &str) {
    let person_id = match scorable_person(state, visitor).await {
        Ok(Some(person_id)) => person_id,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(error = %error, form_id, "scoring an asset fetch failed");
            return;
        }
    };
    let mut event = NewScoreEvent::new(
        person_id,
        ScoreEventKind::AssetFetched,
        state.clock.now_ms(),
    );
    event.form_id = Some(form_id.to_owned());
    event.detail = Some(form_id.to_owned());
    if let Err(error) = state
        .store
        .record_score_events(&state.scoring, person_id, vec![event])
        .await
    {
        tracing::error!(error = %error, form_id, "scoring an asset fetch failed");
    }
}
