//! Writing results: CSV with full `f64` precision (shortest round-trip form), JSON.

use zhili_core::{Dataset, Framework, Results, Stage};

fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

fn csv_line(fields: impl IntoIterator<Item = String>) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let fields: Vec<String> = fields.into_iter().collect();
    // Writing strings into memory cannot fail.
    let _ = w.write_record(&fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Scores at every node as CSV: `unit`, then one column per node id.
pub fn results_csv(res: &Results) -> String {
    let mut out = csv_line(std::iter::once("unit".to_owned()).chain(res.node_ids().iter().cloned()));
    for (i, u) in res.unit_ids().iter().enumerate() {
        out.push_str(&csv_line(
            std::iter::once(u.clone()).chain(res.scores().row(i).iter().map(|&v| num(v))),
        ));
    }
    out
}

/// An indicator stage as CSV: `unit`, then one column per indicator.
pub fn stage_csv(stage: &Stage, fw: &Framework, data: &Dataset) -> String {
    let mut out = csv_line(std::iter::once("unit".to_owned()).chain(fw.indicator_ids().into_iter().map(str::to_owned)));
    for (k, &row) in stage.data.units.iter().enumerate() {
        out.push_str(&csv_line(
            std::iter::once(data.unit_ids()[row].clone()).chain(stage.data.values.row(k).iter().map(|&v| num(v))),
        ));
    }
    out
}

/// Scores and ranks as JSON: `{"index", "ties", "units", "nodes", "scores": {node: [...]}, "ranks": {node: [...]}}`
/// (missing values are `null`).
pub fn results_json(res: &Results) -> String {
    let col = |m: &ndarray::Array2<f64>, j: usize| -> serde_json::Value {
        m.column(j)
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    serde_json::Value::Null
                } else {
                    serde_json::json!(v)
                }
            })
            .collect()
    };
    let ranks = res.ranks();
    let mut scores = serde_json::Map::new();
    let mut rank_map = serde_json::Map::new();
    for (j, id) in res.node_ids().iter().enumerate() {
        scores.insert(id.clone(), col(res.scores(), j));
        rank_map.insert(id.clone(), col(&ranks, j));
    }
    let v = serde_json::json!({
        "index": res.index_id(),
        "ties": res.ties(),
        "units": res.unit_ids(),
        "nodes": res.node_ids(),
        "effective_weights": res.effective_weights(),
        "scores": scores,
        "ranks": rank_map,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
