//! Dataset construction: every bad input is a clear error naming what is wrong.

use ndarray::array;
use zhili_core::{Dataset, Error, Framework, Pipeline};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bad_inputs_are_named() {
    let e = Dataset::new(ids(&["a", "b"]), ids(&["x"]), array![[1.0, 2.0]]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = Dataset::new(ids(&["a", "a"]), ids(&["x"]), array![[1.0], [2.0]]).unwrap_err();
    assert!(e.to_string().contains("duplicate unit id `a`"), "{e}");
    let e = Dataset::new(ids(&["a", ""]), ids(&["x"]), array![[1.0], [2.0]]).unwrap_err();
    assert!(e.to_string().contains("empty unit id"), "{e}");
    let e = Dataset::new(ids(&["a"]), ids(&["x", "x"]), array![[1.0, 2.0]]).unwrap_err();
    assert!(e.to_string().contains("duplicate indicator id `x`"), "{e}");
    match Dataset::new(ids(&["a", "b"]), ids(&["x", "y"]), array![[1.0, 2.0], [3.0, f64::INFINITY]]) {
        Err(Error::Method { unit, node, .. }) => {
            assert_eq!(unit.as_deref(), Some("b"));
            assert_eq!(node.as_deref(), Some("y"));
        }
        other => panic!("{other:?}"),
    }
    let ds = Dataset::new(ids(&["a", "b"]), ids(&["x"]), array![[1.0], [2.0]]).unwrap();
    assert!(matches!(ds.clone().with_group("g", vec![None]), Err(Error::Shape { .. })));
    assert!(matches!(
        ds.clone().with_numeric("pop", vec![1.0, 2.0, 3.0]),
        Err(Error::Shape { .. })
    ));
    let e = Dataset::panel(ids(&["a", "a"]), vec![2022, 2022], ids(&["x"]), array![[1.0], [2.0]]).unwrap_err();
    assert!(e.to_string().contains("duplicate unit `a` for time 2022"), "{e}");
}

#[test]
fn layout_does_not_change_results() {
    let fw = Framework::from_toml_str("version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"x\"\nparent = \"i\"\n[[nodes]]\nid = \"y\"\nparent = \"i\"\ndirection = \"cost\"\n").unwrap();
    let row = array![[1.0, 5.0], [2.0, f64::NAN], [4.0, 1.0]];
    let mut col = ndarray::Array2::zeros((3, 2).f());
    col.assign(&row);
    let a = Dataset::new(ids(&["a", "b", "c"]), ids(&["x", "y"]), row).unwrap();
    let b = Dataset::new(ids(&["a", "b", "c"]), ids(&["x", "y"]), col).unwrap();
    let p = Pipeline::default();
    assert_eq!(p.run(&fw, &a).unwrap().results.scores(), p.run(&fw, &b).unwrap().results.scores());
}

#[test]
fn missing_framework_indicator_and_empty_data() {
    let fw = Framework::from_toml_str(
        "version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"x\"\nparent = \"i\"\n[[nodes]]\nid = \"z\"\nparent = \"i\"\n",
    )
    .unwrap();
    let ds = Dataset::new(ids(&["a"]), ids(&["x"]), array![[1.0]]).unwrap();
    for r in [
        Pipeline::default().run(&fw, &ds).map(|_| ()),
        Pipeline::default().score(&fw, &ds).map(|_| ()),
    ] {
        match r {
            Err(Error::MissingColumn { column, .. }) => assert_eq!(column, "z"),
            other => panic!("{other:?}"),
        }
    }
    let empty = Dataset::new(vec![], ids(&["x", "z"]), ndarray::Array2::zeros((0, 2))).unwrap();
    assert!(matches!(Pipeline::default().run(&fw, &empty), Err(Error::Empty(_))));
    assert!(matches!(Pipeline::default().score(&fw, &empty), Err(Error::Empty(_))));
}

use ndarray::ShapeBuilder;
