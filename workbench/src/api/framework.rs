//! `GET /api/v1/framework`: the tree, the pipeline, the grading bands, the data served.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use zhili_core::{Aggregator, Framework, Normaliser};
use zhili_indicators::GradingSpec;

use crate::state::{AppState, Base};

/// Band colours: red / amber / green for traffic-light ids, else best to worst.
pub(crate) fn band_colours(g: &GradingSpec) -> Vec<&'static str> {
    const SCALE: [&str; 6] = ["#1a9850", "#66bd63", "#2c7fb8", "#fdae61", "#f46d43", "#d73027"];
    let n = g.bands.len();
    g.bands
        .iter()
        .enumerate()
        .map(|(k, b)| match b.id.as_str() {
            "green" => "#1a9850",
            "yellow" | "amber" => "#fdae61",
            "red" => "#d73027",
            _ if n <= 1 => SCALE[0],
            // Spread the bands over the scale, best first.
            _ => SCALE[(k * (SCALE.len() - 1)) / (n - 1)],
        })
        .collect()
}

/// The grading as JSON.
pub(crate) fn grading_json(base: &Base) -> Value {
    let colours = band_colours(&base.grading);
    json!({
        "id": base.grading.id,
        "name": base.grading.name,
        "fallback": base.grading_fallback,
        "bands": base.grading.bands.iter().zip(colours).map(|(b, c)| json!({
            "id": b.id, "name": b.name, "min": b.min, "colour": c,
        })).collect::<Vec<_>>(),
    })
}

/// The tree as JSON: every node with ids, names, parent, children, weight, direction.
pub(crate) fn tree_json(fw: &Framework) -> Vec<Value> {
    let eff = fw.effective_weights();
    let nodes = fw.nodes();
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": n.id,
                "name": n.name,
                "parent": n.parent.map(|p| nodes[p].id.clone()),
                "children": n.children.iter().map(|&c| nodes[c].id.clone()).collect::<Vec<_>>(),
                "kind": if n.children.is_empty() { "indicator" } else { "aggregate" },
                "weight": n.weight,
                "effective_weight": eff[i],
                "direction": if n.children.is_empty() { Some(n.direction) } else { None },
                "level": n.level,
                "unit": n.unit,
            })
        })
        .collect()
}

fn presets() -> Value {
    let norm = [
        Normaliser::goalposts(100.0),
        Normaliser::minmax(0.0, 100.0),
        Normaliser::zscore(0.0, 1.0),
        Normaliser::rank(),
        Normaliser::percentile(),
        Normaliser::dist_to_max(),
        Normaliser::frac_max(),
    ];
    // every aggregation of the registry, each with its options' defaults
    let agg = Aggregator::examples();
    json!({
        "normalise": norm.iter().map(|n| serde_json::to_value(n).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        "aggregate": agg.iter().map(|a| serde_json::to_value(a).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        "weighting": ["equal", "entropy", "critic", "cv", "sd", "pca", "ahp"],
    })
}

/// `GET /api/v1/framework`.
pub(crate) async fn get(State(state): State<AppState>) -> Json<Value> {
    let base = state.base();
    let fw = &base.framework;
    Json(json!({
        "id": base.framework_id,
        "name": fw.spec().name,
        "lang": base.lang.code(),
        "root": fw.nodes()[fw.root()].id,
        "nodes": tree_json(fw),
        "pipeline": serde_json::to_value(&base.pipeline).unwrap_or(Value::Null),
        "grading": grading_json(&base),
        "data": {
            "label": base.data_label,
            "fingerprint": base.fingerprint,
            "units": base.data.n_units(),
            "indicators": fw.indicators().len(),
            "year": base.year,
            "years": base.years,
        },
        "presets": presets(),
    }))
}
