//! Weighting methods against `tests/fixtures/mcdm/` (see its README for provenance) and
//! hand-computed cases.
#![allow(clippy::unwrap_used)]

mod common;

use approx::assert_abs_diff_eq;
use ndarray::{array, Array2, ShapeBuilder};
use zhili_core::weight::{
    ahp, benefit_of_the_doubt, coefficient_of_variation, combine, critic, entropy, equal, group_geometric_mean, group_weights, pca,
    standard_deviation, AhpOptions, BodOptions, Combination, Criteria, CriticOptions, EntropyInput, EntropyOptions, PcaOptions,
    Prioritisation, RandomIndex, WeightMethod, WeightResult,
};
use zhili_core::{Direction, Error, Framework};

/// The 12 × 8 dataset, its criteria (ids + directions), column-major.
fn dataset(zero_to_one: bool) -> (Array2<f64>, Criteria) {
    let (units, cols, m) = common::read_matrix("mcdm/dataset.csv");
    let crit = common::read_table("mcdm/criteria.csv");
    let dirs: Vec<Direction> = cols
        .iter()
        .map(|c| {
            let i = crit.rows.iter().position(|r| &r[0] == c).expect("criterion listed");
            Direction::parse(&crit.rows[i][1]).expect("direction")
        })
        .collect();
    let mut x = Array2::zeros(m.dim().f());
    x.assign(&m);
    if zero_to_one {
        // weights_reference.csv was computed with the zero of J04 replaced by 1.
        let j = cols.iter().position(|c| c == "new_social_housing_units").unwrap();
        let i = units.iter().position(|u| u == "J04").unwrap();
        assert_eq!(x[[i, j]], 0.0);
        x[[i, j]] = 1.0;
    }
    (x, Criteria::new(cols, dirs).unwrap().with_units(units))
}

fn reference(function_prefix: &str) -> Vec<f64> {
    let t = common::read_table("mcdm/weights_reference.csv");
    let r = t
        .rows
        .iter()
        .find(|r| r[1].starts_with(function_prefix))
        .unwrap_or_else(|| panic!("no reference row {function_prefix}"));
    r[2..].iter().map(|s| common::parse_num(s)).collect()
}

/// The reference file prints 12 decimals: compare at that precision.
fn assert_weights(got: &WeightResult, want: &[f64]) {
    let (_, cols, _) = common::read_matrix("mcdm/dataset.csv");
    assert_eq!(got.criteria, cols);
    for (j, (g, w)) in got.weights.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-12, "{} {}: got {g}, want {w}", got.method, got.criteria[j]);
    }
    assert_abs_diff_eq!(got.weights.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
}

#[test]
fn entropy_matches_reference() {
    let (x, c) = dataset(true);
    let w = entropy(x.view(), &c, &EntropyOptions::default()).unwrap();
    assert_weights(&w, &reference("entropy"));
}

#[test]
fn critic_matches_reference() {
    let (x, c) = dataset(true);
    let w = critic(x.view(), &c, &CriticOptions::default()).unwrap();
    assert_weights(&w, &reference("CRITIC"));
}

#[test]
fn sd_matches_reference() {
    let (x, c) = dataset(true);
    let w = standard_deviation(x.view(), &c).unwrap();
    assert_weights(&w, &reference("std of min-max"));
}

#[test]
fn cv_matches_reference() {
    let (x, c) = dataset(true);
    let w = coefficient_of_variation(x.view(), &c).unwrap();
    assert_weights(&w, &reference("coefficient of variation"));
}

/// With the original zero in J04 every method still gives finite weights (min-max makes the
/// zero just the column minimum; CV of raw data is defined since the mean is positive).
#[test]
fn zero_in_data_gives_finite_weights() {
    let (x, c) = dataset(false);
    for w in [
        entropy(x.view(), &c, &EntropyOptions::default()).unwrap(),
        critic(x.view(), &c, &CriticOptions::default()).unwrap(),
        standard_deviation(x.view(), &c).unwrap(),
        coefficient_of_variation(x.view(), &c).unwrap(),
        entropy(x.view(), &c, &EntropyOptions { input: EntropyInput::Raw }).unwrap(),
        entropy(
            x.view(),
            &c,
            &EntropyOptions {
                input: EntropyInput::Shift { shift: 0.01 },
            },
        )
        .unwrap(),
        pca(x.view(), &c, &PcaOptions::default()).unwrap().weights,
    ] {
        assert!(
            w.weights.iter().all(|v| v.is_finite() && *v >= 0.0),
            "{}: {:?}",
            w.method,
            w.weights
        );
        assert_abs_diff_eq!(w.weights.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
        // The zero changes the housing column's min only: its weight stays positive.
        assert!(w.get("new_social_housing_units").unwrap() > 0.0);
    }
    // The near-constant birth registration (99.1–99.6) is not constant: min-max stretches it,
    // so entropy gives it a large weight, while CV on raw data gives it almost none.
    let e = entropy(x.view(), &c, &EntropyOptions::default()).unwrap();
    let cv = coefficient_of_variation(x.view(), &c).unwrap();
    assert!(e.get("birth_registration_pct").unwrap() > 0.15);
    assert!(cv.get("birth_registration_pct").unwrap() < 0.001);
}

/// J03 dominates every criterion: BoD gives it score 1, like every frontier unit.
#[test]
fn dominant_unit_is_on_the_bod_frontier() {
    let (x, c) = dataset(false);
    let r = benefit_of_the_doubt(x.view(), &c, &BodOptions::default()).unwrap();
    let j03 = 2;
    assert_abs_diff_eq!(r.scores[j03], 1.0, epsilon = 1e-9);
    // J12 is worst on most criteria; every score within [0, 1].
    assert!(r.scores.iter().all(|s| (0.0..=1.0).contains(s)));
    for i in 0..x.nrows() {
        // Each unit's own weights score it as reported, and nobody exceeds 1 under them.
        assert!(r.scores[i] <= r.scores[j03] + 1e-12);
    }
}

#[test]
fn constant_criterion_gets_zero_weight_and_a_note() {
    let (mut x, c) = dataset(true);
    x.column_mut(0).fill(99.3);
    for w in [
        entropy(x.view(), &c, &EntropyOptions::default()).unwrap(),
        critic(x.view(), &c, &CriticOptions::default()).unwrap(),
        standard_deviation(x.view(), &c).unwrap(),
        coefficient_of_variation(x.view(), &c).unwrap(),
        pca(x.view(), &c, &PcaOptions::default()).unwrap().weights,
    ] {
        assert_eq!(w.weights[0], 0.0, "{}", w.method);
        assert!(w.notes.iter().any(|n| n.contains("birth_registration_pct")), "{}", w.method);
        assert_abs_diff_eq!(w.weights.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
    }
}

#[test]
fn all_constant_is_an_error_naming_criteria() {
    let x = Array2::from_elem((4, 2), 3.0);
    let c = Criteria::benefit(["a", "b"]);
    let e = entropy(x.view(), &c, &EntropyOptions::default()).unwrap_err();
    assert!(e.to_string().contains("a, b"), "{e}");
    assert!(critic(x.view(), &c, &CriticOptions::default()).is_err());
}

#[test]
fn missing_value_is_an_error_naming_unit_and_criterion() {
    let (mut x, c) = dataset(true);
    x[[3, 2]] = f64::NAN;
    let e = entropy(x.view(), &c, &EntropyOptions::default()).unwrap_err();
    match e {
        Error::Method { unit, node, .. } => {
            assert_eq!(unit.as_deref(), Some("J04"));
            assert_eq!(node.as_deref(), Some("unemployment_rate_pct"));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn cv_with_zero_mean_is_an_error() {
    let x = array![[-1.0, 1.0], [1.0, 2.0], [0.0, 3.0]];
    let e = coefficient_of_variation(x.view(), &Criteria::benefit(["z", "y"])).unwrap_err();
    assert!(e.to_string().contains("`z`"), "{e}");
}

/// Entropy by hand, 3 units × 2 benefit criteria.
///
/// ```text
/// a = (0, 1, 2) → r = (0, .5, 1) → p = (0, 1/3, 2/3)
///   e_a = −(1/ln 3)(⅓ ln ⅓ + ⅔ ln ⅔) = 0.579380164285695
/// b = (1, 1, 4) → r = (0, 0, 1) → p = (0, 0, 1) → e_b = 0
/// d = (0.420619835714305, 1) → w = d / 1.420619835714305
/// ```
#[test]
fn entropy_by_hand() {
    let x = array![[0.0, 1.0], [1.0, 1.0], [2.0, 4.0]];
    let w = entropy(x.view(), &Criteria::benefit(["a", "b"]), &EntropyOptions::default()).unwrap();
    let ea = -((1.0f64 / 3.0) * (1.0f64 / 3.0).ln() + (2.0f64 / 3.0) * (2.0f64 / 3.0).ln()) / 3f64.ln();
    let da = 1.0 - ea;
    assert_abs_diff_eq!(w.weights[0], da / (da + 1.0), epsilon = 1e-15);
    assert_abs_diff_eq!(w.weights[0], 0.2960819, epsilon = 1e-7);
}

fn ahp_matrix() -> (Vec<String>, Array2<f64>) {
    let (rows, cols, m) = common::read_matrix("mcdm/ahp_matrix_4x4.csv");
    assert_eq!(rows, cols);
    (cols, m)
}

fn ahp_row(library: &str, method_prefix: &str) -> Vec<String> {
    let t = common::read_table("mcdm/ahp_results_4x4.csv");
    t.rows
        .iter()
        .find(|r| r[1] == library && r[2].starts_with(method_prefix))
        .unwrap_or_else(|| panic!("no row {library} {method_prefix}"))
        .clone()
}

/// Compare at the precision printed in the reference (its number of decimals).
fn at_precision(what: &str, got: f64, want: &str) {
    let decimals = want.split('.').nth(1).map_or(0, str::len) as i32;
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-15;
    let w: f64 = want.parse().unwrap();
    assert!((got - w).abs() <= tol, "{what}: got {got}, want {want} (±{tol:e})");
}

fn ahp_with(table: RandomIndex, p: Prioritisation) -> zhili_core::weight::AhpResult {
    let (labels, a) = ahp_matrix();
    ahp(
        a.view(),
        &labels,
        &AhpOptions {
            random_index: table,
            prioritisation: p,
            ..AhpOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn ahp_eigenvector_matches_numpy() {
    let r = ahp_with(RandomIndex::Saaty1980, Prioritisation::Eigenvector);
    let row = ahp_row("reference_numpy", "principal eigenvector");
    at_precision("lambda_max", r.lambda_max, &row[3]);
    at_precision("CI", r.ci, &row[4]);
    at_precision("CR", r.cr, &row[6]);
    for j in 0..4 {
        at_precision("w", r.weights.weights[j], &row[8 + j]);
    }
    assert_eq!(r.ri, 0.90);
    assert!(r.consistent);
    assert_eq!(r.weights.criteria, ["safety", "health", "education", "governance"]);
}

#[test]
fn ahp_geometric_mean_matches_numpy_and_crispyn() {
    let r = ahp_with(RandomIndex::Saaty1980, Prioritisation::GeometricMean);
    for (lib, m) in [
        ("reference_numpy", "row geometric mean"),
        ("crispyn", "AHP_WEIGHTING()(A, _geometric_mean)"),
    ] {
        let row = ahp_row(lib, m);
        for j in 0..4 {
            at_precision("w", r.weights.weights[j], &row[8 + j]);
        }
    }
    // crispyn reports the eigenvalue CR whatever the prioritisation.
    at_precision("CR", r.cr, &ahp_row("crispyn", "AHP_WEIGHTING()(A, _geometric_mean)")[6]);
}

#[test]
fn ahp_row_sums_match_crispyn() {
    let r = ahp_with(RandomIndex::Saaty1980, Prioritisation::RowSums);
    let row = ahp_row("crispyn", "AHP_WEIGHTING()(A, _normalized_column_sum)");
    for j in 0..4 {
        at_precision("w", r.weights.weights[j], &row[8 + j]);
    }
}

#[test]
fn ahp_pydecision_lambda_from_weights() {
    for (p, m) in [
        (Prioritisation::NormalisedColumns, "ahp_method(A, wd='m')"),
        (Prioritisation::GeometricMean, "ahp_method(A, wd='g')"),
        (Prioritisation::Eigenvector, "ahp_method(A, wd='me')"),
    ] {
        let r = ahp_with(RandomIndex::Saaty1980, p);
        let row = ahp_row("pydecision", m);
        at_precision(m, r.cr_from_weights, &row[6]);
        for j in 0..4 {
            at_precision(m, r.weights.weights[j], &row[8 + j]);
        }
    }
}

#[test]
fn ahp_tables_match_ahpy_and_pymcdm() {
    // ahpy rounds weights and CR to `precision` decimals; compare at that precision.
    for (table, ri) in [(RandomIndex::DoneganDodd1991, "dd"), (RandomIndex::Saaty2005, "saaty")] {
        let r = ahp_with(table, Prioritisation::Eigenvector);
        for prec in [4, 10] {
            let row = ahp_row("ahpy", &format!("Compare(precision={prec}, random_index='{ri}')"));
            at_precision(&format!("ahpy {ri} CR"), r.cr, &row[6]);
            for j in 0..4 {
                at_precision("ahpy w", r.weights.weights[j], &row[8 + j]);
            }
        }
    }
    // pymcdm's table (RI(4) = 0.8921) given as a custom table.
    let r = ahp_with(
        RandomIndex::Custom {
            values: vec![0.0, 0.0, 0.52, 0.8921],
        },
        Prioritisation::Eigenvector,
    );
    let row = ahp_row("pymcdm", "weights.subjective.AHP");
    at_precision("pymcdm CR", r.cr, &row[6]);
    // Alonso & Lamata: CI / 0.8816.
    let r = ahp_with(RandomIndex::AlonsoLamata2006, Prioritisation::Eigenvector);
    assert_abs_diff_eq!(r.cr, r.ci / 0.8816, epsilon = 1e-15);
}

#[test]
fn ahp_inconsistent_is_refused_unless_allowed() {
    // a > b (9), b > c (9), but c > a (9): wildly intransitive.
    let a = array![[1.0, 9.0, 1.0 / 9.0], [1.0 / 9.0, 1.0, 9.0], [9.0, 1.0 / 9.0, 1.0]];
    let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let e = ahp(a.view(), &labels, &AhpOptions::default()).unwrap_err();
    assert!(e.to_string().contains("CR"), "{e}");
    let r = ahp(
        a.view(),
        &labels,
        &AhpOptions {
            allow_inconsistent: true,
            ..AhpOptions::default()
        },
    )
    .unwrap();
    assert!(!r.consistent && r.cr > 0.1);
    assert!(!r.weights.notes.is_empty());
    // Cyclic symmetry: equal weights.
    for w in &r.weights.weights {
        assert_abs_diff_eq!(*w, 1.0 / 3.0, epsilon = 1e-12);
    }
}

#[test]
fn ahp_non_reciprocal_names_the_cell() {
    let (labels, mut a) = ahp_matrix();
    a[[2, 0]] = 0.25; // should be 1/5
    let e = ahp(a.view(), &labels, &AhpOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("(safety, education)") && msg.contains("(education, safety)"), "{msg}");
}

#[test]
fn ahp_table_without_n_is_an_error() {
    let n = 11;
    let a = Array2::<f64>::ones((n, n));
    let labels: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
    assert!(ahp(a.view(), &labels, &AhpOptions::default()).is_err());
    let r = ahp(
        a.view(),
        &labels,
        &AhpOptions {
            random_index: RandomIndex::Saaty2005,
            ..AhpOptions::default()
        },
    )
    .unwrap();
    assert_abs_diff_eq!(r.lambda_max, 11.0, epsilon = 1e-12);
    assert_abs_diff_eq!(r.cr, 0.0, epsilon = 1e-12);
}

/// Two experts: element-wise geometric means, e.g. (3 · 1/3)^(1/2) = 1 and (2 · 8)^(1/2) = 4.
#[test]
fn ahp_group_geometric_mean() {
    let e1 = array![[1.0, 3.0, 2.0], [1.0 / 3.0, 1.0, 1.0], [0.5, 1.0, 1.0]];
    let e2 = array![[1.0, 1.0 / 3.0, 8.0], [3.0, 1.0, 4.0], [0.125, 0.25, 1.0]];
    let g = group_geometric_mean(&[e1.view(), e2.view()]).unwrap();
    assert_abs_diff_eq!(g[[0, 1]], 1.0, epsilon = 1e-15);
    assert_abs_diff_eq!(g[[0, 2]], 4.0, epsilon = 1e-14);
    assert_abs_diff_eq!(g[[2, 0]], 0.25, epsilon = 1e-15);
    assert_abs_diff_eq!(g[[1, 2]], 2.0, epsilon = 1e-14);
    assert!(group_geometric_mean(&[e1.view(), Array2::<f64>::ones((2, 2)).view()]).is_err());
}

/// PCA by hand. Orthogonal zero-mean columns h1..h4 of an 8 × 8 Hadamard matrix;
/// x1 = h1, x2 = 0.8 h1 + 0.6 h2, x3 = h3, x4 = 0.4 h3 + √0.84 h4, so
/// corr = blocks [[1, .8], [.8, 1]] and [[1, .4], [.4, 1]]: eigenvalues 1.8, 1.4, 0.6, 0.2.
/// Two components kept; loadings √0.9 on (x1, x2) and √0.7 on (x3, x4) (a simple structure
/// that varimax keeps); scaled squared loadings ½ each; factor variances 1.8 and 1.4, so
/// w = ½·1.8/3.2 = 0.28125 for x1, x2 and ½·1.4/3.2 = 0.21875 for x3, x4.
#[test]
fn pca_by_hand() {
    let h = [
        [1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0],
        [1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0],
        [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0],
        [1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0],
    ];
    let s = 0.84f64.sqrt();
    let x = Array2::from_shape_fn((8, 4), |(i, j)| match j {
        0 => h[0][i],
        1 => 0.8 * h[0][i] + 0.6 * h[1][i],
        2 => 10.0 + 3.0 * h[2][i],
        _ => 0.4 * h[2][i] + s * h[3][i],
    });
    let r = pca(x.view(), &Criteria::benefit(["x1", "x2", "x3", "x4"]), &PcaOptions::default()).unwrap();
    assert_eq!(r.retained, 2);
    for (g, w) in r.eigenvalues.iter().zip([1.8, 1.4, 0.6, 0.2]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-12);
    }
    assert_abs_diff_eq!(r.explained[0], 0.45, epsilon = 1e-12);
    for (g, w) in r.weights.weights.iter().zip([0.28125, 0.28125, 0.21875, 0.21875]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-9);
    }
    assert_eq!(r.factor_of[0], r.factor_of[1]);
    assert_ne!(r.factor_of[0], r.factor_of[2]);
}

/// BoD by hand: units A (1, 0), B (0, 1), C (0.4, 0.4) on two benefit criteria taken as is.
/// Frontier: A and B score 1. C: max 0.4 w1 + 0.4 w2 s.t. w1 ≤ 1, w2 ≤ 1, 0.4(w1 + w2) ≤ 1
/// → w1 = w2 = 1, score 0.8. With the share of p bounded to [0.2, 0.3]:
/// s1 = 0.4 w1 / (0.4 (w1 + w2)) ≤ 0.3 ⇔ w1 ≤ (3/7) w2, and w2 ≤ 1 (B's constraint)
/// → w1 = 3/7, w2 = 1, score 0.4·(1 + 3/7) = 0.571428…
#[test]
fn bod_by_hand() {
    let x = array![[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]];
    let c = Criteria::benefit(["p", "q"]);
    let opts = BodOptions {
        input: zhili_core::weight::BodInput::AsIs,
        share_bounds: None,
    };
    let r = benefit_of_the_doubt(x.view(), &c, &opts).unwrap();
    assert_abs_diff_eq!(r.scores[0], 1.0, epsilon = 1e-9);
    assert_abs_diff_eq!(r.scores[1], 1.0, epsilon = 1e-9);
    assert_abs_diff_eq!(r.scores[2], 0.8, epsilon = 1e-9);
    let bounded = BodOptions {
        share_bounds: Some(vec![[0.2, 0.3], [0.0, 1.0]]),
        ..opts
    };
    let r = benefit_of_the_doubt(x.view(), &c, &bounded).unwrap();
    assert_abs_diff_eq!(r.scores[2], 0.4 * (1.0 + 3.0 / 7.0), epsilon = 1e-9);
    assert!(r.shares[[2, 0]] <= 0.3 + 1e-9 && r.shares[[2, 0]] >= 0.2 - 1e-9);
    // Unit A can put at most 30 % of its score on p, and scores 0 on q: score 0.
    assert_abs_diff_eq!(r.scores[0], 0.0, epsilon = 1e-9);
    // Bad bounds are refused.
    let bad = BodOptions {
        share_bounds: Some(vec![[0.7, 0.8], [0.5, 1.0]]),
        input: zhili_core::weight::BodInput::AsIs,
    };
    assert!(benefit_of_the_doubt(x.view(), &c, &bad).is_err());
}

fn wr(w: &[f64]) -> WeightResult {
    WeightResult {
        method: "m".into(),
        criteria: vec!["a".into(), "b".into(), "c".into()],
        weights: w.to_vec(),
        notes: vec![],
    }
}

/// Combinations by hand with u = (.5, .3, .2), v = (.2, .3, .5):
/// multiplicative (.10, .09, .10)/.29; linear α = .25 → (.275, .3, .425);
/// game theory: u·u = v·v = .38, u·v = .29 → a1 = a2 (symmetric) → w = (.35, .3, .35).
#[test]
fn combinations_by_hand() {
    let u = wr(&[0.5, 0.3, 0.2]);
    let v = wr(&[0.2, 0.3, 0.5]);
    let m = combine(&[&u, &v], &Combination::Multiplicative).unwrap();
    for (g, w) in m.weights.iter().zip([0.10 / 0.29, 0.09 / 0.29, 0.10 / 0.29]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-15);
    }
    let l = combine(&[&u, &v], &Combination::Linear { alpha: 0.25 }).unwrap();
    for (g, w) in l.weights.iter().zip([0.275, 0.3, 0.425]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-15);
    }
    let g = combine(&[&u, &v], &Combination::GameTheory).unwrap();
    for (g, w) in g.weights.iter().zip([0.35, 0.3, 0.35]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-12);
    }
    // Asymmetric: u = (.6, .4, 0)... a solves [[u·u, u·v], [u·v, v·v]] a = (u·u, v·v).
    let u = wr(&[0.6, 0.3, 0.1]);
    let gt = combine(&[&u, &v], &Combination::GameTheory).unwrap();
    let (uu, uv, vv) = (0.46, 0.26, 0.38);
    let det = uu * vv - uv * uv;
    let a1 = (uu * vv - uv * vv) / det;
    let a2 = (uu * vv - uv * uu) / det;
    let (b1, b2) = (a1 / (a1 + a2), a2 / (a1 + a2));
    for j in 0..3 {
        assert_abs_diff_eq!(gt.weights[j], b1 * u.weights[j] + b2 * v.weights[j], epsilon = 1e-12);
    }
    // Identical vectors: the same vector back.
    let same = combine(&[&v, &v], &Combination::GameTheory).unwrap();
    for j in 0..3 {
        assert_abs_diff_eq!(same.weights[j], v.weights[j], epsilon = 1e-12);
    }
    assert!(combine(&[&u, &v], &Combination::Linear { alpha: 1.5 }).is_err());
}

#[test]
fn equal_weights() {
    let w = equal(&Criteria::numbered(4)).unwrap();
    assert_eq!(w.weights, vec![0.25; 4]);
    assert_eq!(w.criteria[3], "c4");
}

/// Per-sibling-group weights on a small tree: the weights of each aggregate's children come
/// from the children's own columns; the result plugs into `Framework::with_weights`.
#[test]
fn group_weights_per_sibling_group() {
    let fw = Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "d1"
parent = "index"
[[nodes]]
id = "d2"
parent = "index"
[[nodes]]
id = "a"
parent = "d1"
[[nodes]]
id = "b"
parent = "d1"
direction = "cost"
[[nodes]]
id = "c"
parent = "d2"
"#,
    )
    .unwrap();
    let x = array![[0.0, 1.0, 3.0], [1.0, 1.0, 5.0], [2.0, 4.0, 4.0], [3.0, 0.0, 9.0]];
    let ws = group_weights(
        &fw,
        x.view(),
        &WeightMethod::Entropy(EntropyOptions::default()),
        &zhili_core::Aggregate::default(),
        None,
    )
    .unwrap();
    // d1's children by entropy on (a, b) alone.
    let c = Criteria::new(["a", "b"], vec![Direction::Benefit, Direction::Cost]).unwrap();
    let direct = entropy(x.slice(ndarray::s![.., 0..2]), &c, &EntropyOptions::default()).unwrap();
    assert_abs_diff_eq!(ws.weights["a"], direct.weights[0], epsilon = 1e-15);
    assert_abs_diff_eq!(ws.weights["b"], direct.weights[1], epsilon = 1e-15);
    assert_eq!(ws.weights["c"], 1.0);
    // Index level: entropy of the d1 and d2 scores (d2 = c).
    let d1: Vec<f64> = (0..4)
        .map(|i| direct.weights[0] * x[[i, 0]] + direct.weights[1] * x[[i, 1]])
        .collect();
    let y = Array2::from_shape_fn((4, 2), |(i, j)| if j == 0 { d1[i] } else { x[[i, 2]] });
    let top = entropy(y.view(), &Criteria::benefit(["d1", "d2"]), &EntropyOptions::default()).unwrap();
    assert_abs_diff_eq!(ws.weights["d1"], top.weights[0], epsilon = 1e-12);
    let fw2 = fw.with_weights(ws.iter()).unwrap();
    assert_abs_diff_eq!(fw2.node("d2").unwrap().weight, top.weights[1], epsilon = 1e-12);
}

/// The ASEM example: entropy weights for every group of the 49-indicator tree, from the
/// normalised stage; all finite, each group summing to 1.
#[test]
fn group_weights_on_asem() {
    let fw = common::asem_framework();
    let ids = fw.indicator_ids();
    let (_, x) = common::matrix_columns("coinr-asem/nominal_06_Normalised.csv", &ids);
    let ws = group_weights(
        &fw,
        x.view(),
        &WeightMethod::Critic(CriticOptions::default()),
        &zhili_core::Aggregate::default(),
        None,
    )
    .unwrap();
    assert_eq!(ws.weights.len(), fw.nodes().len() - 1);
    for &a in fw.aggregates_bottom_up() {
        let s: f64 = fw.nodes()[a].children.iter().map(|&c| ws.weights[&fw.nodes()[c].id]).sum();
        assert_abs_diff_eq!(s, 1.0, epsilon = 1e-12);
    }
    assert!(ws.weights.values().all(|w| w.is_finite() && *w >= 0.0));
    fw.with_weights(ws.iter()).unwrap();
}

/// Varimax by hand. With orthonormal zero-mean g1, g2, e1..e4 (Sylvester–Hadamard columns),
/// x_j = a g1 ± b g2 + √0.2 e_j (+ for x1, x2; − for x3, x4), a² = .5, b² = .3:
/// corr = .8 within pairs, .2 across → eigenvalues 1 + .8 + .4 = 2.2, 1 + .8 − .4 = 1.4, .2, .2.
/// Unrotated loadings: √2.2/2 = .741620 on PC1 for all, ±√1.4/2 = .591608 on PC2.
/// Varimax turns them by 45° (every row has the same communality; the criterion peaks at 45°):
/// A = (.741620 + .591608)/√2 = .942748, B = (.741620 − .591608)/√2 = .106074, so x1, x2 load
/// (A, B) and x3, x4 (B, A) up to sign and factor order; both factors explain 1.8 → w = ¼ each.
#[test]
fn pca_varimax_by_hand() {
    let h = |i: usize, j: usize| if (i & j).count_ones().is_multiple_of(2) { 1.0 } else { -1.0 } / 8f64.sqrt();
    let (a, b, u) = (0.5f64.sqrt(), 0.3f64.sqrt(), 0.2f64.sqrt());
    let x = Array2::from_shape_fn((8, 4), |(i, j)| {
        let sign = if j < 2 { 1.0 } else { -1.0 };
        a * h(i, 1) + sign * b * h(i, 2) + u * h(i, 3 + j)
    });
    let c = Criteria::benefit(["x1", "x2", "x3", "x4"]);
    let r = pca(x.view(), &c, &PcaOptions::default()).unwrap();
    for (g, w) in r.eigenvalues.iter().zip([2.2, 1.4, 0.2, 0.2]) {
        assert_abs_diff_eq!(*g, w, epsilon = 1e-12);
    }
    assert_eq!(r.retained, 2);
    let big = (2.2f64.sqrt() / 2.0 + 1.4f64.sqrt() / 2.0) / 2f64.sqrt();
    let small = (2.2f64.sqrt() / 2.0 - 1.4f64.sqrt() / 2.0) / 2f64.sqrt();
    let k = r.factor_of[0].unwrap();
    assert_eq!(r.factor_of[1], Some(k));
    assert_eq!(r.factor_of[2], Some(1 - k));
    assert_eq!(r.factor_of[3], Some(1 - k));
    for j in 0..4 {
        let own = r.factor_of[j].unwrap();
        assert_abs_diff_eq!(r.loadings[[j, own]].abs(), big, epsilon = 1e-9);
        assert_abs_diff_eq!(r.loadings[[j, 1 - own]].abs(), small, epsilon = 1e-9);
        assert_abs_diff_eq!(r.weights.weights[j], 0.25, epsilon = 1e-9);
    }
    assert_abs_diff_eq!(r.factor_explained[0], 1.8 / 4.0, epsilon = 1e-9);
    // Without rotation the loadings stay principal-component loadings.
    let r = pca(
        x.view(),
        &c,
        &PcaOptions {
            rotate: false,
            ..PcaOptions::default()
        },
    )
    .unwrap();
    assert_abs_diff_eq!(r.loadings[[0, 0]].abs(), 2.2f64.sqrt() / 2.0, epsilon = 1e-12);
    assert_abs_diff_eq!(r.loadings[[2, 1]].abs(), 1.4f64.sqrt() / 2.0, epsilon = 1e-12);
}

/// Varimax against an independent brute-force search. Two common factors on six criteria
/// (orthonormal Hadamard columns of a 16 × 16 matrix as factors and unique parts); take the
/// unrotated loadings, maximise the Kaiser-normalised varimax criterion
/// V(θ) = Σ_k [ Σ_j y_jk⁴ / p − (Σ_j y_jk² / p)² ] over the rotation angle θ by a grid and a
/// ternary search, and compare with the rotated loadings (up to column order and signs).
#[test]
fn pca_varimax_matches_brute_force() {
    let h = |i: usize, j: usize| if (i & j).count_ones().is_multiple_of(2) { 1.0 } else { -1.0 } / 4.0;
    let l: [(f64, f64); 6] = [(0.8, 0.3), (0.7, 0.4), (0.75, 0.2), (0.3, -0.8), (0.2, -0.7), (0.4, -0.75)];
    let x = Array2::from_shape_fn((16, 6), |(i, j)| {
        let (a, b) = l[j];
        a * h(i, 1) + b * h(i, 2) + (1.0 - a * a - b * b).sqrt() * h(i, 3 + j)
    });
    let c = Criteria::numbered(6);
    let un = pca(
        x.view(),
        &c,
        &PcaOptions {
            rotate: false,
            ..PcaOptions::default()
        },
    )
    .unwrap();
    assert_eq!(un.retained, 2);
    let rot = pca(x.view(), &c, &PcaOptions::default()).unwrap();
    let p = 6;
    let hn: Vec<f64> = (0..p)
        .map(|j| (un.loadings[[j, 0]].powi(2) + un.loadings[[j, 1]].powi(2)).sqrt())
        .collect();
    let rotate = |t: f64| -> Vec<(f64, f64)> {
        (0..p)
            .map(|j| {
                let (a, b) = (un.loadings[[j, 0]], un.loadings[[j, 1]]);
                (a * t.cos() + b * t.sin(), -a * t.sin() + b * t.cos())
            })
            .collect()
    };
    let crit = |t: f64| -> f64 {
        let y = rotate(t);
        let mut v = 0.0;
        for k in 0..2 {
            let col: Vec<f64> = (0..p).map(|j| if k == 0 { y[j].0 } else { y[j].1 } / hn[j]).collect();
            let s2: f64 = col.iter().map(|z| z * z).sum::<f64>() / p as f64;
            let s4: f64 = col.iter().map(|z| z.powi(4)).sum::<f64>() / p as f64;
            v += s4 - s2 * s2;
        }
        v
    };
    let n = 20_000;
    let step = std::f64::consts::FRAC_PI_2 / n as f64;
    let best = (0..n)
        .map(|i| i as f64 * step)
        .max_by(|a, b| crit(*a).total_cmp(&crit(*b)))
        .unwrap();
    let (mut lo, mut hi) = (best - step, best + step);
    for _ in 0..200 {
        let m1 = lo + (hi - lo) / 3.0;
        let m2 = hi - (hi - lo) / 3.0;
        if crit(m1) < crit(m2) {
            lo = m1;
        } else {
            hi = m2;
        }
    }
    let y = rotate((lo + hi) / 2.0);
    // Match columns up to order and sign.
    let same =
        |k: usize, col: usize| (0..p).all(|j| (rot.loadings[[j, col]].abs() - if k == 0 { y[j].0 } else { y[j].1 }.abs()).abs() < 1e-8);
    assert!(
        (same(0, 0) && same(1, 1)) || (same(0, 1) && same(1, 0)),
        "{:?} vs {y:?}",
        rot.loadings
    );
    // Each criterion is assigned to the factor it was built on.
    assert_eq!(rot.factor_of[0], rot.factor_of[1]);
    assert_eq!(rot.factor_of[0], rot.factor_of[2]);
    assert_eq!(rot.factor_of[3], rot.factor_of[4]);
    assert_ne!(rot.factor_of[0], rot.factor_of[3]);
    assert_abs_diff_eq!(rot.weights.weights.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
}

/// AHP judgements per node from a TOML document: the 4 × 4 reference matrix on the index's
/// children, two experts on a dimension's children.
#[test]
fn ahp_spec_per_node() {
    use zhili_core::weight::AhpSpec;
    let fw = Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "safety"
parent = "index"
[[nodes]]
id = "health"
parent = "index"
[[nodes]]
id = "education"
parent = "index"
[[nodes]]
id = "governance"
parent = "index"
[[nodes]]
id = "g1"
parent = "governance"
[[nodes]]
id = "g2"
parent = "governance"
[[nodes]]
id = "s1"
parent = "safety"
[[nodes]]
id = "h1"
parent = "health"
[[nodes]]
id = "e1"
parent = "education"
"#,
    )
    .unwrap();
    let doc = r#"
[options]
random_index = { table = "donegan_dodd1991" }

[nodes.index]
elements = ["safety", "health", "education", "governance"]
matrix = [[1, 3, 5, 9], [0.33333333333333331, 1, 2, 5], [0.2, 0.5, 1, 3], [0.1111111111111111, 0.2, 0.33333333333333331, 1]]

[nodes.governance]
elements = ["g2", "g1"]
experts = [[[1, 2], [0.5, 1]], [[1, 8], [0.125, 1]]]
"#;
    let spec = AhpSpec::from_toml_str(doc, "ahp.toml").unwrap();
    let w = spec.weights(&fw).unwrap();
    let row = ahp_row("reference_numpy", "principal eigenvector");
    for (j, id) in ["safety", "health", "education", "governance"].iter().enumerate() {
        at_precision(id, w.weights.weights[*id], &row[8 + j]);
    }
    at_precision(
        "ahpy dd CR",
        w.results["index"].cr,
        &ahp_row("ahpy", "Compare(precision=10, random_index='dd')")[6],
    );
    // Experts: geometric mean of 2 and 8 is 4 → g2 : g1 = 4 : 1.
    assert_abs_diff_eq!(w.weights.weights["g2"], 0.8, epsilon = 1e-12);
    assert_abs_diff_eq!(w.weights.weights["g1"], 0.2, epsilon = 1e-12);
    fw.with_weights(w.weights.iter()).unwrap();

    // Elements that are not the node's children are named.
    let bad = AhpSpec::from_toml_str(
        "[nodes.governance]\nelements = [\"g1\", \"s1\"]\nmatrix = [[1, 2], [0.5, 1]]\n",
        "ahp.toml",
    )
    .unwrap();
    let e = bad.weights(&fw).unwrap_err().to_string();
    assert!(e.contains("missing: [g2]") && e.contains("not children: [s1]"), "{e}");
    // A wrong-sized matrix and an unknown node.
    let bad = AhpSpec::from_toml_str("[nodes.governance]\nelements = [\"g1\", \"g2\"]\nmatrix = [[1, 2]]\n", "ahp.toml").unwrap();
    assert!(matches!(bad.weights(&fw), Err(Error::Shape { .. })));
    let bad = AhpSpec::from_toml_str("[nodes.nowhere]\nelements = []\nmatrix = []\n", "ahp.toml").unwrap();
    assert!(matches!(bad.weights(&fw), Err(Error::Unknown { .. })));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn matrix() -> impl Strategy<Value = Array2<f64>> {
        (3usize..9, 2usize..5).prop_flat_map(|(n, m)| {
            proptest::collection::vec(-50.0f64..50.0, n * m).prop_map(move |v| Array2::from_shape_vec((n, m), v).unwrap())
        })
    }

    proptest! {
        /// Data-driven weights do not depend on the order of units, nor on a positive affine
        /// change of a criterion's units (min-max based methods).
        #[test]
        fn weights_invariant_to_unit_order_and_rescaling(x in matrix(), shift in -10.0f64..10.0, scale in 0.1f64..10.0) {
            let m = x.ncols();
            let c = Criteria::numbered(m);
            let n = x.nrows();
            let mut perm = x.clone();
            for i in 0..n { perm.row_mut(i).assign(&x.row(n - 1 - i)); }
            let mut scaled = x.clone();
            scaled.column_mut(0).mapv_inplace(|v| v * scale + shift);
            let methods = [
                WeightMethod::Entropy(EntropyOptions::default()),
                WeightMethod::Critic(CriticOptions::default()),
                WeightMethod::StandardDeviation,
            ];
            for meth in &methods {
                let (Ok(a), Ok(b), Ok(s)) = (meth.compute(x.view(), &c), meth.compute(perm.view(), &c), meth.compute(scaled.view(), &c)) else { continue };
                for j in 0..m {
                    prop_assert!((a.weights[j] - b.weights[j]).abs() < 1e-9);
                    prop_assert!((a.weights[j] - s.weights[j]).abs() < 1e-7, "{:?} {} vs {}", meth, a.weights[j], s.weights[j]);
                    prop_assert!(a.weights[j].is_finite() && a.weights[j] >= 0.0);
                }
            }
        }

        /// Whole-matrix scores permute with the units.
        #[test]
        fn matrix_scores_permute_with_units(x in matrix()) {
            use zhili_core::aggregate::{scores, GreyRelational, MatrixMethod, Mpi, Topsis, Vikor};
            let n = x.nrows();
            let x = x.mapv(|v| (v + 50.0) / 100.0);
            let mut perm = x.clone();
            for i in 0..n { perm.row_mut(i).assign(&x.row(n - 1 - i)); }
            let w: Vec<f64> = (0..x.ncols()).map(|j| 1.0 + j as f64).collect();
            for meth in [
                MatrixMethod::Copeland,
                MatrixMethod::Topsis(Topsis { normalisation: Default::default() }),
                MatrixMethod::GreyRelational(GreyRelational { rho: 0.5 }),
                MatrixMethod::Vikor(Vikor { v: 0.5, output: Default::default() }),
                MatrixMethod::Mpi(Mpi { penalty: Default::default(), sd: Default::default() }),
                MatrixMethod::Minimum,
            ] {
                let (Ok(a), Ok(b)) = (scores(&meth, x.view(), &w), scores(&meth, perm.view(), &w)) else { continue };
                for i in 0..n {
                    prop_assert!((a[i] - b[n - 1 - i]).abs() < 1e-9, "{:?}", meth);
                    prop_assert!(a[i].is_finite());
                }
            }
        }
    }
}

/// A constant criterion under BoD's min-max is all zeros: it can carry no weight in any
/// unit's score, and the LPs still solve.
#[test]
fn bod_with_constant_criterion() {
    let (mut x, c) = dataset(true);
    x.column_mut(0).fill(99.3);
    let r = benefit_of_the_doubt(x.view(), &c, &BodOptions::default()).unwrap();
    assert!(r.scores.iter().all(|s| s.is_finite() && (0.0..=1.0).contains(s)));
    assert!(r.shares.column(0).iter().all(|s| *s == 0.0));
    assert_abs_diff_eq!(r.scores[2], 1.0, epsilon = 1e-9);
}

/// Every child of a group constant: the error names the group's node.
#[test]
fn group_weights_constant_group_is_an_error_naming_the_node() {
    let fw = Framework::from_toml_str(
        "version = 1\n[[nodes]]\nid = \"index\"\n[[nodes]]\nid = \"a\"\nparent = \"index\"\n[[nodes]]\nid = \"b\"\nparent = \"index\"\n",
    )
    .unwrap();
    let x = array![[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]];
    let e = group_weights(
        &fw,
        x.view(),
        &WeightMethod::StandardDeviation,
        &zhili_core::Aggregate::default(),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("`index`"), "{e}");
}
