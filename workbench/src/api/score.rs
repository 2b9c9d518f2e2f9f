//! `POST /api/v1/score`: the ranking for a weight set (and optional pipeline).

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::{num, parse_pipeline, Body, ScoreInput};
use crate::error::ApiResult;
use crate::state::{AppState, Base, Scored};

/// The ranking as JSON: units best first with score, rank, grade; dimension scores;
/// effective weights; the preparation log's warnings.
pub(crate) fn ranking_json(base: &Base, s: &Scored) -> Value {
    let res = &s.results;
    let fw = &s.framework;
    let ranks = res.index_ranks();
    let index = res.index_scores();
    let names = base_names(base, s);
    let dims: Vec<usize> = fw.nodes()[fw.root()].children.clone();
    let units: Vec<Value> = res
        .ranking()
        .into_iter()
        .map(|i| {
            let band = base.grading.grade(index[i]);
            json!({
                "unit": res.unit_ids()[i],
                "name": names.get(i).cloned().flatten(),
                "score": num(index[i]),
                "rank": num(ranks[i]),
                "grade": band.map(|b| b.name.zh.clone().unwrap_or_else(|| b.id.clone())),
                "grade_id": band.map(|b| b.id.clone()),
                "dims": dims.iter().map(|&d| num(res.scores()[[i, d]])).collect::<Vec<_>>(),
            })
        })
        .collect();
    let eff = fw.effective_weights();
    let warnings: Vec<Value> = s
        .prepared
        .log
        .iter()
        .filter(|e| e.level == zhili_core::Level::Warning)
        .take(50)
        .map(|e| json!({"step": e.step, "action": e.action, "unit": e.unit.as_deref(), "indicator": e.indicator.as_deref(), "detail": e.detail}))
        .collect();
    json!({
        "index": res.index_id(),
        "ties": res.ties(),
        "dims": dims.iter().map(|&d| fw.nodes()[d].id.clone()).collect::<Vec<_>>(),
        "units": units,
        "effective_weights": fw.nodes().iter().zip(&eff).map(|(n, w)| (n.id.clone(), json!(w))).collect::<serde_json::Map<_, _>>(),
        "weights": fw.nodes().iter().filter(|n| n.parent.is_some()).map(|n| (n.id.clone(), json!(n.weight))).collect::<serde_json::Map<_, _>>(),
        "warnings": warnings,
        "data_fingerprint": base.fingerprint,
        "year": base.year,
    })
}

/// Each result row's unit name, if the data has names.
pub(crate) fn base_names(_base: &Base, s: &Scored) -> Vec<Option<String>> {
    s.prepared.names.clone()
}

/// `POST /api/v1/score`.
pub(crate) async fn post(State(state): State<AppState>, Body(input): Body<ScoreInput>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let pipeline = parse_pipeline(input.pipeline.as_ref())?;
    let scored = state.score(&base, &input.weights, pipeline.as_ref(), input.year)?;
    Ok(Json(ranking_json(&base, &scored)))
}
