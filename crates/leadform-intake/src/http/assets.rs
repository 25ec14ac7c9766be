//! `GET /v1/forms/{id}/asset?expires=…&signature=…`: a gated file, through the signed link the
//! submission's answer gave out (see [`crate::gated_assets`]). Anything else gets a 403 page saying
//! what to do.

use super::fallback::problem;
use super::AppState;
use crate::gated_assets::LinkFlaw;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
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
