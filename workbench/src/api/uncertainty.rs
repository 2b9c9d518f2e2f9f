//! Robustness: `POST /api/v1/uncertainty` starts a Monte Carlo run (weights × U(1 ± spread),
//! N runs) on a worker thread; `GET /api/v1/uncertainty/{job}` gives progress, then each
//! unit's nominal rank and 5–95 % rank interval; `DELETE` cancels.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use zhili_core::analysis::uncertainty::{uncertainty, Factor, Monitor, UncertaintyOptions};

use super::{num, parse_pipeline, Body};
use crate::error::{ApiError, ApiResult};
use crate::state::{check_weights, AppState};

/// The analysis asked for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    #[serde(default)]
    weights: BTreeMap<String, f64>,
    #[serde(default)]
    pipeline: Option<Value>,
    /// Half-width of the weight multipliers (default 0.25).
    #[serde(default)]
    spread: Option<f64>,
    /// Runs (default 1000, at most 100 000).
    #[serde(default)]
    runs: Option<usize>,
    /// Seed (default 1).
    #[serde(default)]
    seed: Option<u64>,
}

const MAX_RUNS: usize = 100_000;

/// `POST /api/v1/uncertainty`.
pub(crate) async fn start(State(state): State<AppState>, Body(input): Body<Input>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let spread = input.spread.unwrap_or(0.25);
    if !(0.0..1.0).contains(&spread) {
        return Err(ApiError::bad(format!("spread {spread} must be in [0, 1)")).with("field", "spread"));
    }
    let runs = input.runs.unwrap_or(1000);
    if runs == 0 || runs > MAX_RUNS {
        return Err(ApiError::bad(format!("runs {runs} must be between 1 and {MAX_RUNS}")).with("field", "runs"));
    }
    check_weights(&base.framework, &input.weights)?;
    let fw = base.framework.with_weights(input.weights.iter().map(|(k, v)| (k.as_str(), *v)))?;
    let pipeline = parse_pipeline(input.pipeline.as_ref())?.unwrap_or_else(|| base.pipeline.clone());
    let seed = input.seed.unwrap_or(1);
    let names = base.data.unit_names().map(<[String]>::to_vec);
    let data = base.data.clone();
    let id = state.inner.jobs.spawn(runs, move |job| {
        let tick = |done: usize, _total: usize| job.done.store(done, Ordering::Relaxed);
        let monitor = Monitor {
            progress: Some(&tick),
            cancel: Some(&job.cancel),
            ..Monitor::default()
        };
        let factors = [Factor::Weights {
            spread,
            levels: vec![],
            nodes: vec![],
        }];
        let opts = UncertaintyOptions {
            runs,
            seed,
            ..UncertaintyOptions::default()
        };
        let r = uncertainty(&fw, &data, &pipeline, &factors, &opts, monitor).map_err(|e| e.to_string())?;
        let st = &r.index;
        let units: Vec<Value> = r
            .unit_ids
            .iter()
            .enumerate()
            .map(|(u, id)| {
                json!({
                    "unit": id,
                    "name": names.as_ref().and_then(|n| n.get(u).cloned()),
                    "nominal_rank": num(st.nominal_rank[u]),
                    "median": num(st.median[u]),
                    "p5": num(st.p5[u]),
                    "p95": num(st.p95[u]),
                    "mean_abs_shift": num(st.mean_abs_shift[u]),
                })
            })
            .collect();
        Ok(json!({"runs": r.runs, "spread": spread, "seed": seed, "units": units}))
    });
    Ok(Json(json!({"job": id, "runs": runs})))
}

/// `GET /api/v1/uncertainty/{job}`.
pub(crate) async fn status(State(state): State<AppState>, Path(id): Path<u64>) -> ApiResult<Json<Value>> {
    let job = state
        .inner
        .jobs
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("unknown job {id}")).with("kind", "unknown_job"))?;
    let outcome = job.outcome.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let (state_name, result, error) = match outcome {
        None => ("running", Value::Null, Value::Null),
        Some(Ok(v)) => ("done", v, Value::Null),
        Some(Err(e)) if job.cancel.load(Ordering::Relaxed) => ("cancelled", Value::Null, Value::from(e)),
        Some(Err(e)) => ("failed", Value::Null, Value::from(e)),
    };
    Ok(Json(json!({
        "job": id,
        "state": state_name,
        "done": job.done.load(Ordering::Relaxed),
        "total": job.total.load(Ordering::Relaxed),
        "result": result,
        "error": error,
    })))
}

/// `DELETE /api/v1/uncertainty/{job}`: ask the job to stop.
pub(crate) async fn cancel(State(state): State<AppState>, Path(id): Path<u64>) -> ApiResult<Json<Value>> {
    let job = state
        .inner
        .jobs
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("unknown job {id}")).with("kind", "unknown_job"))?;
    job.cancel.store(true, Ordering::SeqCst);
    Ok(Json(json!({"job": id, "cancelling": true})))
}
