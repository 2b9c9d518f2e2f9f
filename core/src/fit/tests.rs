#![allow(clippy::unwrap_used, clippy::float_cmp)]

use ndarray::Array2;
use proptest::prelude::*;

use super::*;
use crate::analysis::{Breaks, Grading};
use crate::normalise::Normaliser;
use crate::prepare::{Denominate, Impute, ImputeMethod, Screen, Treat};
use crate::{Aggregate, Aggregator, Dataset, Framework, Pipeline, Run, Step, Ties};

const N: f64 = f64::NAN;

/// Index → two dimensions → five indicators (one cost), denominator on `a`.
fn framework() -> Framework {
    Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "Index"
[[nodes]]
id = "D1"
parent = "Index"
[[nodes]]
id = "D2"
parent = "Index"
weight = 2.0
[[nodes]]
id = "a"
parent = "D1"
denominator = "pop"
[[nodes]]
id = "b"
parent = "D1"
direction = "cost"
[[nodes]]
id = "c"
parent = "D2"
[[nodes]]
id = "d"
parent = "D2"
goalposts = [0.0, 100.0]
[[nodes]]
id = "e"
parent = "D2"
"#,
    )
    .unwrap()
}

fn dataset(rows: &[[f64; 5]], groups: &[Option<u8>], pop: &[f64]) -> Dataset {
    let n = rows.len();
    let m = Array2::from_shape_fn((n, 5), |(i, j)| rows[i][j]);
    Dataset::new(
        (0..n).map(|i| format!("u{i}")).collect(),
        ["a", "b", "c", "d", "e"].iter().map(|s| (*s).to_string()).collect(),
        m,
    )
    .unwrap()
    .with_group("g", groups.iter().map(|g| g.map(|g| format!("G{g}"))).collect())
    .unwrap()
    .with_numeric("pop", pop.to_vec())
    .unwrap()
}

fn pipeline(impute: u8, treat: bool, screen: bool, norm: u8, agg: u8) -> Pipeline {
    let mut steps = vec![Step::Denominate(Denominate { scale: 1.0 })];
    let (method, group) = match impute {
        0 => (ImputeMethod::Mean, None),
        1 => (ImputeMethod::Median, None),
        2 => (ImputeMethod::GroupMean, Some("g".to_string())),
        3 => (ImputeMethod::GroupMedian, Some("g".to_string())),
        _ => (ImputeMethod::None, None),
    };
    steps.push(Step::Impute(Impute { method, group }));
    if screen {
        steps.push(Step::Screen(Screen::new(0.5)));
    }
    if treat {
        steps.push(Step::Treat(Treat {
            max_points: 2,
            ..Treat::default()
        }));
    }
    steps.push(Step::Normalise(match norm {
        0 => Normaliser::minmax(0.0, 100.0),
        1 => Normaliser::zscore(10.0, 2.0),
        2 => Normaliser::goalposts(100.0),
        3 => Normaliser::dist_to_max(),
        _ => Normaliser::minmax(1.0, 100.0),
    }));
    let method = match agg {
        0 => Aggregator::Arithmetic,
        1 => Aggregator::Geometric { shift: 200.0 },
        2 => Aggregator::Minimum,
        _ => Aggregator::Generalised { p: 2.0 },
    };
    steps.push(Step::Aggregate(Aggregate {
        method,
        ..Aggregate::default()
    }));
    Pipeline {
        version: 1,
        ties: Ties::Min,
        steps,
    }
}

fn assert_same_run(a: &Run, b: &Run) {
    let (x, y) = (a.results.scores(), b.results.scores());
    assert_eq!(x.dim(), y.dim());
    for (p, q) in x.iter().zip(y) {
        assert_eq!(p.to_bits(), q.to_bits(), "score {p} vs {q}");
    }
    assert_eq!(a.results.unit_ids(), b.results.unit_ids());
    for (p, q) in a.results.ranks().iter().zip(&b.results.ranks()) {
        assert_eq!(p.to_bits(), q.to_bits(), "rank {p} vs {q}");
    }
    assert_eq!(a.stages.len(), b.stages.len());
    for (s, t) in a.stages.iter().zip(&b.stages) {
        assert_eq!(s.name, t.name);
        assert_eq!(s.data.units, t.data.units);
        for (p, q) in s.data.values.iter().zip(&t.data.values) {
            assert_eq!(p.to_bits(), q.to_bits(), "stage {}: {p} vs {q}", s.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// fit then apply on the same data = run, bit for bit (scores, ranks, every stage), for
    /// random data (gaps, outliers, groups) and pipelines; the document round-trips.
    #[test]
    fn fit_then_apply_equals_run(
        cells in proptest::collection::vec(
            prop_oneof![3 => -50.0f64..150.0, 1 => Just(N), 1 => 500.0f64..5000.0], 5 * 12),
        groups in proptest::collection::vec(proptest::option::weighted(0.9, 0u8..3), 12),
        pop in proptest::collection::vec(1.0f64..10.0, 12),
        impute in 0u8..5, treat in any::<bool>(), screen in any::<bool>(), norm in 0u8..5, agg in 0u8..4,
    ) {
        let rows: Vec<[f64; 5]> = cells.chunks(5).map(|c| [c[0], c[1], c[2], c[3], c[4]]).collect();
        let fw = framework();
        let data = dataset(&rows, &groups, &pop);
        let p = pipeline(impute, treat, screen, norm, agg);
        let Ok(run) = p.run(&fw, &data) else { return Ok(()) };
        let fitted = p.fit(&fw, &data).unwrap();
        let applied = fitted.apply(&data).unwrap();
        assert_same_run(&run, &applied);
        // the streaming path of the fitted pipeline gives the same results
        let streamed = fitted.score(&data).unwrap();
        for (a, b) in run.results.scores().iter().zip(streamed.results.scores()) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
        let json = FittedPipeline::from_json_str(&fitted.to_json_string().unwrap()).unwrap();
        prop_assert_eq!(&json, &fitted);
        let toml = FittedPipeline::from_toml_str(&fitted.to_toml_string().unwrap()).unwrap();
        prop_assert_eq!(&toml, &fitted);
        // refitting a fitted pipeline changes nothing
        prop_assert_eq!(&fitted.pipeline.fit(&fw, &data).unwrap().pipeline, &fitted.pipeline);
    }
}

fn base_year() -> (Framework, Dataset) {
    let fw = framework();
    let rows = [
        [10.0, 5.0, 1.0, 20.0, 3.0],
        [20.0, 1.0, 2.0, 40.0, 6.0],
        [30.0, 3.0, N, 60.0, 9.0],
        [40.0, 2.0, 4.0, 80.0, 12.0],
    ];
    (fw, dataset(&rows, &[Some(0), Some(0), Some(1), Some(1)], &[1.0; 4]))
}

#[test]
fn new_data_uses_the_base_year_parameters() {
    let (fw, base) = base_year();
    let p = pipeline(0, false, false, 0, 0);
    let fitted = p.fit(&fw, &base).unwrap();
    // Hand-calculated min-max of the base year: a ∈ [10, 40], −b ∈ [−5, −1], c ∈ [1, 4],
    // d ∈ [20, 80], e ∈ [3, 12]; c's gap imputed with (1 + 2 + 4) / 3.
    let later = dataset(
        &[[25.0, 3.0, N, 50.0, 7.5], [55.0, 0.0, 5.0, 110.0, 15.0]],
        &[Some(0), Some(1)],
        &[1.0, 1.0],
    );
    let run = fitted.apply(&later).unwrap();
    let norm = run.stage("normalised").unwrap();
    let want0 = [50.0, 50.0, (7.0 / 3.0 - 1.0) / 3.0 * 100.0, 50.0, 50.0];
    for (j, w) in want0.iter().enumerate() {
        assert!(
            (norm.data.values[[0, j]] - w).abs() < 1e-12,
            "col {j}: {}",
            norm.data.values[[0, j]]
        );
    }
    // beyond the base year's best: above 100 (the scale is the base year's)
    let want1 = [150.0, 125.0, 400.0 / 3.0, 150.0, 400.0 / 3.0];
    for (j, w) in want1.iter().enumerate() {
        assert!(
            (norm.data.values[[1, j]] - w).abs() < 1e-12,
            "col {j}: {}",
            norm.data.values[[1, j]]
        );
    }
    // the imputed cell got the base year's mean, not the new data's
    let imputed = run.stage("imputed").unwrap();
    assert_eq!(imputed.data.values[[0, 2]], 7.0 / 3.0);
    // refitting on the later data would have put unit 0 at 0 everywhere
    let refit = p.run(&fw, &later).unwrap();
    assert_eq!(refit.stage("normalised").unwrap().data.values[[0, 0]], 0.0);
}

#[test]
fn a_unit_whose_indicators_all_improve_scores_higher() {
    let (fw, base) = base_year();
    // (norm 2 = goalposts: only `d` has goalposts in this framework)
    for norm in [0, 1, 3, 4] {
        for agg in 0..4 {
            let p = pipeline(2, true, false, norm, agg);
            let fitted = p.fit(&fw, &base).unwrap();
            // u1 improves every indicator (b is a cost: lower is better); u0 unchanged.
            let rows = [[10.0, 5.0, 1.0, 20.0, 3.0], [26.0, 0.5, 3.0, 55.0, 8.0]];
            let before = fitted.apply(&dataset(&rows[..1], &[Some(0)], &[1.0])).unwrap();
            let after = fitted.apply(&dataset(&rows, &[Some(0), Some(0)], &[1.0, 1.0])).unwrap();
            let base_run = fitted.apply(&base).unwrap();
            let i = after.results.index_scores();
            assert!(i[1] > base_run.results.index_scores()[1], "norm {norm} agg {agg}");
            // the unchanged unit keeps its score whatever else is in the data
            assert_eq!(i[0].to_bits(), before.results.index_scores()[0].to_bits());
        }
    }
}

#[test]
fn weights_and_grading_are_fitted() {
    let (fw, base) = base_year();
    let p = pipeline(0, false, false, 0, 0);
    let opts = FitOptions {
        weights: Some(crate::weight::WeightMethod::Entropy(Default::default())),
        weight_stage: None,
        grading: Some(GradeNode {
            node: "Index".into(),
            grading: Grading {
                breaks: Breaks::Quantiles { probs: vec![0.5] },
                labels: vec!["low".into(), "high".into()],
            },
        }),
    };
    let fitted = p.fit_with(&fw, &base, &opts).unwrap();
    let w = fitted.weights.as_ref().unwrap();
    assert_eq!(w.stage, "imputed");
    let ws = crate::weight::group_weights(
        &fw,
        p.run(&fw, &base).unwrap().stage("imputed").unwrap().data.values.view(),
        &crate::weight::WeightMethod::Entropy(Default::default()),
        &Aggregate::default(),
        None,
    )
    .unwrap();
    assert_eq!(w.values, ws.weights);
    let fw2 = fw.with_weights(ws.weights.iter().map(|(k, v)| (k.as_str(), *v))).unwrap();
    assert_same_run(&p.run(&fw2, &base).unwrap(), &fitted.apply(&base).unwrap());
    // the median of the fitted index scores becomes a fixed threshold
    let run = fitted.apply(&base).unwrap();
    let mut s: Vec<f64> = run.results.index_scores().to_vec();
    s.sort_by(f64::total_cmp);
    let median = (s[1] + s[2]) / 2.0;
    let g = fitted.grading.as_ref().unwrap();
    assert_eq!(g.grading.breaks, Breaks::Fixed { thresholds: vec![median] });
    let one = dataset(&[[10.0, 5.0, 1.0, 20.0, 3.0]], &[Some(0)], &[1.0]);
    let graded = fitted.grade(&fitted.apply(&one).unwrap().results).unwrap().unwrap();
    assert_eq!(graded.labels, vec![Some("low".to_string())]);
}

#[test]
fn unfreezable_methods_say_so() {
    let (fw, base) = base_year();
    let mut p = pipeline(0, false, false, 0, 0);
    p.steps[2] = Step::Normalise(Normaliser::percentile());
    let e = p.fit(&fw, &base).unwrap_err().to_string();
    assert!(e.contains("percentile") && e.contains("cannot be fitted"), "{e}");
    let mut p = pipeline(0, false, false, 0, 0);
    p.steps[3] = Step::Aggregate(Aggregate {
        method: Aggregator::Topsis {
            normalisation: Default::default(),
        },
        ..Aggregate::default()
    });
    let e = p.fit(&fw, &base).unwrap_err().to_string();
    assert!(e.contains("topsis") && e.contains("compares each unit"), "{e}");
}

#[test]
fn documents_are_validated_naming_the_field() {
    let (fw, base) = base_year();
    let fitted = pipeline(2, true, false, 1, 0).fit(&fw, &base).unwrap();
    let json = fitted.to_json_string().unwrap();
    let bad_version = json.replacen("\"version\": 1", "\"version\": 7", 1);
    let e = FittedPipeline::from_json_str(&bad_version).unwrap_err().to_string();
    assert!(e.contains("`version`") && e.contains('7'), "{e}");
    // an indicator that is not in the framework, in the group imputation values
    let bad_ind = json.replace("\"c\": ", "\"zz\": ");
    let e = FittedPipeline::from_json_str(&bad_ind).unwrap_err().to_string();
    assert!(e.contains("zz") && e.contains("groups."), "{e}");
    // an unknown field
    let e = FittedPipeline::from_json_str(&json.replacen("\"fitted_on\"", "\"fited_on\"", 1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("fited_on"), "{e}");
    // normaliser parameters missing for an indicator
    let mut f = fitted.clone();
    if let Some(Step::Normalise(Normaliser::Fitted(n))) = f.pipeline.steps.get_mut(3) {
        n.columns.retain(|c| c.indicator != "d");
    } else {
        panic!("normalise is step 3");
    }
    let e = FittedPipeline::from_json_str(&f.to_json_string().unwrap()).unwrap_err().to_string();
    assert!(e.contains("`d`") && e.contains("pipeline.steps[3]"), "{e}");
}

#[test]
fn frozen_treatment_clips_and_logs_new_data() {
    let fw = framework();
    // c has one huge outlier (winsorised), e is lognormal-like (log fallback with 1 point).
    let mut rows = Vec::new();
    for i in 0..20 {
        let x = f64::from(i);
        rows.push([x + 1.0, 1.0 + x % 3.0, if i == 19 { 1000.0 } else { x }, x, x.exp()]);
    }
    let data = dataset(&rows, &vec![Some(0); 20], &[1.0; 20]);
    let p = Pipeline {
        steps: vec![
            Step::Treat(Treat {
                max_points: 1,
                ..Treat::default()
            }),
            Step::Normalise(Normaliser::minmax(0.0, 100.0)),
            Step::Aggregate(Aggregate::default()),
        ],
        ..Pipeline::default()
    };
    let fitted = p.fit(&fw, &data).unwrap();
    let Step::TreatFitted(t) = &fitted.pipeline.steps[0] else {
        panic!("treat_fitted first")
    };
    assert_eq!(t.rules.get("c"), Some(&TreatRule::Clip { lo: None, hi: Some(18.0) }));
    assert!(
        matches!(t.rules.get("e"), Some(TreatRule::Log { min, .. }) if *min == 1.0),
        "{:?}",
        t.rules
    );
    // new data: a value above the clip bound is clipped to it; one below e's fitted
    // ctlog domain becomes missing with a warning naming the unit
    let new = dataset(
        &[[1.0, 1.0, 50.0, 1.0, 0.5], [1.0, 1.0, 5.0, 1.0, -1e7]],
        &[Some(0), Some(0)],
        &[1.0; 2],
    );
    let run = fitted.apply(&new).unwrap();
    let treated = &run.stage("treated").unwrap().data.values;
    assert_eq!(treated[[0, 2]], 18.0);
    assert_eq!(treated[[1, 2]], 5.0);
    assert!((treated[[0, 4]] - (0.5 - 1.0 + 0.01 * ((19.0f64).exp() - 1.0)).ln()).abs() < 1e-12);
    assert!(treated[[1, 4]].is_nan());
    assert!(run
        .log
        .iter()
        .any(|l| l.action == "outside_fitted_domain" && l.unit.as_deref() == Some("u1") && l.indicator.as_deref() == Some("e")));
}
