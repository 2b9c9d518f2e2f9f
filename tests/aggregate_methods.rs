//! Whole-matrix aggregation methods, worked out by hand, and their use in the pipeline's
//! aggregate step.
#![allow(clippy::unwrap_used)]

mod common;

use approx::assert_abs_diff_eq;
use ndarray::{array, Array2};
use zhili_core::aggregate::matrix::{AmpiGoalposts, Penalty, SdKind, TopsisNormalisation, VikorOutput};
use zhili_core::aggregate::{scores, scores_named, Ampi, GreyRelational, MatrixMethod, Mpi, Topsis, Vikor};
use zhili_core::{Aggregate, Aggregator, Error};

fn close(got: &ndarray::Array1<f64>, want: &[f64], eps: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= eps, "unit {i}: got {g}, want {w}");
    }
}

/// x = [[3, 4], [4, 3], [0, 0]], w = (0.75, 0.25).
/// Vector norms 5 and 5 → r = [[.6, .8], [.8, .6], [0, 0]] → v = [[.45, .2], [.6, .15], [0, 0]];
/// A⁺ = (.6, .2), A⁻ = (0, 0).
/// unit 1: D⁺ = .15, D⁻ = √(.2025 + .04) = √.2425 → C = √.2425 / (.15 + √.2425) = 0.766516…
/// unit 2: D⁺ = √(0 + .0025) = .05, D⁻ = √(.36 + .0225) = √.3825 → C = 0.925202…
/// unit 3: D⁻ = 0 → C = 0.
#[test]
fn topsis_vector_by_hand() {
    let x = array![[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]];
    let w = [0.75, 0.25];
    let c = scores(
        &MatrixMethod::Topsis(Topsis {
            normalisation: TopsisNormalisation::Vector,
        }),
        x.view(),
        &w,
    )
    .unwrap();
    let a = 0.2425f64.sqrt();
    let b = 0.3825f64.sqrt();
    close(&c, &[a / (0.15 + a), b / (0.05 + b), 0.0], 1e-15);
    assert_abs_diff_eq!(c[0], 0.766516, epsilon = 1e-6);
    assert_abs_diff_eq!(c[1], 0.925202, epsilon = 1e-6);
    // Weights given unnormalised act the same.
    let c2 = scores(
        &MatrixMethod::Topsis(Topsis {
            normalisation: TopsisNormalisation::Vector,
        }),
        x.view(),
        &[3.0, 1.0],
    )
    .unwrap();
    close(&c2, c.as_slice().unwrap(), 1e-15);
}

/// Same x, min-max: r = [[.75, 1], [1, .75], [0, 0]], w = (.75, .25)
/// → v = [[.5625, .25], [.75, .1875], [0, 0]], A⁺ = (.75, .25), A⁻ = 0.
/// unit 1: D⁺ = .1875, D⁻ = √(.31640625 + .0625) = √.37890625 = .615548…
/// unit 2: D⁺ = .0625, D⁻ = √(.5625 + .03515625) = √.59765625
#[test]
fn topsis_minmax_by_hand() {
    let x = array![[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]];
    let c = scores(
        &MatrixMethod::Topsis(Topsis {
            normalisation: TopsisNormalisation::Minmax,
        }),
        x.view(),
        &[0.75, 0.25],
    )
    .unwrap();
    let a = 0.37890625f64.sqrt();
    let b = 0.59765625f64.sqrt();
    close(&c, &[a / (0.1875 + a), b / (0.0625 + b), 0.0], 1e-15);
}

#[test]
fn topsis_all_constant_is_an_error() {
    let x = Array2::from_elem((3, 2), 5.0);
    let e = scores(
        &MatrixMethod::Topsis(Topsis {
            normalisation: TopsisNormalisation::Minmax,
        }),
        x.view(),
        &[1.0, 1.0],
    )
    .unwrap_err();
    assert!(e.to_string().contains("constant"), "{e}");
}

/// x = [[1, .5], [.5, 1], [0, 0]]: ideal (1, 1); Δ = [[0, .5], [.5, 0], [1, 1]], Δmin = 0,
/// Δmax = 1, ρ = .5 → ξ = .5 / (Δ + .5): Δ 0 → 1, .5 → .5, 1 → ⅓.
/// w = (.75, .25): γ = (.75 + .125, .375 + .25, ⅓) = (.875, .625, ⅓).
#[test]
fn grey_relational_by_hand() {
    let x = array![[1.0, 0.5], [0.5, 1.0], [0.0, 0.0]];
    let g = scores(&MatrixMethod::GreyRelational(GreyRelational { rho: 0.5 }), x.view(), &[0.75, 0.25]).unwrap();
    close(&g, &[0.875, 0.625, 1.0 / 3.0], 1e-15);
    // ρ = 1: ξ = 1/(Δ + 1): 1, ⅔, ½ → γ = (.75 + .25·⅔, .75·⅔ + .25, .5)
    let g = scores(&MatrixMethod::GreyRelational(GreyRelational { rho: 1.0 }), x.view(), &[0.75, 0.25]).unwrap();
    close(&g, &[0.75 + 0.25 * 2.0 / 3.0, 0.5 + 0.25, 0.5], 1e-15);
    assert!(scores(&MatrixMethod::GreyRelational(GreyRelational { rho: 0.0 }), x.view(), &[1.0, 1.0]).is_err());
    // All units identical: every ξ = 1.
    let same = Array2::from_elem((2, 2), 0.3);
    close(
        &scores(&MatrixMethod::GreyRelational(GreyRelational { rho: 0.5 }), same.view(), &[1.0, 1.0]).unwrap(),
        &[1.0, 1.0],
        0.0,
    );
}

/// Same x, w = (.75, .25); f* = (1, 1), f⁻ = (0, 0).
/// terms w_j (f* − x)/(f* − f⁻): u1 (0, .125), u2 (.375, 0), u3 (.75, .25)
/// S = (.125, .375, 1), R = (.125, .375, .75); S* = .125, S⁻ = 1, R* = .125, R⁻ = .75
/// Q = .5 (S − .125)/.875 + .5 (R − .125)/.625 = (0, .25/1.75 + .25/1.25, 1) = (0, 0.342857…, 1)
#[test]
fn vikor_by_hand() {
    let x = array![[1.0, 0.5], [0.5, 1.0], [0.0, 0.0]];
    let q2 = 0.25 / 1.75 + 0.25 / 1.25;
    let q = scores(
        &MatrixMethod::Vikor(Vikor {
            v: 0.5,
            output: VikorOutput::Q,
        }),
        x.view(),
        &[0.75, 0.25],
    )
    .unwrap();
    close(&q, &[0.0, q2, 1.0], 1e-15);
    let s = scores(
        &MatrixMethod::Vikor(Vikor {
            v: 0.5,
            output: VikorOutput::OneMinusQ,
        }),
        x.view(),
        &[0.75, 0.25],
    )
    .unwrap();
    close(&s, &[1.0, 1.0 - q2, 0.0], 1e-15);
    // v = 1: Q = (S − S*)/(S⁻ − S*) = (0, .25/.875, 1)
    let q = scores(
        &MatrixMethod::Vikor(Vikor {
            v: 1.0,
            output: VikorOutput::Q,
        }),
        x.view(),
        &[0.75, 0.25],
    )
    .unwrap();
    close(&q, &[0.0, 0.25 / 0.875, 1.0], 1e-15);
}

/// Same x. w = (.75, .25): u1 beats u2 on the first child (e = .75 > ½), and both beat u3 on
/// both → Copeland (2, 0, −2). Equal weights: u1 vs u2 is a tie (e = ½) → (1, 1, −2).
#[test]
fn copeland_by_hand() {
    let x = array![[1.0, 0.5], [0.5, 1.0], [0.0, 0.0]];
    close(
        &scores(&MatrixMethod::Copeland, x.view(), &[0.75, 0.25]).unwrap(),
        &[2.0, 0.0, -2.0],
        0.0,
    );
    close(
        &scores(&MatrixMethod::Copeland, x.view(), &[1.0, 1.0]).unwrap(),
        &[1.0, 1.0, -2.0],
        0.0,
    );
    // Equal values count half to each side: u1 = (1, 1), u2 = (1, 0) → e₁₂ = ½·½ + ½ = .75.
    let y = array![[1.0, 1.0], [1.0, 0.0]];
    close(&scores(&MatrixMethod::Copeland, y.view(), &[1.0, 1.0]).unwrap(), &[1.0, -1.0], 0.0);
}

/// MPI: children c1 = (1, 2, 3), c2 = (3, 2, 1). Mean 2, population sd √(2/3):
/// z = 100 ± 10·1/√(2/3) = 100 ± 12.2474… For unit 1, z = (87.75, 112.25): M = 100,
/// S = 12.2474 (S² = 150), cv = S/M, penalty S·cv = S²/M = 1.5 → MPI⁻ = 98.5, MPI⁺ = 101.5.
/// Unit 2: z = (100, 100) → 100. Sample sd (= 1): z = (90, 110) → S²/M = 1 → 99 / 101.
#[test]
fn mpi_by_hand() {
    let x = array![[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]];
    let w = [1.0, 1.0];
    let m = |p, sd| scores(&MatrixMethod::Mpi(Mpi { penalty: p, sd }), x.view(), &w).unwrap();
    close(&m(Penalty::Negative, SdKind::Population), &[98.5, 100.0, 98.5], 1e-12);
    close(&m(Penalty::Positive, SdKind::Population), &[101.5, 100.0, 101.5], 1e-12);
    close(&m(Penalty::Negative, SdKind::Sample), &[99.0, 100.0, 99.0], 1e-12);
    close(&m(Penalty::Positive, SdKind::Sample), &[101.0, 100.0, 101.0], 1e-12);
    // Weighted (.75, .25), population: z = (100 − a, 100 + a) with a = 10/√(2/3), a² = 150:
    // M = 100 − a/2, variance .75·.25·(2a)² = .75 a² = 112.5, MPI⁻ = M − 112.5/M.
    let a = 150f64.sqrt();
    let mm = 100.0 - a / 2.0;
    let got = scores(
        &MatrixMethod::Mpi(Mpi {
            penalty: Penalty::Negative,
            sd: SdKind::Population,
        }),
        x.view(),
        &[0.75, 0.25],
    )
    .unwrap();
    assert_abs_diff_eq!(got[0], mm - 112.5 / mm, epsilon = 1e-12);
    // A constant child cannot be standardised: error naming it.
    let k = array![[1.0, 5.0], [2.0, 5.0]];
    let e = scores_named(
        &MatrixMethod::Mpi(Mpi {
            penalty: Penalty::Negative,
            sd: SdKind::Population,
        }),
        k.view(),
        &w,
        &["A".into(), "B".into()],
        &["p".into(), "q".into()],
    )
    .unwrap_err();
    match e {
        Error::Method { node, .. } => assert_eq!(node.as_deref(), Some("q")),
        other => panic!("{other}"),
    }
}

/// AMPI, data-range goalposts: c1 = (1, 2, 3) → r = 70 + 60 (x − 1)/2 = (70, 100, 130);
/// c2 = (3, 2, 1) → (130, 100, 70). Unit 1: M = 100, S = 30, S²/M = 9 → AMPI⁻ 91, AMPI⁺ 109.
/// Reference goalposts at (1, 1): Δ = 1, Min = 0, Max = 2 → r = 70 + 30x:
/// unit 1 r = (100, 160): M = 130, S = 30 → 130 − 900/130.
#[test]
fn ampi_by_hand() {
    let x = array![[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]];
    let w = [1.0, 1.0];
    let a = |p, g: AmpiGoalposts| scores(&MatrixMethod::Ampi(Ampi { penalty: p, goalposts: g }), x.view(), &w).unwrap();
    close(&a(Penalty::Negative, AmpiGoalposts::DataRange), &[91.0, 100.0, 91.0], 1e-12);
    // The penalty direction is honoured (Compind's ci_ampi ignores it).
    close(&a(Penalty::Positive, AmpiGoalposts::DataRange), &[109.0, 100.0, 109.0], 1e-12);
    let r = a(Penalty::Negative, AmpiGoalposts::Reference { values: vec![1.0, 1.0] });
    assert_abs_diff_eq!(r[0], 130.0 - 900.0 / 130.0, epsilon = 1e-12);
    assert_abs_diff_eq!(r[1], 130.0, epsilon = 1e-12);
    let f = a(
        Penalty::Negative,
        AmpiGoalposts::Fixed {
            values: vec![[0.0, 2.0], [0.0, 2.0]],
        },
    );
    close(&f, r.as_slice().unwrap(), 1e-12);
}

/// Minimum: skips missing children and zero-weighted ones.
#[test]
fn minimum_by_hand() {
    let x = array![[1.0, f64::NAN, 0.1], [0.5, 0.2, 0.0], [f64::NAN, f64::NAN, 0.3]];
    let m = scores(&MatrixMethod::Minimum, x.view(), &[1.0, 1.0, 0.0]).unwrap();
    assert_eq!(m[0], 1.0);
    assert_eq!(m[1], 0.2);
    assert!(m[2].is_nan());
}

#[test]
fn missing_value_is_an_error_for_whole_matrix_methods() {
    let x = array![[1.0, f64::NAN], [0.5, 0.2]];
    let e = scores_named(
        &MatrixMethod::Copeland,
        x.view(),
        &[1.0, 1.0],
        &["A".into(), "B".into()],
        &["p".into(), "q".into()],
    )
    .unwrap_err();
    match e {
        Error::Method { unit, node, .. } => {
            assert_eq!(unit.as_deref(), Some("A"));
            assert_eq!(node.as_deref(), Some("q"));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn bad_weights_are_errors() {
    let x = array![[1.0, 2.0], [0.5, 0.2]];
    assert!(scores(&MatrixMethod::Copeland, x.view(), &[1.0]).is_err());
    assert!(scores(&MatrixMethod::Copeland, x.view(), &[-1.0, 1.0]).is_err());
    assert!(scores(&MatrixMethod::Copeland, x.view(), &[0.0, 0.0]).is_err());
}

/// The aggregate step accepts the new methods per node; serde shape `method = "topsis"`.
#[test]
fn aggregate_step_with_matrix_methods() {
    let fw = zhili_core::Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "a"
parent = "index"
[[nodes]]
id = "b"
parent = "index"
"#,
    )
    .unwrap();
    let x = array![[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]];
    let weights: Vec<f64> = fw
        .nodes()
        .iter()
        .map(|n| {
            if n.id == "a" {
                0.75
            } else if n.id == "b" {
                0.25
            } else {
                1.0
            }
        })
        .collect();
    let step: Aggregate = toml::from_str("method = \"topsis\"\n").unwrap();
    assert_eq!(
        step.method,
        Aggregator::Topsis(Topsis {
            normalisation: TopsisNormalisation::Vector
        })
    );
    let s = step.apply(&fw, &weights, x.view(), &["u1", "u2", "u3"]).unwrap();
    let root = fw.root();
    let a = 0.2425f64.sqrt();
    assert_abs_diff_eq!(s[[0, root]], a / (0.15 + a), epsilon = 1e-15);
    // Serde round trip of every new variant.
    for m in [
        Aggregator::Copeland,
        Aggregator::Mpi(Mpi {
            penalty: Penalty::Positive,
            sd: SdKind::Sample,
        }),
        Aggregator::Ampi(Ampi {
            penalty: Penalty::Negative,
            goalposts: AmpiGoalposts::Reference { values: vec![1.0, 2.0] },
        }),
        Aggregator::GreyRelational(GreyRelational { rho: 0.3 }),
        Aggregator::Vikor(Vikor {
            v: 0.4,
            output: VikorOutput::Q,
        }),
        Aggregator::Minimum,
    ] {
        let step = Aggregate {
            method: m.clone(),
            ..Aggregate::default()
        };
        let j = serde_json::to_string(&step).unwrap();
        let back: Aggregate = serde_json::from_str(&j).unwrap();
        assert_eq!(back.method, m, "{j}");
    }
    let g: Aggregate = toml::from_str("method = \"grey_relational\"\n").unwrap();
    assert_eq!(g.method, Aggregator::GreyRelational(GreyRelational { rho: 0.5 }));
    // Minimum through the step, with a missing child.
    let step: Aggregate = toml::from_str("method = \"minimum\"\n").unwrap();
    let y = array![[0.3, f64::NAN], [0.4, 0.2], [0.9, 0.8]];
    let s = step.apply(&fw, &weights, y.view(), &["u1", "u2", "u3"]).unwrap();
    assert_eq!(s.column(root).to_vec(), vec![0.3, 0.2, 0.8]);
    // Missing values under TOPSIS: an error naming unit, node and child.
    let step: Aggregate = toml::from_str("method = \"topsis\"\n").unwrap();
    let e = step.apply(&fw, &weights, y.view(), &["u1", "u2", "u3"]).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("u1") && msg.contains("index") && msg.contains("`b`"), "{msg}");
    // Out-of-range options are refused by the check.
    let bad: Aggregate = toml::from_str("method = \"vikor\"\nv = 2.0\n").unwrap();
    assert!(bad.check(&fw).is_err());
}

/// On the ASEM normalised data, MPI with equal weights of one pillar equals the formula
/// computed directly, and the arithmetic path is unchanged (checked by the existing goldens).
#[test]
fn matrix_methods_run_on_asem() {
    let fw = common::asem_framework();
    let ids = fw.indicator_ids();
    let (_, x) = common::matrix_columns("coinr-asem/nominal_06_Normalised.csv", &ids);
    let weights: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
    let units: Vec<String> = (0..x.nrows()).map(|i| format!("u{i}")).collect();
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    for m in ["topsis", "grey_relational", "vikor", "mpi", "ampi", "copeland", "minimum"] {
        let step: Aggregate = toml::from_str(&format!("method = \"{m}\"\n")).unwrap();
        let s = step.apply(&fw, &weights, x.view(), &refs).unwrap();
        assert!(s.iter().all(|v| v.is_finite()), "{m}");
    }
}

/// Every method, weighted means included, scores a units × children matrix through the one
/// entry point, and the means agree with `weighted_mean` row by row.
#[test]
fn one_entry_point_for_every_method() {
    let x = array![[3.0, 4.0], [4.0, 3.0], [1.0, 2.0]];
    let w = [0.75, 0.25];
    for a in Aggregator::examples() {
        let m = a.name();
        let s = scores(&a, x.view(), &w).unwrap();
        assert!(s.iter().all(|v| v.is_finite()), "{m}");
        if a.per_unit() {
            for (r, row) in x.rows().into_iter().enumerate() {
                let want = zhili_core::aggregate::weighted_mean(&a, row.as_slice().unwrap(), &w)
                    .unwrap()
                    .unwrap();
                assert_eq!(s[r], want, "{m} row {r}");
            }
        }
    }
    // hand values: arithmetic (0.75·3 + 0.25·4), harmonic 1 / (0.75/3 + 0.25/4)
    let s = scores(&Aggregator::Arithmetic, x.view(), &w).unwrap();
    assert_abs_diff_eq!(s[0], 3.25, epsilon = 1e-15);
    let s = scores(&Aggregator::Harmonic, x.view(), &w).unwrap();
    assert_abs_diff_eq!(s[0], 1.0 / (0.75 / 3.0 + 0.25 / 4.0), epsilon = 1e-15);
}
