//! Every aggregation method works in uncertainty and sensitivity analysis: with the method at
//! the index (the other aggregates arithmetic) under weight noise and indicator exclusion,
//! every run's index scores equal `Pipeline::run` with that run's own weights — the engine's
//! fast paths for the means, its general path for the whole-matrix methods and the minimum.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::fixture;
use zhili::aggregate::{Aggregate, Aggregator, Override};
use zhili::analysis::sensitivity::{sensitivity, SaOutput, SensitivityOptions};
use zhili::analysis::uncertainty::{uncertainty, AnalysisSpec, Monitor, UncertaintyOptions};
use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::normalise::Normaliser;
use zhili::pipeline::Step;
use zhili::{Dataset, Framework, Pipeline};

const FACTORS: &str = r#"
[[factors]]
type = "weights"
spread = 0.3
levels = [1, 2, 3]
[[factors]]
type = "exclude"
indicators = ["LPI", "Flights", "Goods"]
"#;

/// COINr's ASEM example with min-max [1, 100] (every mean's domain) and `method` at the index.
fn setup(method: &Aggregator) -> (Framework, Dataset, Pipeline) {
    let (fw, _) = load_framework(fixture("coinr-asem/input_ASEM_iMeta.csv").to_str().unwrap()).unwrap();
    let ds = read_dataset(
        &fixture("coinr-asem/input_ASEM_iData.csv"),
        &fw,
        &DataOptions {
            unit_column: Some("uCode".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut p = zhili::io::load_pipeline(Path::new(&fixture("coinr-asem.pipeline.toml"))).unwrap();
    for s in &mut p.steps {
        match s {
            Step::Normalise(n) => *n = serde_json::from_str::<Normaliser>(r#"{"method":"minmax","lo":1.0,"hi":100.0}"#).unwrap(),
            Step::Aggregate(a) => {
                *a = Aggregate {
                    overrides: vec![Override {
                        level: Some(fw.max_level()),
                        node: None,
                        method: method.clone(),
                    }],
                    ..Aggregate::default()
                }
            }
            _ => {}
        }
    }
    (fw, ds, p)
}

/// Every method of the registry, each with its options' defaults (a new method is in).
fn methods() -> Vec<Aggregator> {
    Aggregator::examples()
}

#[test]
fn every_aggregator_at_the_index_equals_each_runs_own_pipeline() {
    let spec = AnalysisSpec::from_toml_named(FACTORS, "t").unwrap();
    for method in methods() {
        let (fw, ds, p) = setup(&method);
        let runs = 24;
        let res = uncertainty(
            &fw,
            &ds,
            &p,
            &spec.factors,
            &UncertaintyOptions {
                runs,
                seed: 5,
                keep_runs: true,
                record_design: true,
                ..Default::default()
            },
            Monitor::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", method.name()));
        let design = res.design.as_ref().unwrap();
        let scores = res.run_scores.as_ref().unwrap();
        let unit_ids = ds.unit_ids();
        let mut differ = false;
        for (k, run) in design.runs.iter().enumerate() {
            let mut weights: Vec<(&str, f64)> = design
                .weight_nodes
                .iter()
                .map(String::as_str)
                .zip(run.weights.iter().copied())
                .filter(|(_, w)| !w.is_nan())
                .collect();
            if let Some(x) = &run.exclude {
                weights.push((x.as_str(), 0.0));
            }
            let own = p.run(&fw.with_weights(weights).unwrap(), &ds).unwrap();
            let want = own.results.index_scores();
            let kept: Vec<usize> = own
                .results
                .unit_ids()
                .iter()
                .map(|u| unit_ids.iter().position(|v| v == u).unwrap())
                .collect();
            for (i, &u) in kept.iter().enumerate() {
                let (a, b) = (scores[[k, u]], want[i]);
                assert!(
                    (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                    "{} run {k} unit {}: engine {a} vs pipeline {b}",
                    method.name(),
                    unit_ids[u]
                );
                differ |= (a - scores[[0, u]]).abs() > 1e-9 * (1.0 + b.abs());
            }
        }
        assert!(differ, "{}: the weight noise should move the index", method.name());
    }
}

#[test]
fn sensitivity_takes_every_aggregator() {
    let spec = AnalysisSpec::from_toml_named(FACTORS, "t").unwrap();
    for method in methods() {
        let (fw, ds, p) = setup(&method);
        let opts = SensitivityOptions {
            n: 16,
            output: SaOutput::Score("AUT".into()),
            ..Default::default()
        };
        let a = sensitivity(&fw, &ds, &p, &spec.factors, &opts, Monitor::default()).unwrap_or_else(|e| panic!("{}: {e}", method.name()));
        assert_eq!(a.runs, 16 * 4, "{}", method.name());
        assert!(a.outputs.iter().all(|y| y.is_finite()), "{}: {:?}", method.name(), a.outputs);
        // the first run is the nominal weights' run of the Saltelli matrix A: not all the same
        assert!(a.outputs.iter().any(|&y| (y - a.outputs[0]).abs() > 1e-12), "{}", method.name());
        if method.name() == "topsis" {
            assert!(a.outputs.iter().all(|y| (0.0..=1.0).contains(y)), "{:?}", a.outputs);
        }
    }
}
