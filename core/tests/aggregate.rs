//! Aggregation and ranking: hand-computed values and properties.
#![allow(clippy::unwrap_used)]

use ndarray::{array, Array2};
use proptest::prelude::*;
use zhili_core::aggregate::{weighted_mean, Aggregate, Aggregator, Generalised, Geometric, Override};
use zhili_core::{rank, Error, Framework, Ties};

fn two_level() -> Framework {
    Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "d1"
parent = "index"
weight = 3
[[nodes]]
id = "d2"
parent = "index"
[[nodes]]
id = "a"
parent = "d1"
[[nodes]]
id = "b"
parent = "d1"
weight = 3
[[nodes]]
id = "c"
parent = "d2"
"#,
    )
    .unwrap()
}

fn weights(fw: &Framework) -> Vec<f64> {
    fw.nodes().iter().map(|n| n.weight).collect()
}

#[test]
fn arithmetic_by_hand_with_missing_renormalised() {
    let fw = two_level();
    // unit 0: a=10, b=20, c=40 → d1 = (10 + 3·20)/4 = 17.5; index = (3·17.5 + 40)/4 = 23.125
    // unit 1: a missing → d1 = b = 30; index = (3·30 + 0)/4 = 22.5
    let x = array![[10.0, 20.0, 40.0], [f64::NAN, 30.0, 0.0]];
    let s = Aggregate::default().apply(&fw, &weights(&fw), x.view(), &["u0", "u1"]).unwrap();
    let col = |id: &str| fw.index_of(id).unwrap();
    assert!((s[[0, col("d1")]] - 17.5).abs() < 1e-12);
    assert!((s[[0, col("index")]] - 23.125).abs() < 1e-12);
    assert!((s[[1, col("d1")]] - 30.0).abs() < 1e-12);
    assert!((s[[1, col("index")]] - 22.5).abs() < 1e-12);
    assert!(s[[1, col("a")]].is_nan());
}

#[test]
fn geometric_harmonic_generalised_by_hand() {
    let x = [4.0, 16.0];
    let w = [1.0, 1.0];
    let g = weighted_mean(&Aggregator::Geometric(Geometric { shift: 0.0 }), &x, &w)
        .unwrap()
        .unwrap();
    assert!((g - 8.0).abs() < 1e-12);
    let h = weighted_mean(&Aggregator::Harmonic, &x, &w).unwrap().unwrap();
    assert!((h - 6.4).abs() < 1e-12); // 2 / (1/4 + 1/16)
    let p2 = weighted_mean(&Aggregator::Generalised(Generalised { p: 2.0 }), &x, &w)
        .unwrap()
        .unwrap();
    assert!((p2 - (136.0f64).sqrt()).abs() < 1e-12); // sqrt((16 + 256)/2)
    let p0 = weighted_mean(&Aggregator::Generalised(Generalised { p: 0.0 }), &x, &w)
        .unwrap()
        .unwrap();
    assert!((p0 - 8.0).abs() < 1e-12);
    let shifted = weighted_mean(&Aggregator::Geometric(Geometric { shift: 1.0 }), &[0.0, 8.0], &w)
        .unwrap()
        .unwrap();
    assert!((shifted - 2.0).abs() < 1e-12); // sqrt(1·9) − 1
    assert_eq!(weighted_mean(&Aggregator::Arithmetic, &[f64::NAN], &[1.0]).unwrap(), None);
}

#[test]
fn zero_under_geometric_names_unit_and_node() {
    let fw = two_level();
    let x = array![[10.0, 20.0, 40.0], [0.0, 30.0, 5.0]];
    let step = Aggregate {
        method: Aggregator::Geometric(Geometric { shift: 0.0 }),
        ..Aggregate::default()
    };
    match step.apply(&fw, &weights(&fw), x.view(), &["u0", "u1"]) {
        Err(Error::Method { unit, node, .. }) => {
            assert_eq!(unit.as_deref(), Some("u1"));
            assert_eq!(node.as_deref(), Some("d1"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn overrides_per_level_and_node() {
    let fw = two_level();
    let step = Aggregate {
        method: Aggregator::Arithmetic,
        min_coverage: None,
        overrides: vec![
            Override {
                level: Some(3),
                node: None,
                method: Aggregator::Geometric(Geometric { shift: 0.0 }),
            },
            Override {
                level: None,
                node: Some("d1".into()),
                method: Aggregator::Harmonic,
            },
        ],
    };
    assert_eq!(step.method_for(&fw, fw.index_of("index").unwrap()).name(), "geometric");
    assert_eq!(step.method_for(&fw, fw.index_of("d1").unwrap()).name(), "harmonic");
    assert_eq!(step.method_for(&fw, fw.index_of("d2").unwrap()).name(), "arithmetic");
    let bad = Aggregate {
        overrides: vec![Override {
            level: None,
            node: Some("zz".into()),
            method: Aggregator::Harmonic,
        }],
        ..Aggregate::default()
    };
    assert!(matches!(bad.check(&fw), Err(Error::Unknown { .. })));
}

#[test]
fn min_coverage_leaves_sparse_nodes_missing() {
    let fw = two_level();
    let x = array![[f64::NAN, 20.0, 40.0]];
    let step = Aggregate {
        min_coverage: Some(0.75),
        ..Aggregate::default()
    };
    let s = step.apply(&fw, &weights(&fw), x.view(), &["u0"]).unwrap();
    assert!(s[[0, fw.index_of("d1").unwrap()]].is_nan());
    // the index then has 1 of 2 children present (50 % < 75 %): missing too
    assert!(s[[0, fw.index_of("index").unwrap()]].is_nan());
    let lenient = Aggregate {
        min_coverage: Some(0.5),
        ..Aggregate::default()
    };
    let s = lenient.apply(&fw, &weights(&fw), x.view(), &["u0"]).unwrap();
    assert!((s[[0, fw.index_of("index").unwrap()]] - (3.0 * 20.0 + 40.0) / 4.0).abs() < 1e-12);
}

#[test]
fn tie_rules() {
    let s = array![2.0, 5.0, 5.0, 1.0, 5.0];
    assert_eq!(rank(s.view(), Ties::Min).to_vec(), vec![4.0, 1.0, 1.0, 5.0, 1.0]);
    assert_eq!(rank(s.view(), Ties::Max).to_vec(), vec![4.0, 3.0, 3.0, 5.0, 3.0]);
    assert_eq!(rank(s.view(), Ties::Average).to_vec(), vec![4.0, 2.0, 2.0, 5.0, 2.0]);
    assert_eq!(rank(s.view(), Ties::Dense).to_vec(), vec![2.0, 1.0, 1.0, 3.0, 1.0]);
    assert_eq!(rank(s.view(), Ties::First).to_vec(), vec![4.0, 1.0, 2.0, 5.0, 3.0]);
}

fn matrix(n: usize) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(0.5f64..100.0, n * 3).prop_map(move |v| Array2::from_shape_vec((n, 3), v).unwrap())
}

proptest! {
    #[test]
    fn equal_weights_give_the_plain_mean(x in matrix(6)) {
        let fw = Framework::from_toml_str("version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"a\"\nparent = \"i\"\n[[nodes]]\nid = \"b\"\nparent = \"i\"\n[[nodes]]\nid = \"c\"\nparent = \"i\"\n").unwrap();
        let w = weights(&fw);
        let s = Aggregate::default().apply(&fw, &w, x.view(), &[]).unwrap();
        for r in 0..x.nrows() {
            let mean = x.row(r).sum() / 3.0;
            prop_assert!((s[[r, 0]] - mean).abs() < 1e-9);
        }
    }

    #[test]
    fn improving_a_child_never_lowers_the_index(x in matrix(5), r in 0usize..5, j in 0usize..3, delta in 0.0f64..50.0, geo in any::<bool>()) {
        let fw = two_level();
        let w = weights(&fw);
        let step = Aggregate { method: if geo { Aggregator::Geometric(Geometric { shift: 0.0 }) } else { Aggregator::Arithmetic }, ..Aggregate::default() };
        let before = step.apply(&fw, &w, x.view(), &[]).unwrap();
        let mut y = x.clone();
        y[[r, j]] += delta;
        let after = step.apply(&fw, &w, y.view(), &[]).unwrap();
        let root = fw.root();
        prop_assert!(after[[r, root]] >= before[[r, root]] - 1e-9);
    }

    #[test]
    fn permuting_units_permutes_scores_and_ranks(x in matrix(6), seed in 0u64..1000) {
        let fw = two_level();
        let w = weights(&fw);
        let mut perm: Vec<usize> = (0..6).collect();
        // a deterministic shuffle from the seed
        for i in (1..6).rev() { perm.swap(i, (seed as usize * 31 + i * 17) % (i + 1)); }
        let y = x.select(ndarray::Axis(0), &perm);
        let a = Aggregate::default().apply(&fw, &w, x.view(), &[]).unwrap();
        let b = Aggregate::default().apply(&fw, &w, y.view(), &[]).unwrap();
        let ra = rank(a.column(fw.root()), Ties::Min);
        let rb = rank(b.column(fw.root()), Ties::Min);
        for (k, &p) in perm.iter().enumerate() {
            prop_assert_eq!(a[[p, fw.root()]], b[[k, fw.root()]]);
            prop_assert_eq!(ra[p], rb[k]);
        }
    }
}
