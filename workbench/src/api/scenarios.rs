//! Scenarios: list, save (a new version every time), open any version, duplicate, rename,
//! soft delete and undo.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_pipeline, Body};
use crate::error::{ApiError, ApiResult};
use crate::state::{check_weights, AppState, Base};
use crate::store::{NewVersion, Version};

const MAX_TEXT: usize = 2000;

/// A save: everything is optional on a new version of an existing scenario (kept from the
/// latest version).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SaveInput {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    weights: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pipeline: Option<Value>,
}

fn text(field: &str, v: Option<String>, required: bool) -> ApiResult<Option<String>> {
    match v {
        Some(s) if s.chars().count() > MAX_TEXT => {
            Err(ApiError::bad(format!("{field} is longer than {MAX_TEXT} characters")).with("field", field))
        }
        Some(s) if required && s.trim().is_empty() => Err(ApiError::bad(format!("{field} must not be empty")).with("field", field)),
        Some(s) => Ok(Some(s)),
        None if required => Err(ApiError::bad(format!("{field} is required")).with("field", field)),
        None => Ok(None),
    }
}

/// Check the weights and pipeline against the framework; the stored JSON forms.
fn checked(base: &Base, weights: &BTreeMap<String, f64>, pipeline: Option<&Value>) -> ApiResult<(Value, Value)> {
    check_weights(&base.framework, weights)?;
    base.framework.with_weights(weights.iter().map(|(k, v)| (k.as_str(), *v)))?;
    let p = parse_pipeline(pipeline)?.unwrap_or_else(|| base.pipeline.clone());
    Ok((
        json!(weights),
        serde_json::to_value(&p).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

pub(crate) fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("unknown scenario {id}"))
        .with("kind", "unknown_scenario")
        .with("scenario", id)
}

fn store_err(id: i64) -> impl Fn(rusqlite::Error) -> ApiError {
    move |e| match e {
        rusqlite::Error::QueryReturnedNoRows => not_found(id),
        e => ApiError::from(e),
    }
}

/// A version as JSON (plus whether it was scored on the data served now).
pub(crate) fn version_json(base: &Base, v: &Version) -> Value {
    let mut j = serde_json::to_value(v).unwrap_or(Value::Null);
    j["same_data"] = Value::Bool(v.data_fingerprint == base.fingerprint);
    j
}

/// Load one version (latest by default) of a scenario.
pub(crate) fn load(state: &AppState, id: i64, version: Option<i64>) -> ApiResult<Version> {
    state.inner.store.get(id, version).map_err(store_err(id))
}

/// The weights of a stored version.
pub(crate) fn weights_of(v: &Version) -> ApiResult<BTreeMap<String, f64>> {
    serde_json::from_value(v.weights.clone())
        .map_err(|e| ApiError::internal(format!("scenario {} version {}: bad weights: {e}", v.id, v.version)))
}

/// `GET /api/v1/scenarios?deleted=true`.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    deleted: bool,
}

/// `GET /api/v1/scenarios`.
pub(crate) async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let rows = state.inner.store.list(q.deleted)?;
    let items: Vec<Value> = rows
        .iter()
        .map(|s| {
            let mut j = version_json(&base, &s.latest);
            j["versions"] = json!(s.versions);
            j["created_at"] = json!(s.created_at);
            j["deleted_at"] = json!(s.deleted_at);
            j
        })
        .collect();
    Ok(Json(json!({"scenarios": items})))
}

/// `POST /api/v1/scenarios`: a new scenario (version 1).
pub(crate) async fn create(State(state): State<AppState>, Body(input): Body<SaveInput>) -> ApiResult<(StatusCode, Json<Value>)> {
    let base = state.base();
    let name = text("name", input.name, true)?.unwrap_or_default();
    let note = text("note", input.note, false)?.unwrap_or_default();
    let author = text("author", input.author, false)?.unwrap_or_default();
    let (weights, pipeline) = checked(&base, &input.weights.unwrap_or_default(), input.pipeline.as_ref())?;
    let (id, version) = state.inner.store.create(&NewVersion {
        name,
        note,
        author,
        framework_id: base.framework_id.clone(),
        data_fingerprint: base.fingerprint.clone(),
        weights,
        pipeline,
        origin: "save".into(),
    })?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "version": version}))))
}

/// `GET /api/v1/scenarios/{id}?version=N`.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionQuery {
    #[serde(default)]
    version: Option<i64>,
}

/// `GET /api/v1/scenarios/{id}`.
pub(crate) async fn get(State(state): State<AppState>, Path(id): Path<i64>, Query(q): Query<VersionQuery>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let v = load(&state, id, q.version)?;
    let mut j = version_json(&base, &v);
    j["deleted_at"] = json!(state.inner.store.deleted_at(id)?.flatten());
    Ok(Json(j))
}

/// `GET /api/v1/scenarios/{id}/versions`.
pub(crate) async fn versions(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let vs = state.inner.store.versions(id)?;
    if vs.is_empty() {
        return Err(not_found(id));
    }
    Ok(Json(
        json!({"id": id, "versions": vs.iter().map(|v| version_json(&base, v)).collect::<Vec<_>>()}),
    ))
}

/// Save a new version built from the latest one and `input`.
fn save_version(state: &AppState, id: i64, input: SaveInput, origin: &str) -> ApiResult<Value> {
    let base = state.base();
    let latest = load(state, id, None)?;
    let name = text("name", input.name, false)?.unwrap_or(latest.name.clone());
    if name.trim().is_empty() {
        return Err(ApiError::bad("name must not be empty").with("field", "name"));
    }
    let note = text("note", input.note, false)?.unwrap_or(latest.note.clone());
    let author = text("author", input.author, false)?.unwrap_or(latest.author.clone());
    let weights = match input.weights {
        Some(w) => w,
        None => weights_of(&latest)?,
    };
    let pipeline = input.pipeline.unwrap_or(latest.pipeline.clone());
    let (weights, pipeline) = checked(&base, &weights, Some(&pipeline))?;
    let fingerprint = if origin == "save" {
        base.fingerprint.clone()
    } else {
        latest.data_fingerprint.clone()
    };
    let version = state
        .inner
        .store
        .save(
            id,
            &NewVersion {
                name,
                note,
                author,
                framework_id: base.framework_id.clone(),
                data_fingerprint: fingerprint,
                weights,
                pipeline,
                origin: origin.into(),
            },
        )
        .map_err(store_err(id))?;
    Ok(json!({"id": id, "version": version}))
}

/// `PUT /api/v1/scenarios/{id}`: save a new version.
pub(crate) async fn save(State(state): State<AppState>, Path(id): Path<i64>, Body(input): Body<SaveInput>) -> ApiResult<Json<Value>> {
    Ok(Json(save_version(&state, id, input, "save")?))
}

/// Rename request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenameInput {
    name: String,
}

/// `PATCH /api/v1/scenarios/{id}` with `{"name"}`: rename (as a new version; the old name stays in the history).
pub(crate) async fn rename(State(state): State<AppState>, Path(id): Path<i64>, Body(input): Body<RenameInput>) -> ApiResult<Json<Value>> {
    let s = SaveInput {
        name: Some(input.name),
        ..SaveInput::default()
    };
    if s.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad("name must not be empty").with("field", "name"));
    }
    Ok(Json(save_version(&state, id, s, "rename")?))
}

/// Duplicate request.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DuplicateInput {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    author: Option<String>,
}

/// `POST /api/v1/scenarios/{id}/duplicate`: a new scenario from one version.
pub(crate) async fn duplicate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // The body is optional: no body, or JSON.
    let input: DuplicateInput = if body.iter().all(u8::is_ascii_whitespace) {
        DuplicateInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::bad(format!("bad request body: {e}")).with("kind", "bad_body"))?
    };
    let v = load(&state, id, input.version)?;
    let name = text("name", input.name, false)?.unwrap_or_else(|| format!("{} (copy)", v.name));
    let (nid, version) = state.inner.store.create(&NewVersion {
        name,
        note: v.note.clone(),
        author: text("author", input.author, false)?.unwrap_or(v.author.clone()),
        framework_id: v.framework_id.clone(),
        data_fingerprint: v.data_fingerprint.clone(),
        weights: v.weights.clone(),
        pipeline: v.pipeline.clone(),
        origin: "duplicate".into(),
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": nid, "version": version, "from": {"id": id, "version": v.version}})),
    ))
}

/// `DELETE /api/v1/scenarios/{id}`: soft delete (undo with `/restore`).
pub(crate) async fn delete(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    if !state.inner.store.set_deleted(id, true)? {
        return Err(not_found(id));
    }
    Ok(Json(json!({"id": id, "deleted": true})))
}

/// `POST /api/v1/scenarios/{id}/restore`: undo a delete.
pub(crate) async fn restore(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    if !state.inner.store.set_deleted(id, false)? {
        return Err(not_found(id));
    }
    Ok(Json(json!({"id": id, "deleted": false})))
}
