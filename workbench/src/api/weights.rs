//! Weights of a sibling group: `POST /api/v1/weights/ahp` (pairwise judgements → weights,
//! λmax, CI, CR and the most inconsistent judgement) and `POST /api/v1/weights/method`
//! (equal, entropy, CRITIC, CV, SD, PCA on the served data).

use axum::extract::State;
use axum::Json;
use ndarray::Array2;
use serde::Deserialize;
use serde_json::{json, Value};
use zhili_core::weight::{ahp, group_weights, AhpOptions, WeightMethod};
use zhili_core::{Aggregate, Step};

use super::{num, parse_pipeline, Body};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// AHP request: the group (its parent node) and the judgement matrix over its children.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AhpInput {
    node: String,
    matrix: Vec<Vec<f64>>,
}

/// `POST /api/v1/weights/ahp`.
pub(crate) async fn ahp_post(State(state): State<AppState>, Body(input): Body<AhpInput>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let fw = &base.framework;
    let i = fw.index_of(&input.node).ok_or_else(|| {
        ApiError::bad(format!("unknown node id `{}`", input.node))
            .with("kind", "unknown_node")
            .with("node", input.node.clone())
    })?;
    let kids = &fw.nodes()[i].children;
    let labels: Vec<String> = kids.iter().map(|&c| fw.nodes()[c].id.clone()).collect();
    let n = labels.len();
    if n < 2 {
        return Err(
            ApiError::bad(format!("node `{}` has fewer than two children: nothing to compare", input.node)).with("node", input.node),
        );
    }
    if input.matrix.len() != n || input.matrix.iter().any(|r| r.len() != n) {
        return Err(ApiError::bad(format!(
            "the judgement matrix of `{}` must be {n} × {n} (its children: {})",
            input.node,
            labels.join(", ")
        ))
        .with("node", input.node));
    }
    let a = Array2::from_shape_fn((n, n), |(r, c)| input.matrix[r][c]);
    let opts = AhpOptions {
        allow_inconsistent: true,
        ..AhpOptions::default()
    };
    let res = ahp(a.view(), &labels, &opts).map_err(|e| ApiError::from(e).with("node", input.node.clone()))?;
    let w = &res.weights.weights;
    // The judgement furthest from what the weights imply: max |ln(a_ij w_j / w_i)|.
    let mut worst: Option<(usize, usize, f64)> = None;
    for r in 0..n {
        for c in (r + 1)..n {
            let dev = (a[[r, c]] * w[c] / w[r]).ln().abs();
            if worst.is_none_or(|(_, _, d)| dev > d) {
                worst = Some((r, c, dev));
            }
        }
    }
    Ok(Json(json!({
        "node": input.node,
        "children": labels,
        "weights": labels.iter().zip(w).map(|(l, v)| (l.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "lambda_max": num(res.lambda_max),
        "ci": num(res.ci),
        "ri": num(res.ri),
        "cr": num(res.cr),
        "consistent": res.consistent,
        "max_cr": opts.max_cr,
        "most_inconsistent": worst.map(|(r, c, dev)| json!({
            "row": labels[r], "column": labels[c], "judgement": a[[r, c]],
            "implied": w[r] / w[c], "log_deviation": dev,
        })),
    })))
}

/// Data-driven weighting request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MethodInput {
    method: String,
    /// Only this group's children (default: every group).
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    pipeline: Option<Value>,
}

/// `POST /api/v1/weights/method`.
pub(crate) async fn method_post(State(state): State<AppState>, Body(input): Body<MethodInput>) -> ApiResult<Json<Value>> {
    let base = state.base();
    let fw = &base.framework;
    let Some(method) = WeightMethod::named(&input.method) else {
        let known: Vec<&str> = WeightMethod::names().collect();
        return Err(ApiError::bad(format!(
            "unknown weighting method `{}` ({}; AHP: /api/v1/weights/ahp)",
            zhili_core::text::cut(&input.method),
            known.join(", ")
        ))
        .with("kind", "unknown_method"));
    };
    if let Some(n) = &input.node {
        if fw.index_of(n).is_none() {
            return Err(ApiError::bad(format!("unknown node id `{n}`"))
                .with("kind", "unknown_node")
                .with("node", n.clone()));
        }
    }
    let pipeline = parse_pipeline(input.pipeline.as_ref())?.unwrap_or_else(|| base.pipeline.clone());
    // As `zhili weights`: on the imputed stage when the pipeline imputes, else the raw data.
    let run = pipeline.run(fw, &base.data)?;
    let stage = run
        .stage("imputed")
        .or_else(|| run.stage("raw"))
        .ok_or_else(|| ApiError::internal("no raw stage"))?;
    let aggregate = pipeline
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Aggregate(a) => Some(a.clone()),
            _ => None,
        })
        .unwrap_or_else(Aggregate::default);
    let units: Vec<String> = stage.data.units.iter().map(|&r| base.data.unit_ids()[r].clone()).collect();
    let ws = group_weights(fw, stage.data.values.view(), &method, &aggregate, Some(&units))?;
    let keep = |id: &str| match &input.node {
        None => true,
        Some(n) => fw.node(id).ok().and_then(|x| x.parent).map(|p| &fw.nodes()[p].id) == Some(n),
    };
    Ok(Json(json!({
        "method": input.method,
        "stage": stage.name,
        "weights": ws.iter().filter(|(id, _)| keep(id)).map(|(id, w)| (id.to_owned(), json!(w))).collect::<serde_json::Map<_, _>>(),
    })))
}
