//! The versioned HTTP API (`/api/v1/...`): one module per resource.

pub(crate) mod compare;
pub(crate) mod data;
pub(crate) mod export;
pub(crate) mod framework;
pub(crate) mod scenarios;
pub(crate) mod score;
pub(crate) mod uncertainty;
pub(crate) mod units;
pub(crate) mod weights;

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use zhili_core::Pipeline;

use crate::error::ApiError;

/// A JSON body whose rejections (bad JSON, wrong content type, too large) are JSON errors.
#[derive(Debug)]
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(json_rejection(&e)),
        }
    }
}

fn json_rejection(e: &JsonRejection) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(status, "request body too large").with("kind", "too_large");
    }
    ApiError::new(status, format!("bad request body: {}", e.body_text())).with("kind", "bad_body")
}

/// What scoring requests carry: a weight set and, optionally, a pipeline document.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScoreInput {
    /// Node id → weight (relative to siblings); nodes not listed keep the framework's.
    #[serde(default)]
    pub(crate) weights: BTreeMap<String, f64>,
    /// A pipeline document (JSON form of the TOML the CLI reads).
    #[serde(default)]
    pub(crate) pipeline: Option<serde_json::Value>,
    /// Another period of a panel (default: the period served).
    #[serde(default)]
    pub(crate) year: Option<i64>,
}

/// Parse a pipeline document, naming it in the error.
pub(crate) fn parse_pipeline(v: Option<&serde_json::Value>) -> Result<Option<Pipeline>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    let p: Pipeline = serde_json::from_value(v.clone()).map_err(|e| {
        ApiError::bad(format!("bad pipeline document: {e}"))
            .with("kind", "bad_document")
            .with("document", "pipeline")
    })?;
    p.check().map_err(|e| {
        ApiError::bad(format!("bad pipeline document: {e}"))
            .with("kind", "bad_document")
            .with("document", "pipeline")
    })?;
    Ok(Some(p))
}

/// A finite number for JSON (`null` for NaN / ±∞).
pub(crate) fn num(v: f64) -> serde_json::Value {
    if v.is_finite() {
        serde_json::Value::from(v)
    } else {
        serde_json::Value::Null
    }
}
