//! Obstacle degree, worked out by hand.
#![allow(clippy::unwrap_used)]

use approx::assert_abs_diff_eq;
use ndarray::array;
use zhili_core::analysis::{obstacle_degree, obstacle_degree_framework};
use zhili_core::Framework;

/// One unit x = (0.5, 1.0, 0.0), weights (0.5, 0.3, 0.2):
/// F·I = (0.5·0.5, 0.3·0, 0.2·1) = (0.25, 0, 0.2), Σ = 0.45 → O = (5/9, 0, 4/9).
/// A unit at the maximum everywhere has no shortfall: O = 0.
#[test]
fn obstacle_by_hand() {
    let x = array![[0.5, 1.0, 0.0], [1.0, 1.0, 1.0]];
    let o = obstacle_degree(x.view(), &[0.5, 0.3, 0.2], 1.0).unwrap();
    assert_abs_diff_eq!(o[[0, 0]], 5.0 / 9.0, epsilon = 1e-15);
    assert_eq!(o[[0, 1]], 0.0);
    assert_abs_diff_eq!(o[[0, 2]], 4.0 / 9.0, epsilon = 1e-15);
    assert_eq!(o.row(1).to_vec(), vec![0.0; 3]);
    // The same on a 0–100 scale.
    let o100 = obstacle_degree((&x * 100.0).view(), &[0.5, 0.3, 0.2], 100.0).unwrap();
    assert_abs_diff_eq!(o100[[0, 0]], 5.0 / 9.0, epsilon = 1e-15);
    // Out of range / missing values are errors.
    assert!(obstacle_degree(array![[1.5, 0.0]].view(), &[0.5, 0.5], 1.0).is_err());
    assert!(obstacle_degree(array![[f64::NAN, 0.0]].view(), &[0.5, 0.5], 1.0).is_err());
    assert!(obstacle_degree(array![[0.5, 0.0]].view(), &[0.5], 1.0).is_err());
}

/// index → d1 (a, b), d2 (c), equal weights: effective weights a .25, b .25, c .5.
/// x = (a .5, b 1, c 0): F·I = (.125, 0, .5), Σ = .625 → O = (.2, 0, .8); d1 = .2, d2 = .8,
/// index = 1.
#[test]
fn obstacle_framework_by_hand() {
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
[[nodes]]
id = "c"
parent = "d2"
"#,
    )
    .unwrap();
    let x = array![[0.5, 1.0, 0.0]];
    let o = obstacle_degree_framework(&fw, x.view(), 1.0, None).unwrap();
    let col = |id: &str| o.degree[[0, o.nodes.iter().position(|n| n == id).unwrap()]];
    assert_abs_diff_eq!(col("a"), 0.2, epsilon = 1e-15);
    assert_eq!(col("b"), 0.0);
    assert_abs_diff_eq!(col("c"), 0.8, epsilon = 1e-15);
    assert_abs_diff_eq!(col("d1"), 0.2, epsilon = 1e-15);
    assert_abs_diff_eq!(col("d2"), 0.8, epsilon = 1e-15);
    assert_abs_diff_eq!(col("index"), 1.0, epsilon = 1e-15);
    let units = vec!["U1".to_string()];
    let e = obstacle_degree_framework(&fw, array![[0.5, 2.0, 0.0]].view(), 1.0, Some(&units)).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("U1") && msg.contains("`b`"), "{msg}");
}
