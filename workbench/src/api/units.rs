//! `POST /api/v1/units/{unit}`: one unit's page — its score at every node against the median,
//! its obstacle degree (障碍度) top five, and its rank in every period of a panel.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use zhili_core::analysis::obstacle_degree_framework;

use super::{num, parse_pipeline, Body, ScoreInput};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// `POST /api/v1/units/{unit}` (body: the weights and pipeline in use).
pub(crate) async fn post(State(state): State<AppState>, Path(unit): Path<String>, Body(input): Body<ScoreInput>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let pipeline = parse_pipeline(input.pipeline.as_ref())?;
    let s = state.score(&base, &input.weights, pipeline.as_ref(), None)?;
    let res = &s.results;
    let i = res.unit_ids().iter().position(|u| *u == unit).ok_or_else(|| {
        ApiError::not_found(format!("unknown unit `{unit}` (not in the data, or screened out)"))
            .with("kind", "unknown_unit")
            .with("unit", unit.clone())
    })?;
    let fw = &s.framework;
    let ranks = res.ranks();
    let nodes: Vec<Value> = fw
        .nodes()
        .iter()
        .enumerate()
        .map(|(j, n)| {
            json!({
                "id": n.id,
                "score": num(res.scores()[[i, j]]),
                "median": num(median(res.scores().column(j).to_vec())),
                "rank": num(ranks[[i, j]]),
            })
        })
        .collect();

    // Obstacle degree on the normalised indicators, on the normaliser's [0, max] scale; a
    // method without a fixed scale (z-scores, ranks) is rescaled to [0, 1] per indicator.
    let x = &s.prepared.values;
    let (scaled, max, note) = match s.prepared.scale_max {
        Some(m) => (x.mapv(|v| if v.is_nan() { m } else { v.clamp(0.0, m) }), m, None),
        None => {
            let mut y = x.clone();
            for mut c in y.columns_mut() {
                let (lo, hi) = c
                    .iter()
                    .filter(|v| !v.is_nan())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
                c.mapv_inplace(|v| if v.is_nan() || hi <= lo { 1.0 } else { (v - lo) / (hi - lo) });
            }
            (
                y,
                1.0,
                Some("normalised values rescaled to [0, 1] per indicator (the method has no fixed scale)"),
            )
        }
    };
    let obstacles = obstacle_degree_framework(fw, scaled.view(), max, Some(res.unit_ids()))?;
    let mut top: Vec<(usize, f64)> = fw.indicators().iter().map(|&j| (j, obstacles.degree[[i, j]])).collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<Value> = top
        .into_iter()
        .take(5)
        .map(|(j, d)| json!({"id": fw.nodes()[j].id, "degree": num(d), "score": num(res.scores()[[i, j]])}))
        .collect();
    let dims: Vec<Value> = fw.nodes()[fw.root()]
        .children
        .iter()
        .map(|&d| json!({"id": fw.nodes()[d].id, "degree": num(obstacles.degree[[i, d]])}))
        .collect();

    // Rank across the periods of a panel, with the same weights and pipeline.
    let mut years = Vec::new();
    for &y in &base.years {
        let sy = state.score(&base, &input.weights, Some(&s.pipeline), Some(y))?;
        if let Some(k) = sy.results.unit_ids().iter().position(|u| *u == unit) {
            let r = sy.results.index_ranks();
            years.push(
                json!({"year": y, "rank": num(r[k]), "score": num(sy.results.index_scores()[k]), "units": sy.results.unit_ids().len()}),
            );
        }
    }
    Ok(Json(json!({
        "unit": unit,
        "name": s.prepared.names[i],
        "score": num(res.index_scores()[i]),
        "rank": num(res.index_ranks()[i]),
        "units": res.unit_ids().len(),
        "nodes": nodes,
        "obstacles": top,
        "obstacle_dims": dims,
        "obstacle_note": note,
        "years": years,
    })))
}
