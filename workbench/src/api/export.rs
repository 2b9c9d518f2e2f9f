//! `GET /api/v1/scenarios/{id}/export/{format}`: a scenario as a file — `csv`, `xlsx`,
//! `report` (a printable HTML page), or the documents the CLI and Python read:
//! `framework.toml` / `framework.json` (the framework with the scenario's weights),
//! `pipeline.toml` / `pipeline.json`, `weights.toml`.
//!
//! `zhili score -f framework.toml -d DATA -p pipeline.toml` reproduces the scenario's numbers.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::compare::side;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Options of an export.
#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    lang: Option<String>,
}

fn file(bytes: Vec<u8>, mime: &str, name: &str, inline: bool) -> Response {
    let disposition = if inline {
        "inline".to_owned()
    } else {
        format!("attachment; filename=\"{name}\"")
    };
    (
        [(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/scenarios/{id}/export/{format}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path((id, format)): Path<(i64, String)>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let base = state.base();
    let (meta, s) = side(&state, &base, id, q.version)?;
    let lang = q.lang.as_deref().and_then(zhili_io::Lang::parse).unwrap_or(base.lang);
    let stem = format!("scenario-{id}-v{}", meta["version"].as_i64().unwrap_or(0));
    let spec = s.framework.spec();
    let doc_err = |e: String| ApiError::internal(format!("cannot write the document: {e}"));
    Ok(match format.as_str() {
        "csv" => file(crate::export::csv(&base, &s, lang)?, "text/csv; charset=utf-8", &format!("{stem}.csv"), false),
        "xlsx" => file(
            crate::export::xlsx(&base, &s, lang)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
            false,
        ),
        "report" => file(crate::report::html(&base, &s, &meta, lang).into_bytes(), "text/html; charset=utf-8", "", true),
        "framework.toml" => file(
            toml::to_string_pretty(spec).map_err(|e| doc_err(e.to_string()))?.into_bytes(),
            "application/toml; charset=utf-8",
            &format!("{stem}-framework.toml"),
            false,
        ),
        "framework.json" => file(
            serde_json::to_vec_pretty(spec).map_err(|e| doc_err(e.to_string()))?,
            "application/json",
            &format!("{stem}-framework.json"),
            false,
        ),
        "pipeline.toml" => file(
            s.pipeline.to_toml_string()?.into_bytes(),
            "application/toml; charset=utf-8",
            &format!("{stem}-pipeline.toml"),
            false,
        ),
        "pipeline.json" => file(s.pipeline.to_json_string()?.into_bytes(), "application/json", &format!("{stem}-pipeline.json"), false),
        "weights.toml" => {
            let mut t = String::from("# node id = weight (relative to siblings); `zhili score --weights FILE`\n");
            for n in s.framework.nodes().iter().filter(|n| n.parent.is_some()) {
                t.push_str(&format!("{} = {:?}\n", toml_key(&n.id), n.weight));
            }
            file(t.into_bytes(), "application/toml; charset=utf-8", &format!("{stem}-weights.toml"), false)
        }
        other => {
            return Err(ApiError::not_found(format!(
                "unknown export format `{other}` (csv, xlsx, report, framework.toml, framework.json, pipeline.toml, pipeline.json, weights.toml)"
            ))
            .with("kind", "unknown_format"))
        }
    })
}

/// A TOML key: bare when it can be, quoted otherwise.
fn toml_key(id: &str) -> String {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        id.to_owned()
    } else {
        format!("{id:?}")
    }
}
