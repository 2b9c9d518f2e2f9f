//! Coupling coordination, worked out by hand.
#![allow(clippy::unwrap_used)]

use approx::assert_abs_diff_eq;
use ndarray::array;
use zhili_core::analysis::{coupling_coordination, coupling_d_bands, CouplingOptions, CouplingVariant};

/// Two subsystems U = (0.4, 0.9):
/// standard  C = 2·√(0.36)/1.3 = 1.2/1.3 = 0.923077…, T = 0.65, D = √(1.2/1.3 · 0.65) = √0.6
///           = 0.774597 → 中级协调 [0.7, 0.8)
/// modified  C = √((1 − 0.5)·(0.4/0.9)) = √(2/9) = 0.471405…, D = √(0.471405 · 0.65) = 0.553537
///           → 勉强协调 [0.5, 0.6)
/// Three subsystems U = (0.2, 0.4, 0.8):
/// standard  GM = (0.064)^(1/3) = 0.4, C = 3·0.4/1.4 = 0.857143, T = 1.4/3, D = √0.4 → 初级协调
/// modified  Σ|Ui − Uj| = 0.2 + 0.6 + 0.4 = 1.2, pairs = 1 + 2 = 3 → 1 − 0.4 = 0.6;
///           Π U/max = 0.25 · 0.5 · 1 = 0.125, ^(1/2) = 0.353553 → C = √(0.6 · 0.353553) = 0.460578
#[test]
fn coupling_by_hand() {
    let u2 = array![[0.4, 0.9]];
    let s = coupling_coordination(u2.view(), &CouplingOptions::default(), None).unwrap();
    assert_abs_diff_eq!(s.c[0], 1.2 / 1.3, epsilon = 1e-15);
    assert_abs_diff_eq!(s.t[0], 0.65, epsilon = 1e-15);
    assert_abs_diff_eq!(s.d[0], 0.6f64.sqrt(), epsilon = 1e-15);
    assert_eq!(s.band[0].as_deref(), Some("中级协调"));
    let m = coupling_coordination(
        u2.view(),
        &CouplingOptions {
            variant: CouplingVariant::Modified,
            alpha: None,
        },
        None,
    )
    .unwrap();
    assert_abs_diff_eq!(m.c[0], (2.0f64 / 9.0).sqrt(), epsilon = 1e-15);
    assert_abs_diff_eq!(m.d[0], ((2.0f64 / 9.0).sqrt() * 0.65).sqrt(), epsilon = 1e-15);
    assert_eq!(m.band[0].as_deref(), Some("勉强协调"));

    let u3 = array![[0.2, 0.4, 0.8], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0]];
    let s = coupling_coordination(u3.view(), &CouplingOptions::default(), None).unwrap();
    assert_abs_diff_eq!(s.c[0], 1.2 / 1.4, epsilon = 1e-15);
    assert_abs_diff_eq!(s.t[0], 1.4 / 3.0, epsilon = 1e-15);
    assert_abs_diff_eq!(s.d[0], 0.4f64.sqrt(), epsilon = 1e-15);
    assert_eq!(s.band[0].as_deref(), Some("初级协调"));
    // Balanced subsystems: C = 1; all zero: C = D = 0 (documented), lowest band.
    assert_abs_diff_eq!(s.c[1], 1.0, epsilon = 1e-15);
    assert_eq!((s.c[2], s.d[2]), (0.0, 0.0));
    assert_eq!(s.band[2].as_deref(), Some("极度失调"));
    let m = coupling_coordination(
        u3.view(),
        &CouplingOptions {
            variant: CouplingVariant::Modified,
            alpha: None,
        },
        None,
    )
    .unwrap();
    assert_abs_diff_eq!(m.c[0], (0.6 * 0.125f64.sqrt()).sqrt(), epsilon = 1e-15);
    assert_abs_diff_eq!(m.c[0], 0.460578, epsilon = 1e-6);
    assert_abs_diff_eq!(m.c[1], 1.0, epsilon = 1e-15);
    // The modified C spreads values: lower than the standard for unbalanced units.
    assert!(m.c[0] < s.c[0]);
}

#[test]
fn coupling_alpha_and_errors() {
    let u = array![[0.4, 0.9]];
    let s = coupling_coordination(
        u.view(),
        &CouplingOptions {
            variant: CouplingVariant::Standard,
            alpha: Some(vec![3.0, 1.0]),
        },
        None,
    )
    .unwrap();
    assert_abs_diff_eq!(s.t[0], 0.75 * 0.4 + 0.25 * 0.9, epsilon = 1e-15);
    let units = vec!["昆明".to_string()];
    let bad = array![[0.4, f64::NAN]];
    let e = coupling_coordination(bad.view(), &CouplingOptions::default(), Some(&units)).unwrap_err();
    assert!(e.to_string().contains("昆明"), "{e}");
    let above = array![[0.4, 1.5]];
    assert!(coupling_coordination(above.view(), &CouplingOptions::default(), None).is_ok());
    assert!(coupling_coordination(
        above.view(),
        &CouplingOptions {
            variant: CouplingVariant::Modified,
            alpha: None
        },
        None
    )
    .is_err());
    assert!(coupling_coordination(array![[0.4]].view(), &CouplingOptions::default(), None).is_err());
    assert!(coupling_coordination(array![[-0.1, 0.2]].view(), &CouplingOptions::default(), None).is_err());
}

#[test]
fn d_bands_are_ten_tenths() {
    let g = coupling_d_bands();
    let r = g.apply(array![0.0, 0.0999, 0.1, 0.55, 0.9, 1.0].view()).unwrap();
    let l: Vec<&str> = r.labels.iter().map(|l| l.as_deref().unwrap()).collect();
    assert_eq!(l, ["极度失调", "极度失调", "严重失调", "勉强协调", "优质协调", "优质协调"]);
}

/// Coupling between two nodes of a scored framework (0–100 scale): the same numbers as the
/// hand example above with U = (0.4, 0.9).
#[test]
fn coupling_between_framework_nodes() {
    use zhili_core::analysis::coupling_coordination_nodes;
    let fw = zhili_core::Framework::from_toml_str(
        "version = 1\n[[nodes]]\nid = \"index\"\n[[nodes]]\nid = \"a\"\nparent = \"index\"\n[[nodes]]\nid = \"b\"\nparent = \"index\"\n",
    )
    .unwrap();
    let x = array![[40.0, 90.0]];
    let weights = vec![1.0; fw.nodes().len()];
    let scores = zhili_core::Aggregate::default().apply(&fw, &weights, x.view(), &["U"]).unwrap();
    let r = coupling_coordination_nodes(&fw, scores.view(), &["a", "b"], 100.0, &CouplingOptions::default(), None).unwrap();
    assert_abs_diff_eq!(r.d[0], 0.6f64.sqrt(), epsilon = 1e-15);
    assert!(coupling_coordination_nodes(&fw, scores.view(), &["a", "zz"], 100.0, &CouplingOptions::default(), None).is_err());
}
