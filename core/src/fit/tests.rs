#![allow(clippy::unwrap_used, clippy::float_cmp)]

use ndarray::Array2;
use proptest::prelude::*;

use super::*;
use crate::aggregate::{Generalised, Geometric, Topsis};
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
        1 => Aggregator::Geometric(Geometric { shift: 200.0 }),
        2 => Aggregator::Minimum,
        _ => Aggregator::Generalised(Generalised { p: 2.0 }),
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
        method: Aggregator::Topsis(Topsis {
            normalisation: Default::default(),
        }),
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
    let data = dataset(&rows, &[Some(0); 20], &[1.0; 20]);
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

/// Two JSON trees equal, numbers to `rel` relative to the larger of them and of `scale` (the
/// data's magnitude: a naive sum's error is relative to Σ|x|, not to a mean near 0).
pub(super) fn json_close(a: &serde_json::Value, b: &serde_json::Value, rel: f64, scale: f64, path: &str) {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= rel * x.abs().max(y.abs()).max(scale), "{path}: {x} vs {y}");
        }
        (V::Array(x), V::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (k, (p, q)) in x.iter().zip(y).enumerate() {
                json_close(p, q, rel, scale, &format!("{path}[{k}]"));
            }
        }
        (V::Object(x), V::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{path}");
            for (k, p) in x {
                json_close(p, &y[k], rel, scale, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

fn partial_pipeline(impute: u8, screen: bool, norm: u8) -> Pipeline {
    let mut steps = vec![Step::Denominate(Denominate { scale: 1.0 })];
    if screen {
        steps.push(Step::Screen(Screen::new(0.6)));
    }
    let (method, group) = match impute {
        0 => (ImputeMethod::Mean, None),
        1 => (ImputeMethod::GroupMean, Some("g".to_string())),
        _ => (ImputeMethod::None, None),
    };
    steps.push(Step::Impute(Impute { method, group }));
    steps.push(Step::Normalise(match norm {
        0 => Normaliser::minmax(0.0, 100.0),
        1 => Normaliser::zscore(50.0, 10.0),
        2 => Normaliser::dist_to_max(),
        3 => Normaliser::frac_max(),
        _ => Normaliser::Zscore(crate::normalise::ZScore {
            population: true,
            ..crate::normalise::ZScore::default()
        }),
    }));
    steps.push(Step::Aggregate(Aggregate::default()));
    Pipeline {
        version: 1,
        ties: Ties::Min,
        steps,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Partial fits over any partitioning, merged in any order (and as a tree), give the
    /// same bits; they equal Pipeline::fit on the whole data to 1e-12 relative.
    #[test]
    fn partial_fits_merge_to_the_whole_fit(
        cells in proptest::collection::vec(
            prop_oneof![4 => 1e3f64..1e3 + 50.0, 1 => Just(N), 1 => -1e6f64..1e6], 5 * 24),
        groups in proptest::collection::vec(proptest::option::weighted(0.9, 0u8..3), 24),
        pop in proptest::collection::vec(1.0f64..10.0, 24),
        cuts in proptest::collection::vec(0usize..24, 1..6),
        impute in 0u8..3, screen in any::<bool>(), norm in 0u8..5, seed in any::<u64>(),
    ) {
        let rows: Vec<[f64; 5]> = cells.chunks(5).map(|c| [c[0], c[1], c[2], c[3], c[4]]).collect();
        let fw = framework();
        let data = dataset(&rows, &groups, &pop);
        let p = partial_pipeline(impute, screen, norm);
        let Ok(whole) = p.fit(&fw, &data) else { return Ok(()) };
        let opts = FitOptions::default();
        // one batch
        let mut one = PartialFit::new(&fw, &p, &opts).unwrap();
        one.update(&data).unwrap();
        let one = one.finish().unwrap();
        // batches at `cuts`
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut parts = Vec::new();
        let mut start = 0;
        for c in cuts.into_iter().chain(std::iter::once(24)) {
            let mut pf = PartialFit::new(&fw, &p, &opts).unwrap();
            let rows: Vec<usize> = (start..c.max(start)).collect();
            if !rows.is_empty() {
                pf.update(&data.select_rows(&rows)).unwrap();
            }
            parts.push(pf);
            start = c.max(start);
        }
        // merge in a shuffled order, and as a balanced tree
        let mut order: Vec<usize> = (0..parts.len()).collect();
        let mut r = seed;
        for i in (1..order.len()).rev() {
            r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (r >> 33) as usize % (i + 1));
        }
        let mut shuffled = PartialFit::new(&fw, &p, &opts).unwrap();
        for k in order {
            shuffled.merge(&parts[k]).unwrap();
        }
        let mut level = parts.clone();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|c| {
                    let mut a = c[0].clone();
                    if let Some(b) = c.get(1) {
                        a.merge(b).unwrap();
                    }
                    a
                })
                .collect();
        }
        // a partial fit survives its JSON document (pickling) unchanged
        let tree: PartialFit = serde_json::from_str(&serde_json::to_string(&level[0]).unwrap()).unwrap();
        let (shuffled, tree) = (shuffled.finish().unwrap(), tree.finish().unwrap());
        let bits = |f: &FittedPipeline| f.to_json_string().unwrap();
        prop_assert_eq!(bits(&shuffled), bits(&one));
        prop_assert_eq!(bits(&tree), bits(&one));
        let a = serde_json::to_value(&one).unwrap();
        let b = serde_json::to_value(&whole).unwrap();
        let scale = data.values().iter().filter(|v| v.is_finite()).fold(1.0f64, |m, v| m.max(v.abs()));
        json_close(&a, &b, 1e-12, scale, "fitted");
        // and scores new data as the whole fit does
        let (x, y) = (one.apply(&data).unwrap(), whole.apply(&data).unwrap());
        for (p, q) in x.results.scores().iter().zip(y.results.scores()) {
            prop_assert!(p.is_nan() && q.is_nan() || (p - q).abs() <= 1e-9 * p.abs().max(1.0), "{} vs {}", p, q);
        }
    }
}

#[test]
fn partial_fit_refuses_what_needs_the_whole_data() {
    let fw = framework();
    let opts = FitOptions::default();
    let mut p = partial_pipeline(0, false, 0);
    p.steps[1] = Step::Impute(Impute {
        method: ImputeMethod::Median,
        group: None,
    });
    let e = PartialFit::new(&fw, &p, &opts).unwrap_err().to_string();
    assert!(e.contains("median") && e.contains("whole data"), "{e}");
    let mut p = partial_pipeline(0, false, 0);
    // imputing treated values: the means would need another pass (not offered)
    p.steps.insert(1, Step::Treat(Treat::default()));
    let e = PartialFit::new(&fw, &p, &opts).unwrap_err().to_string();
    assert!(e.contains("impute") && e.contains("whole data"), "{e}");
    let mut p = partial_pipeline(0, false, 0);
    p.steps[2] = Step::Normalise(Normaliser::rank());
    let e = PartialFit::new(&fw, &p, &opts).unwrap_err().to_string();
    assert!(e.contains("rank"), "{e}");
    let p = partial_pipeline(0, false, 0);
    let q = FitOptions {
        grading: Some(GradeNode {
            node: "Index".into(),
            grading: Grading {
                breaks: Breaks::Quantiles { probs: vec![0.5] },
                labels: vec!["lo".into(), "hi".into()],
            },
        }),
        ..FitOptions::default()
    };
    let e = PartialFit::new(&fw, &p, &q).unwrap_err().to_string();
    assert!(e.contains("grading"), "{e}");
    // different pipelines do not merge; an empty fit does not finish
    let mut a = PartialFit::new(&fw, &p, &opts).unwrap();
    let b = PartialFit::new(&fw, &partial_pipeline(1, false, 0), &opts).unwrap();
    assert!(a.merge(&b).unwrap_err().to_string().contains("cannot merge"));
    assert!(a.finish().is_err());
    // a batch whose every unit is screened out is no error (the whole data has units)
    let mut s = PartialFit::new(&fw, &partial_pipeline(0, true, 0), &opts).unwrap();
    s.update(&dataset(&[[N, N, N, 1.0, 1.0]], &[Some(0)], &[1.0])).unwrap();
    s.update(&dataset(&[[1.0, 2.0, 3.0, 4.0, 5.0]], &[Some(0)], &[1.0])).unwrap();
    assert_eq!(s.finish().unwrap().fitted_on.screened_out, vec!["u0".to_string()]);
}

#[test]
fn partial_zscore_is_exact_where_naive_sums_cancel() {
    // Values 1e9 + small: the exact sums give the sd of the small parts to full precision.
    let fw = framework();
    let rows: Vec<[f64; 5]> = (0..8).map(|i| [1.0, 1.0, 1e9 + f64::from(i), 1.0, 1.0]).collect();
    let data = dataset(&rows, &[Some(0); 8], &[1.0; 8]);
    let p = partial_pipeline(2, false, 1);
    let mut pf = PartialFit::new(&fw, &p, &FitOptions::default()).unwrap();
    pf.update(&data).unwrap();
    let f = pf.finish().unwrap();
    let Step::Normalise(Normaliser::Fitted(n)) = &f.pipeline.steps[2] else {
        panic!("normalise")
    };
    // sample sd of 0..7 = sqrt(6) (hand calculation: Σ(i − 3.5)² = 42, / 7)
    assert_eq!(
        n.columns[2].params,
        crate::normalise::Params::Moments {
            mean: 1e9 + 3.5,
            sd: 6f64.sqrt()
        }
    );
}
