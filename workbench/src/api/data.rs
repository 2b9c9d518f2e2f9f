//! Data upload: `POST /api/v1/data?name=FILE` (CSV in UTF-8 or GBK, or an Excel workbook, as
//! the raw body) reads the file with zhili-io's readers and answers a validation report; the
//! data served changes only on `POST /api/v1/data/{upload}/apply`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use zhili_core::Dataset;

use crate::error::{ApiError, ApiResult};
use crate::state::{fingerprint, AppState};

/// Validated uploads waiting to be applied (the last few).
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    map: Mutex<HashMap<String, (Dataset, String)>>,
}

const KEEP: usize = 4;
const EXTENSIONS: &[&str] = &["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// The query of an upload: the file's name on the client (only its extension is used).
#[derive(Debug, Deserialize)]
pub(crate) struct UploadQuery {
    #[serde(default)]
    name: Option<String>,
}

/// `POST /api/v1/data?name=FILE`.
pub(crate) async fn upload(State(state): State<AppState>, Query(q): Query<UploadQuery>, body: Bytes) -> ApiResult<Json<Value>> {
    let base = state.base();
    let shown = q.name.unwrap_or_else(|| "upload.csv".into());
    let shown: String = shown.chars().filter(|c| !c.is_control()).take(200).collect();
    if body.is_empty() {
        return Err(ApiError::bad("the uploaded file is empty").with("file", shown));
    }
    let ext = shown
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_else(|| "csv".into());
    // A zip (xlsx / ods) or OLE (xls) file is a workbook whatever its name says.
    let ext = match (&body[..body.len().min(4)], ext.as_str()) {
        ([0x50, 0x4b, 3, 4], e) if e == "ods" || e == "xlsm" => e.to_owned(),
        ([0x50, 0x4b, 3, 4], _) => "xlsx".to_owned(),
        ([0xd0, 0xcf, 0x11, 0xe0], _) => "xls".to_owned(),
        (_, e) if EXTENSIONS.contains(&e) => e.to_owned(),
        _ => "csv".to_owned(),
    };
    let fw = base.framework.clone();
    let opts = base.data_options.clone();
    let name = shown.clone();
    let read = tokio::task::spawn_blocking(move || -> Result<Dataset, String> {
        // The readers take a path: a private temporary file named by extension only.
        let mut tmp = tempfile::Builder::new()
            .prefix("zhili-upload-")
            .suffix(&format!(".{ext}"))
            .tempfile()
            .map_err(|e| format!("cannot store the upload: {e}"))?;
        tmp.write_all(&body).map_err(|e| format!("cannot store the upload: {e}"))?;
        let tmp_path = tmp.path().to_owned();
        zhili_io::read_dataset(&tmp_path, &fw, &opts).map_err(|e| {
            // Name the user's file, not the temporary one.
            e.to_string().replace(&tmp_path.display().to_string(), &name)
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("reader failed: {e}")))?;
    let data = match read {
        Ok(d) => d,
        Err(msg) => {
            let problems: Vec<Value> = msg
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| json!({"message": l.trim()}))
                .collect();
            return Ok(Json(json!({"ok": false, "file": shown, "problems": problems})));
        }
    };
    // The data must also score: run the pipeline on it (latest period of a panel).
    let mut problems = Vec::new();
    let latest = data.time().and_then(|t| t.iter().max().copied());
    let scored = match latest {
        Some(y) => data.at_time(y).and_then(|d| base.pipeline.run(&base.framework, &d)),
        None => base.pipeline.run(&base.framework, &data),
    };
    if let Err(e) = scored {
        let e = ApiError::from(e);
        let mut p = json!({"message": e.message});
        for (k, v) in e.fields {
            p[k] = v;
        }
        problems.push(p);
    }
    let fw = &base.framework;
    let missing: Vec<Value> = fw
        .indicator_ids()
        .into_iter()
        .filter_map(|id| {
            let col = data.indicator(id)?;
            let n = col.iter().filter(|v| v.is_nan()).count();
            (n > 0).then(|| json!({"node": id, "missing": n}))
        })
        .collect();
    let mut years: Vec<i64> = data.time().map(<[i64]>::to_vec).unwrap_or_default();
    years.sort_unstable();
    years.dedup();
    let ok = problems.is_empty();
    let upload = format!("u{}", &fingerprint(&data)[8..]);
    let summary = json!({
        "ok": ok,
        "file": shown,
        "upload": if ok { Value::from(upload.clone()) } else { Value::Null },
        "rows": data.n_units(),
        "indicators": fw.indicators().len(),
        "years": years,
        "missing": missing,
        "problems": problems,
        "fingerprint": fingerprint(&data),
    });
    if ok {
        let mut map = state.inner.uploads.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= KEEP {
            map.clear();
        }
        map.insert(upload, (data, shown));
    }
    Ok(Json(summary))
}

/// `POST /api/v1/data/{upload}/apply`: serve the validated upload from now on.
pub(crate) async fn apply(State(state): State<AppState>, Path(upload): Path<String>) -> ApiResult<Json<Value>> {
    let entry = state
        .inner
        .uploads
        .map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&upload)
        .ok_or_else(|| ApiError::not_found(format!("unknown upload `{upload}` (upload the file again)")).with("kind", "unknown_upload"))?;
    let (data, name) = entry;
    let base = state.replace_data(data, format!("uploaded file {name}"))?;
    Ok(Json(json!({
        "ok": true,
        "fingerprint": base.fingerprint,
        "units": base.data.n_units(),
        "year": base.year,
        "years": base.years,
    })))
}
