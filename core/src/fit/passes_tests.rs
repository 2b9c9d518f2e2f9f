//! Multi-pass partial fits (data-driven weights) against the whole-data fit and by hand.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use ndarray::Array2;
use proptest::prelude::*;

use super::*;
use crate::normalise::Normaliser;
use crate::prepare::{Impute, ImputeMethod, Screen};
use crate::weight::{CriticOptions, EntropyInput, EntropyOptions, PcaOptions, WeightMethod};
use crate::{Aggregate, Dataset, Framework, Pipeline, Step, Ties};

const N: f64 = f64::NAN;

/// Index → {P, D3}; P → {D1, D2}; D1 → {a, b}; D2 → {c, d (cost), e}; D3 → {f}: sibling
/// groups at COINr levels 2, 3 and 4, and a single child.
fn framework() -> Framework {
    let nodes = [
        ("Index", ""),
        ("P", "Index"),
        ("D3", "Index"),
        ("D1", "P"),
        ("D2", "P"),
        ("a", "D1"),
        ("b", "D1"),
        ("c", "D2"),
        ("d", "D2"),
        ("e", "D2"),
        ("f", "D3"),
    ];
    let mut s = String::from("version = 1\n");
    for (id, parent) in nodes {
        s.push_str(&format!("[[nodes]]\nid = \"{id}\"\n"));
        if !parent.is_empty() {
            s.push_str(&format!("parent = \"{parent}\"\n"));
        }
        if id == "d" {
            s.push_str("direction = \"cost\"\n");
        }
    }
    Framework::from_toml_str(&s).unwrap()
}

const IDS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn dataset(cells: &[f64]) -> Dataset {
    let n = cells.len() / IDS.len();
    Dataset::new(
        (0..n).map(|i| format!("u{i}")).collect(),
        IDS.iter().map(|s| (*s).to_string()).collect(),
        Array2::from_shape_fn((n, IDS.len()), |(i, j)| cells[i * IDS.len() + j]),
    )
    .unwrap()
}

fn pipeline(screen: bool) -> Pipeline {
    let mut steps = Vec::new();
    if screen {
        steps.push(Step::Screen(Screen::new(0.6)));
    }
    steps.push(Step::Impute(Impute {
        method: ImputeMethod::Mean,
        group: None,
    }));
    steps.push(Step::Normalise(Normaliser::minmax(0.0, 100.0)));
    steps.push(Step::Aggregate(Aggregate::default()));
    Pipeline {
        version: 1,
        ties: Ties::Min,
        steps,
    }
}

fn method(k: u8) -> WeightMethod {
    match k {
        0 => WeightMethod::Entropy(EntropyOptions::default()),
        1 => WeightMethod::Entropy(EntropyOptions {
            input: EntropyInput::Shift { shift: 0.01 },
        }),
        2 => WeightMethod::Entropy(EntropyOptions { input: EntropyInput::Raw }),
        3 => WeightMethod::Critic(CriticOptions::default()),
        4 => WeightMethod::Critic(CriticOptions { reverse_cost: false }),
        5 => WeightMethod::CoefficientOfVariation,
        6 => WeightMethod::StandardDeviation,
        7 => WeightMethod::Pca(PcaOptions::default()),
        _ => WeightMethod::Equal,
    }
}

/// Fit pass after pass: each batch added to a copy of the pass's empty fit, the copies
/// merged in `order`, the merged state through JSON (as between processes). Returns the
/// fit and the number of passes (reads of the data).
fn fit_in_passes(
    fw: &Framework,
    p: &Pipeline,
    opts: &FitOptions,
    batches: &[Dataset],
    order: &[usize],
) -> crate::Result<(FittedPipeline, usize)> {
    let mut pass = PartialFit::new(fw, p, opts)?;
    let mut reads = 0;
    loop {
        reads += 1;
        let mut parts = Vec::new();
        for b in batches {
            let mut q = pass.clone();
            q.update(b)?;
            parts.push(q);
        }
        let mut acc = pass.clone();
        for &k in order {
            acc.merge(&parts[k])?;
        }
        let acc: PartialFit = serde_json::from_str(&serde_json::to_string(&acc).unwrap()).unwrap();
        if acc.passes_left()? == 0 {
            return Ok((acc.finish()?, reads));
        }
        assert!(acc.finish().unwrap_err().to_string().contains("advance"));
        pass = acc.advance()?;
    }
}

fn batches(data: &Dataset, cuts: &[usize]) -> Vec<Dataset> {
    let n = data.n_units();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for c in cuts.into_iter().chain(std::iter::once(n)) {
        let rows: Vec<usize> = (start..c.max(start)).collect();
        out.push(data.select_rows(&rows));
        start = c.max(start);
    }
    out
}

fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut r = seed;
    for i in (1..n).rev() {
        r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        order.swap(i, (r >> 33) as usize % (i + 1));
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// Every data-driven method: identical fitted documents for any partitioning and merge
    /// order; weights equal to `fit_with` on the whole data to 1e-12 relative.
    #[test]
    fn weights_in_passes_equal_the_whole_fit(
        cells in proptest::collection::vec(prop_oneof![8 => 0.0f64..100.0, 1 => Just(N)], 6 * 30),
        cuts in proptest::collection::vec(0usize..40, 1..5),
        m in 0u8..9, screen in any::<bool>(), stage in 0u8..3, seed in any::<u64>(),
    ) {
        let fw = framework();
        let data = dataset(&cells);
        let p = pipeline(screen);
        let weight_stage = match stage {
            0 => None,
            1 => Some("normalised".to_string()),
            // raw: only without missing values
            _ if cells.iter().all(|v| v.is_finite()) => Some("raw".to_string()),
            _ => None,
        };
        let opts = FitOptions { weights: Some(method(m)), weight_stage, grading: None };
        let Ok(whole) = p.fit_with(&fw, &data, &opts) else { return Ok(()) };
        let all = [data.clone()];
        let (one, reads) = fit_in_passes(&fw, &p, &opts, &all, &[0]).unwrap();
        // 3 levels with sibling groups: one pass each (two for entropy's min-max inputs)
        let expected = match m { 0 | 1 => 7, 8 => 1, _ => 4 };
        prop_assert_eq!(reads, expected);
        let parts = batches(&data, &cuts);
        let (many, _) = fit_in_passes(&fw, &p, &opts, &parts, &shuffled(parts.len(), seed)).unwrap();
        prop_assert_eq!(many.to_json_string().unwrap(), one.to_json_string().unwrap());
        let (w1, w2) = (&one.weights.as_ref().unwrap().values, &whole.weights.as_ref().unwrap().values);
        prop_assert_eq!(w1.keys().collect::<Vec<_>>(), w2.keys().collect::<Vec<_>>());
        for (id, a) in w1 {
            let b = w2[id];
            prop_assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{}: {} vs {} ({:?})", id, a, b, method(m));
        }
        prop_assert_eq!(&one.weights.as_ref().unwrap().stage, &whole.weights.as_ref().unwrap().stage);
    }
}

/// Two criteria, 4 units, in two batches: x = 1, 2, 3, 4 and y = 10, 10, 10, 14.
fn by_hand(m: WeightMethod) -> (f64, f64) {
    let fw = Framework::from_toml_str(
        "version = 1\n[[nodes]]\nid = \"I\"\n[[nodes]]\nid = \"x\"\nparent = \"I\"\n[[nodes]]\nid = \"y\"\nparent = \"I\"\n",
    )
    .unwrap();
    let data = Dataset::new(
        (0..4).map(|i| format!("u{i}")).collect(),
        vec!["x".into(), "y".into()],
        ndarray::array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 14.0]],
    )
    .unwrap();
    let p = Pipeline {
        version: 1,
        ties: Ties::Min,
        steps: vec![
            Step::Normalise(Normaliser::minmax(0.0, 100.0)),
            Step::Aggregate(Aggregate::default()),
        ],
    };
    let opts = FitOptions {
        weights: Some(m),
        ..FitOptions::default()
    };
    let parts = [data.select_rows(&[2, 0]), data.select_rows(&[3, 1])];
    let (f, _) = fit_in_passes(&fw, &p, &opts, &parts, &[1, 0]).unwrap();
    let w = &f.weights.unwrap().values;
    (w["x"], w["y"])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-14
}

#[test]
fn weights_by_hand() {
    // CV: x̄ = 2.5, s = √(5/3); ȳ = 11, s = 2 (deviations −1, −1, −1, 3).
    let (vx, vy) = ((5.0f64 / 3.0).sqrt() / 2.5, 2.0 / 11.0);
    let (x, y) = by_hand(WeightMethod::CoefficientOfVariation);
    assert!(close(x, vx / (vx + vy)) && close(y, vy / (vx + vy)), "{x} {y}");
    // SD of the min-max values: r_x = 0, ⅓, ⅔, 1 (s = √(5/3) / 3), r_y = 0, 0, 0, 1 (s = ½).
    let (sx, sy) = ((5.0f64 / 3.0).sqrt() / 3.0, 0.5);
    let (x, _) = by_hand(WeightMethod::StandardDeviation);
    assert!(close(x, sx / (sx + sy)), "{x}");
    // CRITIC: ρ(r_x, r_y) = 1.5 / √(5 · 0.75), the same conflict for both: the SD ratio.
    let (x, _) = by_hand(WeightMethod::Critic(CriticOptions::default()));
    assert!(close(x, sx / (sx + sy)), "{x}");
    // Entropy: p_x = 0, ⅙, ⅓, ½; p_y = 0, 0, 0, 1 (e_y = 0, d_y = 1).
    let h: f64 = [1.0f64 / 6.0, 1.0 / 3.0, 0.5].iter().map(|p| p * p.ln()).sum();
    let dx = 1.0 + h / 4f64.ln();
    let (x, y) = by_hand(WeightMethod::Entropy(EntropyOptions::default()));
    assert!(close(x, dx / (dx + 1.0)) && close(y, 1.0 / (dx + 1.0)), "{x} {y}");
    // PCA of two correlated criteria: one factor, equal squared loadings.
    let (x, y) = by_hand(WeightMethod::Pca(PcaOptions::default()));
    assert!(close(x, 0.5) && close(y, 0.5), "{x} {y}");
}

#[test]
fn one_pass_pipelines_take_one_pass_and_refusals_name_the_step() {
    let fw = framework();
    let p = pipeline(false);
    let none = PartialFit::new(&fw, &p, &FitOptions::default()).unwrap();
    assert_eq!(none.passes_left().unwrap(), 0);
    assert!(none.advance().unwrap_err().to_string().contains("no pass is left"));
    let opts = FitOptions {
        weights: Some(method(3)),
        weight_stage: Some("treated".into()),
        grading: None,
    };
    let e = PartialFit::new(&fw, &p, &opts).unwrap_err().to_string();
    assert!(e.contains("treated") && e.contains("imputed"), "{e}");
    // a pass's fit does not merge with another pass's
    let opts = FitOptions {
        weights: Some(method(0)),
        ..FitOptions::default()
    };
    let mut first = PartialFit::new(&fw, &p, &opts).unwrap();
    first
        .update(&dataset(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.0, 1.0, 5.0, 3.0, 9.0, 1.0]))
        .unwrap();
    let second = first.advance().unwrap();
    assert!(first.merge(&second).unwrap_err().to_string().contains("different passes"));
    // a missing value at the weight stage names unit and criterion
    let opts = FitOptions {
        weights: Some(method(5)),
        weight_stage: Some("raw".into()),
        grading: None,
    };
    let mut pf = PartialFit::new(&fw, &p, &opts).unwrap();
    pf.update(&dataset(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.0, N, 5.0, 3.0, 9.0, 1.0]))
        .unwrap();
    let mut next = pf.advance().unwrap();
    let e = next
        .update(&dataset(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.0, N, 5.0, 3.0, 9.0, 1.0]))
        .unwrap_err();
    let s = e.to_string();
    assert!(s.contains("u1") && s.contains("missing") && s.contains("D1"), "{s}");
}

fn treat_pipeline(max_points: usize, log: u8, norm: u8) -> Pipeline {
    treat_pipeline_from(true, max_points, log, norm)
}

/// `impute` (or a `screen` in its place), `treat`, a normaliser, `aggregate`.
fn treat_pipeline_from(impute: bool, max_points: usize, log: u8, norm: u8) -> Pipeline {
    use crate::prepare::{LogFallback, Treat};
    let log = match log {
        0 => LogFallback::Ctlog,
        1 => LogFallback::CtlogOrig,
        2 => LogFallback::Log,
        _ => LogFallback::None,
    };
    Pipeline {
        version: 1,
        ties: Ties::Min,
        steps: vec![
            if impute {
                Step::Impute(Impute {
                    method: ImputeMethod::Mean,
                    group: None,
                })
            } else {
                Step::Screen(Screen::new(0.6))
            },
            Step::Treat(Treat {
                max_points,
                log,
                ..Treat::default()
            }),
            Step::Normalise(if norm == 0 {
                Normaliser::minmax(0.0, 100.0)
            } else {
                Normaliser::zscore(50.0, 10.0)
            }),
            Step::Aggregate(Aggregate::default()),
        ],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// `treat` (then the normaliser after it, and weights on the treated stage): identical
    /// for any partitioning; the rules equal the whole-data fit's exactly (bounds are data
    /// values), the normaliser's parameters and the weights to 1e-12.
    #[test]
    fn treat_in_passes_equals_the_whole_fit(
        cells in proptest::collection::vec(prop_oneof![12 => 0.5f64..10.0, 2 => 20.0f64..2000.0, 1 => Just(-3.0), 1 => Just(N)], 6 * 30),
        cuts in proptest::collection::vec(0usize..40, 1..5),
        max_points in 1usize..5, log in 0u8..4, norm in 0u8..2, weights in any::<bool>(), seed in any::<u64>(),
        impute in any::<bool>(),
    ) {
        let fw = framework();
        let data = dataset(&cells);
        let p = treat_pipeline_from(impute, max_points, log, norm);
        let opts = FitOptions {
            weights: weights.then(|| method(6)),
            weight_stage: weights.then(|| "treated".to_string()),
            grading: None,
        };
        let Ok(whole) = p.fit_with(&fw, &data, &opts) else { return Ok(()) };
        let (one, reads) = fit_in_passes(&fw, &p, &opts, std::slice::from_ref(&data), &[0]).unwrap();
        // without imputation `treat` is the first pass: no extra read
        prop_assert_eq!(reads, usize::from(impute) + 2 + if weights { 3 } else { 0 });
        prop_assert_eq!(&one.fitted_on, &whole.fitted_on);
        let parts = batches(&data, &cuts);
        let (many, _) = fit_in_passes(&fw, &p, &opts, &parts, &shuffled(parts.len(), seed)).unwrap();
        prop_assert_eq!(many.to_json_string().unwrap(), one.to_json_string().unwrap());
        if !impute || cells.iter().all(|v| !v.is_nan()) {
            // without imputed values (whose mean is an exact sum here, a running sum there) the
            // rules are data values: identical
            prop_assert_eq!(&one.pipeline.steps[1], &whole.pipeline.steps[1]);
        }
        let scale = data.values().iter().filter(|v| v.is_finite()).fold(1.0f64, |m, v| m.max(v.abs()));
        super::tests::json_close(&serde_json::to_value(&one.pipeline).unwrap(), &serde_json::to_value(&whole.pipeline).unwrap(), 1e-12, scale, "pipeline");
        if weights {
            let (w1, w2) = (&one.weights.as_ref().unwrap().values, &whole.weights.as_ref().unwrap().values);
            for (id, a) in w1 {
                prop_assert!((a - w2[id]).abs() <= 1e-12 * a.abs().max(1e-300), "{}: {} vs {}", id, a, w2[id]);
            }
        }
    }
}

#[test]
fn treatment_by_hand() {
    // 20 units, at most one point winsorised (skew / kurtosis by hand, Excel's SKEW / KURT):
    // a = 1..19, 100 (skew 3.97): 100 → 19 leaves skew −0.04: clip at 19.
    // b = 1..20 (skew 0) passes as it is.
    // c = 1 ×17, 500, 1000, 2000: after 2000 → 1000 still skew 2.44, kurtosis 4.77: the log
    //     fallback with the column's min 1 and max 2000.
    // d = 1 ×19, 2000: winsorising makes it constant: left untreated.
    let mut cells = Vec::new();
    for i in 0..20 {
        let k = f64::from(i + 1);
        let a = if i == 19 { 100.0 } else { k };
        let c = match i {
            17 => 500.0,
            18 => 1000.0,
            19 => 2000.0,
            _ => 1.0,
        };
        let d = if i == 19 { 2000.0 } else { 1.0 };
        cells.extend([a, k, c, d, 1.0 + f64::from(i % 2), 5.0]);
    }
    let data = dataset(&cells);
    let fw = framework();
    let p = treat_pipeline(1, 0, 0);
    let parts = [
        data.select_rows(&[19, 0, 4, 17]),
        data.select_rows(&(1..19).filter(|&r| r != 4 && r != 17).collect::<Vec<_>>()),
    ];
    let (f, reads) = fit_in_passes(&fw, &p, &FitOptions::default(), &parts, &[1, 0]).unwrap();
    assert_eq!(reads, 3);
    let Step::TreatFitted(t) = &f.pipeline.steps[1] else {
        panic!("treat_fitted")
    };
    assert_eq!(t.rules["a"], TreatRule::Clip { lo: None, hi: Some(19.0) });
    assert!(!t.rules.contains_key("b") && !t.rules.contains_key("d"), "{t:?}");
    assert_eq!(
        t.rules["c"],
        TreatRule::Log {
            transform: crate::prepare::LogFallback::Ctlog,
            min: 1.0,
            max: 2000.0
        }
    );
    assert_eq!(t.rules.len(), 2);
    assert_eq!(f.pipeline.steps[1], p.fit(&fw, &data).unwrap().pipeline.steps[1]);
}

fn equal_intervals(node: &str, bands: usize) -> GradeNode {
    GradeNode {
        node: node.into(),
        grading: crate::analysis::Grading {
            breaks: crate::analysis::Breaks::EqualIntervals { bands },
            labels: (0..bands).map(|k| format!("g{k}")).collect(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Equal-interval grading thresholds: a last pass reads the graded node's range under the
    /// finished fit (here with fitted weights and a screen): equal to `fit_with`'s.
    #[test]
    fn equal_interval_grading_in_a_last_pass(
        cells in proptest::collection::vec(prop_oneof![8 => 0.0f64..100.0, 1 => Just(N)], 6 * 20),
        cuts in proptest::collection::vec(0usize..30, 1..4),
        node in 0usize..3, bands in 2usize..5, weights in any::<bool>(), seed in any::<u64>(),
    ) {
        let fw = framework();
        let data = dataset(&cells);
        let p = pipeline(true);
        let opts = FitOptions {
            weights: weights.then(|| method(3)),
            weight_stage: None,
            grading: Some(equal_intervals(["Index", "P", "D2"][node], bands)),
        };
        let Ok(whole) = p.fit_with(&fw, &data, &opts) else { return Ok(()) };
        let parts = batches(&data, &cuts);
        let (many, reads) = fit_in_passes(&fw, &p, &opts, &parts, &shuffled(parts.len(), seed)).unwrap();
        prop_assert_eq!(reads, if weights { 5 } else { 2 });
        let (a, b) = (many.grading.as_ref().unwrap(), whole.grading.as_ref().unwrap());
        prop_assert_eq!(&a.asked, &b.asked);
        let (crate::analysis::Breaks::Fixed { thresholds: x }, crate::analysis::Breaks::Fixed { thresholds: y }) = (&a.grading.breaks, &b.grading.breaks) else {
            panic!("fixed thresholds")
        };
        for (s, t) in x.iter().zip(y) {
            prop_assert!((s - t).abs() <= 1e-12 * t.abs().max(1.0), "{} vs {}", s, t);
        }
    }
}

#[test]
fn quantile_grading_is_still_refused_naming_the_step() {
    let mut g = equal_intervals("Index", 2);
    g.grading.breaks = crate::analysis::Breaks::Quantiles { probs: vec![0.5] };
    let opts = FitOptions {
        grading: Some(g),
        ..FitOptions::default()
    };
    let e = PartialFit::new(&framework(), &pipeline(false), &opts).unwrap_err().to_string();
    assert!(
        e.contains("grading (quantiles)") && e.contains("ordered") && e.contains("whole data"),
        "{e}"
    );
}
