//! Shared by the criterion bench and the side-by-side example: load the numpy peer's
//! synthetic data (`numpy_baseline.py gen`: a CSV plus a JSON framework of 5 weighted
//! dimensions) or, when it is absent, generate data of the same shape.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::Path;

use ndarray::Array2;
use zhili::framework::{FrameworkSpec, Name, NodeSpec};
use zhili::io::{read_dataset, DataOptions};
use zhili::{Dataset, Framework, Pipeline};

/// The baseline's framework JSON → a zhili framework (index → dimensions → indicators).
pub fn framework_from_baseline_json(text: &str) -> Framework {
    let v: serde_json::Value = serde_json::from_str(text).expect("baseline framework JSON");
    let mut nodes = vec![NodeSpec::new("index", None)];
    for d in v["dimensions"].as_array().expect("dimensions") {
        let did = d["id"].as_str().expect("dimension id");
        let mut n = NodeSpec::new(did, Some("index"));
        n.weight = d["weight"].as_f64().expect("weight");
        nodes.push(n);
        for i in d["indicators"].as_array().expect("indicators") {
            let mut n = NodeSpec::new(i["id"].as_str().expect("id"), Some(did));
            n.weight = i["weight"].as_f64().expect("weight");
            n.direction = Some(i["polarity"].as_str().unwrap_or("benefit").to_owned());
            nodes.push(n);
        }
    }
    // Indicator order = data column order (I001, I002, ...), like the baseline's arrays.
    nodes[1..].sort_by_key(|n| (n.parent.as_deref() != Some("index"), n.id.clone()));
    Framework::from_spec(FrameworkSpec {
        version: 1,
        id: None,
        name: Name::default(),
        description: None,
        lang: None,
        nodes,
    })
    .expect("valid framework")
}

/// Load `data_N{n}_M{m}_s{seed}.csv` + `.json` from `dir`, if present.
pub fn load_baseline(dir: &Path, n: usize, m: usize, seed: u64) -> Option<(Framework, Dataset)> {
    let csv = dir.join(format!("data_N{n}_M{m}_s{seed}.csv"));
    let json = csv.with_extension("json");
    if !csv.exists() || !json.exists() {
        return None;
    }
    let fw = framework_from_baseline_json(&std::fs::read_to_string(json).ok()?);
    let ds = read_dataset(
        &csv,
        &fw,
        &DataOptions {
            unit_column: Some("unit_id".into()),
            ..DataOptions::default()
        },
    )
    .expect("baseline CSV");
    Some((fw, ds))
}

/// Data of the same shape when the peer's files are absent: 5 dimensions weighted
/// 0.3/0.25/0.2/0.15/0.1, indicator j in dimension j % 5, every 5th a cost, ~3 % missing
/// in every 8th; values from a fixed-seed linear congruential generator.
pub fn synthetic(n: usize, m: usize) -> (Framework, Dataset) {
    let dims = [0.30, 0.25, 0.20, 0.15, 0.10];
    let mut json = serde_json::json!({"dimensions": []});
    for (d, w) in dims.iter().enumerate() {
        let members: Vec<usize> = (0..m).filter(|j| j % 5 == d).collect();
        let inds: Vec<serde_json::Value> = members
            .iter()
            .map(|&j| serde_json::json!({"id": format!("I{:03}", j + 1), "weight": 1.0 / members.len() as f64, "polarity": if (j + 1) % 5 == 0 { "cost" } else { "benefit" }}))
            .collect();
        json["dimensions"]
            .as_array_mut()
            .expect("array")
            .push(serde_json::json!({"id": format!("D{}", d + 1), "weight": w, "indicators": inds}));
    }
    let fw = framework_from_baseline_json(&json.to_string());
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = Array2::zeros((n, m));
    for j in 0..m {
        for i in 0..n {
            x[[i, j]] = if j % 8 == 3 && next() < 0.03 { f64::NAN } else { 100.0 * next() };
        }
    }
    let units = (0..n).map(|i| format!("U{i:07}")).collect();
    let ids = fw.indicator_ids().iter().map(|s| (*s).to_owned()).collect();
    (fw.clone(), Dataset::new(units, ids, x).expect("dataset"))
}

/// The peer's `score` workload: mean imputation → min-max [0, 100] → two-level arithmetic mean.
pub fn score_pipeline() -> Pipeline {
    Pipeline::from_toml_str(
        "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
    )
    .expect("pipeline")
}
