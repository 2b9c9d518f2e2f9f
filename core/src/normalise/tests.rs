//! Unit tests and properties of the normalisers.
#![allow(clippy::unwrap_used)]

use ndarray::{array, Array2, ShapeBuilder};
use proptest::prelude::*;

use super::*;
use crate::framework::Framework;
use crate::log::Level;

/// A flat framework: root `I` with indicators `(id, direction, extra TOML lines)`.
fn framework(inds: &[(&str, &str, &str)]) -> Framework {
    let mut s = String::from("version = 1\n[[nodes]]\nid = \"I\"\n");
    for (id, dir, extra) in inds {
        s.push_str(&format!(
            "[[nodes]]\nid = \"{id}\"\nparent = \"I\"\ndirection = \"{dir}\"\n{extra}\n"
        ));
    }
    Framework::from_toml_str(&s).unwrap()
}

fn nodes(fw: &Framework) -> Vec<&Node> {
    fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect()
}

fn one_benefit() -> Framework {
    framework(&[("a", "benefit", "")])
}

fn col(v: &[f64]) -> Array2<f64> {
    let mut a = Array2::zeros((v.len(), 1).f());
    for (i, &x) in v.iter().enumerate() {
        a[[i, 0]] = x;
    }
    a
}

fn run(n: &Normaliser, fw: &Framework, x: &Array2<f64>) -> (Array2<f64>, FittedNormaliser, Vec<LogEntry>) {
    n.fit_transform(x.view(), &nodes(fw)).unwrap()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-12 * (1.0 + y.abs()))
}

fn all_methods() -> Vec<Normaliser> {
    vec![
        Normaliser::minmax(0.0, 100.0),
        Normaliser::zscore(10.0, 2.0),
        Normaliser::rank(),
        Normaliser::percentile(),
        Normaliser::borda(),
        Normaliser::goalposts(100.0),
        Normaliser::dist_to_target(true),
        Normaliser::dist_to_max(),
        Normaliser::frac_max(),
        Normaliser::scaled(0.0, 10.0, 100.0),
    ]
}

#[test]
fn missing_values_stay_missing_and_do_not_count() {
    let fw = one_benefit();
    let x = col(&[1.0, f64::NAN, 3.0, 2.0]);
    let (y, _, log) = run(&Normaliser::minmax(0.0, 100.0), &fw, &x);
    assert!(same(y.as_slice_memory_order().unwrap(), &[0.0, f64::NAN, 100.0, 50.0]));
    assert!(log.is_empty());
    let (y, _, _) = run(&Normaliser::rank(), &fw, &x);
    assert!(same(y.as_slice_memory_order().unwrap(), &[1.0, f64::NAN, 3.0, 2.0]));
    let (y, _, _) = run(&Normaliser::zscore(0.0, 1.0), &fw, &x);
    assert!(same(y.as_slice_memory_order().unwrap(), &[-1.0, f64::NAN, 1.0, 0.0]));
    // Population sd (n): sd of {1, 3, 2} is sqrt(2/3).
    let pop = Normaliser::Zscore(ZScore {
        population: true,
        ..ZScore::default()
    });
    let (y, _, _) = run(&pop, &fw, &x);
    let k = (1.5f64).sqrt();
    assert!(same(y.as_slice_memory_order().unwrap(), &[-k, f64::NAN, k, 0.0]));
}

#[test]
fn constant_column_gets_documented_value_and_warning() {
    let fw = one_benefit();
    let x = col(&[4.0, 4.0, f64::NAN, 4.0]);
    for (n, want) in [
        (Normaliser::minmax(0.0, 100.0), 50.0),
        (Normaliser::minmax(1.0, 100.0), 50.5),
        (
            Normaliser::Minmax(MinMax {
                lo: 0.0,
                hi: 100.0,
                constant: Some(100.0),
            }),
            100.0,
        ),
        (Normaliser::zscore(10.0, 2.0), 10.0),
        (
            Normaliser::Zscore(ZScore {
                mean: 0.0,
                sd: 1.0,
                constant: Some(-1.0),
                population: false,
            }),
            -1.0,
        ),
        (Normaliser::dist_to_max(), 0.5),
    ] {
        let (y, _, log) = run(&n, &fw, &x);
        assert!(
            same(y.as_slice_memory_order().unwrap(), &[want, want, f64::NAN, want]),
            "{n:?}: {y}"
        );
        assert_eq!(log.len(), 1, "{n:?}");
        assert_eq!(log[0].level, Level::Warning);
        assert_eq!(log[0].action, "constant_indicator");
        assert_eq!(log[0].indicator.as_deref(), Some("a"));
        assert_eq!(log[0].value, Some(want));
    }
    // Ranks of a constant column are all tied.
    let (y, _, _) = run(&Normaliser::percentile(), &fw, &x);
    assert!(same(y.as_slice_memory_order().unwrap(), &[0.0, 0.0, f64::NAN, 0.0]));
}

#[test]
fn all_missing_column_is_missing_with_a_warning() {
    let fw = framework(&[
        ("a", "benefit", "goalposts = [0.0, 10.0]\ntarget = 5.0"),
        ("b", "cost", "goalposts = [0.0, 10.0]\ntarget = 5.0"),
    ]);
    let mut x = Array2::from_elem((3, 2).f(), f64::NAN);
    x.column_mut(1).assign(&array![1.0, 2.0, 3.0]);
    for n in all_methods() {
        let (y, fitted, log) = n.fit_transform(x.view(), &nodes(&fw)).unwrap();
        assert!(y.column(0).iter().all(|v| v.is_nan()), "{n:?}");
        assert!(y.column(1).iter().all(|v| !v.is_nan()), "{n:?}");
        // Goalposts and scaled need nothing from the data: NaN in, NaN out, nothing to say.
        if !matches!(n, Normaliser::Goalposts(_) | Normaliser::Scaled(_)) {
            assert!(
                log.iter()
                    .any(|e| e.action == "no_data" && e.indicator.as_deref() == Some("a") && e.level == Level::Warning),
                "{n:?}: {log:?}"
            );
        }
        // The fitted form (with `missing` parameters) round-trips through JSON.
        let json = serde_json::to_string(&fitted).unwrap();
        assert_eq!(serde_json::from_str::<FittedNormaliser>(&json).unwrap(), fitted, "{json}");
    }
}

#[test]
fn one_unit() {
    let fw = framework(&[("a", "benefit", "goalposts = [0.0, 10.0]\ntarget = 5.0")]);
    let x = col(&[3.0]);
    let expect = [
        (Normaliser::minmax(0.0, 100.0), 50.0),
        (Normaliser::zscore(0.0, 1.0), 0.0),
        (Normaliser::rank(), 1.0),
        (Normaliser::percentile(), 0.5),
        (Normaliser::borda(), 0.0),
        (Normaliser::goalposts(100.0), 30.0),
        (Normaliser::dist_to_max(), 0.5),
        (Normaliser::frac_max(), 1.0),
    ];
    for (n, want) in expect {
        let (y, _, log) = run(&n, &fw, &x);
        assert!(same(y.as_slice_memory_order().unwrap(), &[want]), "{n:?}: {y}");
        let warned = log.iter().any(|e| e.level == Level::Warning);
        let should_warn = matches!(
            n,
            Normaliser::Minmax(_) | Normaliser::Zscore(_) | Normaliser::Percentile(_) | Normaliser::DistToMax(_)
        );
        assert_eq!(warned, should_warn, "{n:?}: {log:?}");
    }
    // Distance to target of the only unit: x = min, so 0.
    let (y, _, _) = run(&Normaliser::dist_to_target(false), &fw, &x);
    assert_eq!(y[[0, 0]], 0.0);
    // No units at all: empty output, no error.
    let x = Array2::<f64>::zeros((0, 1).f());
    for n in all_methods() {
        let (y, fitted, _) = run(&n, &fw, &x);
        assert_eq!(y.dim(), (0, 1));
        assert_eq!(fitted.columns.len(), 1);
    }
}

#[test]
fn goalposts_formula_direction_and_truncation() {
    let fw = framework(&[
        ("a", "benefit", "goalposts = [10.0, 20.0]"),
        ("b", "cost", "goalposts = [10.0, 20.0]"),
    ]);
    let x = array![[5.0, 5.0], [12.5, 12.5], [20.0, 20.0], [f64::NAN, 30.0]];
    let (y, _, log) = Normaliser::goalposts(100.0).fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[0.0, 25.0, 100.0, f64::NAN]));
    assert!(same(&y.column(1).to_vec(), &[100.0, 75.0, 0.0, 0.0]));
    let trunc: Vec<_> = log.iter().filter(|e| e.action == "truncated").collect();
    assert_eq!(trunc.len(), 2);
    assert_eq!(trunc[1].value, Some(2.0));
    // Without truncation, scale 1 (COINr: n_goalposts(1, c(0, 10, 1), -1) = 0.9).
    let n = Normaliser::Goalposts(Goalposts { scale: 1.0, trunc: false });
    let (y, _, log) = n.fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[-0.5, 0.25, 1.0, f64::NAN]));
    assert!(same(&y.column(1).to_vec(), &[1.5, 0.75, 0.0, -1.0]));
    assert!(log.is_empty());
}

#[test]
fn goalposts_missing_is_an_error_naming_the_indicator() {
    let fw = framework(&[("a", "benefit", "goalposts = [0.0, 1.0]"), ("crime", "cost", "")]);
    let x = array![[0.5, 1.0], [0.7, 2.0]];
    let err = Normaliser::goalposts(100.0).fit(x.view(), &nodes(&fw)).unwrap_err();
    assert!(matches!(&err, Error::Method { node: Some(n), .. } if n == "crime"), "{err}");
    assert!(err.to_string().contains("crime"), "{err}");
}

#[test]
fn dist_to_target_formula_cap_and_errors() {
    let fw = framework(&[("a", "benefit", "target = 8.0"), ("b", "cost", "target = 2.0")]);
    let x = array![[0.0, 10.0], [4.0, 6.0], [10.0, 1.0]];
    let (y, _, log) = Normaliser::dist_to_target(false).fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[0.0, 0.5, 1.25]));
    assert!(same(&y.column(1).to_vec(), &[0.0, 0.5, 9.0 / 8.0]));
    assert!(log.is_empty());
    let (y, _, log) = Normaliser::dist_to_target(true).fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[0.0, 0.5, 1.0]));
    assert!(same(&y.column(1).to_vec(), &[0.0, 0.5, 1.0]));
    assert_eq!(log.iter().filter(|e| e.action == "capped").count(), 2);

    let fw = framework(&[("a", "benefit", "target = 8.0"), ("noise", "cost", "")]);
    let err = Normaliser::dist_to_target(false).fit(x.view(), &nodes(&fw)).unwrap_err();
    assert!(matches!(&err, Error::Method { node: Some(n), .. } if n == "noise"), "{err}");
    // Target at the worst observed value: division by zero, refused.
    let fw = framework(&[("a", "benefit", "target = 0.0"), ("b", "cost", "target = 2.0")]);
    let err = Normaliser::dist_to_target(false).fit(x.view(), &nodes(&fw)).unwrap_err();
    assert!(matches!(&err, Error::Method { node: Some(n), .. } if n == "a"), "{err}");
}

#[test]
fn frac_max_and_scaled() {
    let fw = framework(&[("a", "benefit", ""), ("b", "cost", "")]);
    let x = array![[1.0, 0.0], [4.0, 2.0], [2.0, 4.0]];
    let (y, _, log) = Normaliser::frac_max().fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[0.25, 1.0, 0.5]));
    // Cost with a zero: max(−x) = −0, so −2/−0 = +Inf and −0/−0 = NaN, as COINr; warned.
    assert!(y[[0, 1]].is_nan() && y[[1, 1]] == f64::INFINITY && y[[2, 1]] == f64::INFINITY);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].indicator.as_deref(), Some("b"));
    assert!(log[0].detail.contains("3 value(s)"), "{}", log[0].detail);
    let (y, _, _) = Normaliser::scaled(0.0, 10.0, 100.0).fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert!(same(&y.column(0).to_vec(), &[10.0, 40.0, 20.0]));
    assert!(same(&y.column(1).to_vec(), &[0.0, -20.0, -40.0]));
}

#[test]
fn infinite_values_are_errors_naming_the_indicator() {
    let fw = framework(&[("a", "benefit", "target = 100.0"), ("inf", "cost", "target = 100.0")]);
    let x = array![[1.0, 2.0], [3.0, f64::INFINITY]];
    for n in [
        Normaliser::minmax(0.0, 1.0),
        Normaliser::zscore(0.0, 1.0),
        Normaliser::dist_to_max(),
        Normaliser::frac_max(),
        Normaliser::dist_to_target(false),
    ] {
        let err = n.fit(x.view(), &nodes(&fw)).unwrap_err();
        assert!(matches!(&err, Error::Method { node: Some(id), .. } if id == "inf"), "{n:?}: {err}");
    }
    // Ranks place an infinite value fine.
    let (y, _, _) = Normaliser::rank().fit_transform(x.view(), &nodes(&fw)).unwrap();
    assert_eq!(y.column(1).to_vec(), [2.0, 1.0]);
}

#[test]
fn bad_options_and_shapes_are_errors() {
    let fw = one_benefit();
    let x = col(&[1.0, 2.0]);
    for n in [
        Normaliser::minmax(1.0, 1.0),
        Normaliser::minmax(0.0, f64::NAN),
        Normaliser::zscore(0.0, 0.0),
        Normaliser::goalposts(-1.0),
        Normaliser::scaled(1.0, 1.0, 100.0),
    ] {
        assert!(matches!(n.fit(x.view(), &nodes(&fw)), Err(Error::Spec { .. })), "{n:?}");
    }
    let x2 = array![[1.0, 2.0]];
    assert!(matches!(Normaliser::rank().fit(x2.view(), &nodes(&fw)), Err(Error::Shape { .. })));
    let fitted = Normaliser::rank().fit(x.view(), &nodes(&fw)).unwrap();
    assert!(matches!(fitted.transform(x2.view()), Err(Error::Shape { .. })));
    // A hand-edited fitted document with parameters of another method.
    let mut bad = Normaliser::minmax(0.0, 1.0).fit(x.view(), &nodes(&fw)).unwrap();
    bad.columns[0].params = Params::Stateless;
    assert!(matches!(bad.transform(x.view()), Err(Error::Spec { .. })));
}

#[test]
fn reference_year_parameters_apply_to_a_later_year() {
    let fw = framework(&[("a", "benefit", ""), ("b", "cost", "")]);
    let year_a = array![[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]];
    let year_b = array![[15.0, 5.0], [5.0, 20.0], [f64::NAN, 40.0]];
    let fitted = Normaliser::minmax(0.0, 100.0).fit(year_a.view(), &nodes(&fw)).unwrap();
    let (y, log) = fitted.transform(year_b.view()).unwrap();
    assert!(same(&y.column(0).to_vec(), &[150.0, 50.0, f64::NAN]));
    assert!(same(&y.column(1).to_vec(), &[125.0, 50.0, -50.0]));
    assert!(log.is_empty());
    assert_eq!(fitted.columns[1].params, Params::Range { min: -30.0, max: -10.0 });
    assert_eq!(fitted.indicator_ids().collect::<Vec<_>>(), ["a", "b"]);
    assert!(fitted.check_indicators(&["a", "b"]).is_ok());
    assert!(matches!(fitted.check_indicators(&["a"]), Err(Error::Shape { .. })));
    assert!(matches!(fitted.check_indicators(&["a", "c"]), Err(Error::Unknown { id, .. }) if id == "c"));
    let fitted = Normaliser::zscore(0.0, 1.0).fit(year_a.view(), &nodes(&fw)).unwrap();
    let (y, _) = fitted.transform(year_b.view()).unwrap();
    assert!(same(&y.column(0).to_vec(), &[2.0, 0.0, f64::NAN]));
}

#[test]
fn serde_round_trips_and_spellings() {
    for n in all_methods().into_iter().chain([
        Normaliser::Rank(Rank { ties: Ties::Average }),
        Normaliser::Minmax(MinMax {
            lo: 1.0,
            hi: 100.0,
            constant: Some(1.0),
        }),
        Normaliser::Percentile(Percentile {
            ties: Ties::Max,
            single: Some(1.0),
        }),
        Normaliser::Goalposts(Goalposts { scale: 1.0, trunc: false }),
    ]) {
        let t = toml::to_string(&n).unwrap();
        assert_eq!(toml::from_str::<Normaliser>(&t).unwrap(), n, "{t}");
        assert!(t.starts_with(&format!("method = \"{}\"", n.name())), "{t}");
        let j = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Normaliser>(&j).unwrap(), n, "{j}");
    }
    let parse = |s: &str| toml::from_str::<Normaliser>(s);
    assert_eq!(
        parse("method = \"minmax\"\nlo = 0.0\nhi = 100.0").unwrap(),
        Normaliser::minmax(0.0, 100.0)
    );
    assert_eq!(
        toml::to_string(&Normaliser::minmax(0.0, 100.0)).unwrap(),
        "method = \"minmax\"\nlo = 0.0\nhi = 100.0\n"
    );
    assert_eq!(parse("method = \"minmax\"").unwrap(), Normaliser::minmax(0.0, 100.0));
    assert_eq!(parse("method = \"zscore\"").unwrap(), Normaliser::zscore(0.0, 1.0));
    assert_eq!(parse("method = \"prank\"").unwrap(), Normaliser::percentile());
    assert_eq!(
        parse("method = \"dist2targ\"\ncap = true").unwrap(),
        Normaliser::dist_to_target(true)
    );
    assert_eq!(parse("method = \"dist2max\"").unwrap(), Normaliser::dist_to_max());
    assert_eq!(parse("method = \"fracmax\"").unwrap(), Normaliser::frac_max());
    assert_eq!(
        parse("method = \"rank\"\nties = \"average\"").unwrap(),
        Normaliser::Rank(Rank { ties: Ties::Average })
    );
    assert!(parse("method = \"minmax\"\nlo = 0.0\nhig = 100.0").is_err(), "typo must be refused");
    assert!(parse("method = \"softmax\"").is_err());
    assert_eq!(Normaliser::default(), Normaliser::minmax(0.0, 100.0));
    assert_eq!(
        Normaliser::from(Rank { ties: Ties::Max }),
        Normaliser::Rank(Rank { ties: Ties::Max })
    );

    // Fitted parameters round-trip too (JSON and TOML).
    let fw = framework(&[
        ("a", "benefit", "goalposts = [0.0, 10.0]\ntarget = 9.0"),
        ("b", "cost", "goalposts = [0.0, 10.0]\ntarget = 1.0"),
    ]);
    let x = array![[1.0, 2.0], [3.0, 5.0], [4.0, 7.0]];
    for n in all_methods() {
        let fitted = n.fit(x.view(), &nodes(&fw)).unwrap();
        let j = serde_json::to_string(&fitted).unwrap();
        assert_eq!(serde_json::from_str::<FittedNormaliser>(&j).unwrap(), fitted, "{j}");
        let t = toml::to_string(&fitted).unwrap();
        assert_eq!(toml::from_str::<FittedNormaliser>(&t).unwrap(), fitted, "{t}");
    }
}

#[test]
fn pipeline_document_step_reads_normaliser_options() {
    let doc = "version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"zscore\"\nmean = 10.0\nsd = 2.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n";
    let p = crate::pipeline::Pipeline::from_toml_str(doc).unwrap();
    assert_eq!(p.steps[0], crate::pipeline::Step::Normalise(Normaliser::zscore(10.0, 2.0)));
    let bad = doc.replace("sd = 2.0", "sdd = 2.0");
    assert!(crate::pipeline::Pipeline::from_toml_str(&bad).is_err());
    // Every method round-trips inside a whole pipeline document (TOML and JSON).
    for n in all_methods() {
        let mut p = p.clone();
        p.steps[0] = crate::pipeline::Step::Normalise(n);
        let t = p.to_toml_string().unwrap();
        assert_eq!(crate::pipeline::Pipeline::from_toml_str(&t).unwrap(), p, "{t}");
        let j = p.to_json_string().unwrap();
        assert_eq!(crate::pipeline::Pipeline::from_json_str(&j).unwrap(), p, "{j}");
    }
}

#[test]
fn row_major_input_gives_the_same_result() {
    let fw = framework(&[("a", "benefit", ""), ("b", "cost", "")]);
    let x = array![[1.0, 2.0], [3.0, f64::NAN], [4.0, 7.0], [0.5, 1.0]];
    let mut xf = Array2::zeros(x.dim().f());
    xf.assign(&x);
    for n in all_methods()
        .into_iter()
        .filter(|n| !matches!(n, Normaliser::Goalposts(_) | Normaliser::DistToTarget(_)))
    {
        let (a, _, _) = n.fit_transform(x.view(), &nodes(&fw)).unwrap();
        let (b, _, _) = n.fit_transform(xf.view(), &nodes(&fw)).unwrap();
        assert!(
            same(
                &a.t().iter().copied().collect::<Vec<_>>(),
                &b.t().iter().copied().collect::<Vec<_>>()
            ),
            "{n:?}"
        );
        assert!(!a.is_standard_layout() || a.ncols() == 1, "output must be column-major");
    }
}

// ---------------------------------------------------------------- properties

fn column_strategy() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![9 => -1e6f64..1e6, 1 => Just(f64::NAN)], 1..40)
}

proptest! {
    #[test]
    fn minmax_within_bounds(x in column_strategy(), lo in -100.0f64..100.0, width in 0.001f64..1000.0, cost in any::<bool>()) {
        let fw = framework(&[("a", if cost { "cost" } else { "benefit" }, "")]);
        let hi = lo + width;
        let (y, _, _) = run(&Normaliser::minmax(lo, hi), &fw, &col(&x));
        for (v, o) in x.iter().zip(y.iter()) {
            prop_assert_eq!(v.is_nan(), o.is_nan());
            if !o.is_nan() {
                let eps = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
                prop_assert!(*o >= lo - eps && *o <= hi + eps, "{} not in [{}, {}]", o, lo, hi);
            }
        }
    }

    #[test]
    fn rank_methods_invariant_under_increasing_transforms(x in column_strategy()) {
        let fw = one_benefit();
        // Strictly increasing: keeps order and ties.
        let t: Vec<f64> = x.iter().map(|v| (v / 1e5).exp() * 3.0 + (v / 1e6).powi(3)).collect();
        for n in [Normaliser::rank(), Normaliser::percentile(), Normaliser::borda(), Normaliser::Rank(Rank { ties: Ties::Average })] {
            let (a, _, _) = run(&n, &fw, &col(&x));
            let (b, _, _) = run(&n, &fw, &col(&t));
            prop_assert!(same(a.as_slice_memory_order().unwrap(), b.as_slice_memory_order().unwrap()), "{:?}", n);
        }
    }

    #[test]
    fn cost_direction_reverses_order(x in column_strategy()) {
        let ben = framework(&[("a", "benefit", "")]);
        let cost = framework(&[("a", "cost", "")]);
        for n in [Normaliser::minmax(0.0, 100.0), Normaliser::zscore(0.0, 1.0), Normaliser::rank(), Normaliser::percentile()] {
            let (b, _, _) = run(&n, &ben, &col(&x));
            let (c, _, _) = run(&n, &cost, &col(&x));
            for i in 0..x.len() {
                for k in 0..x.len() {
                    if x[i].is_nan() || x[k].is_nan() {
                        continue;
                    }
                    if x[i] < x[k] {
                        prop_assert!(b[[i, 0]] <= b[[k, 0]] && c[[i, 0]] >= c[[k, 0]], "{:?}", n);
                    }
                }
            }
        }
        // Exactly mirrored for min-max.
        let (b, _, _) = run(&Normaliser::minmax(0.0, 100.0), &ben, &col(&x));
        let (c, _, _) = run(&Normaliser::minmax(0.0, 100.0), &cost, &col(&x));
        for (bv, cv) in b.iter().zip(c.iter()) {
            prop_assert!((bv.is_nan() && cv.is_nan()) || (bv + cv - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn fit_then_transform_equals_fit_transform(a in column_strategy(), b in column_strategy(), cost in any::<bool>()) {
        let dir = if cost { "cost" } else { "benefit" };
        let fw = framework(&[("a", dir, "goalposts = [-5e5, 5e5]\ntarget = 2e6"), ("b", dir, "goalposts = [-5e5, 5e5]\ntarget = -2e6")]);
        let n = a.len().min(b.len());
        let mut x = Array2::zeros((n, 2).f());
        for i in 0..n {
            x[[i, 0]] = a[i];
            x[[i, 1]] = b[i];
        }
        for m in all_methods() {
            let (y, fitted, log) = m.fit_transform(x.view(), &nodes(&fw)).unwrap();
            let fitted2 = m.fit(x.view(), &nodes(&fw)).unwrap();
            prop_assert_eq!(&fitted, &fitted2);
            let (y2, log2) = fitted2.transform(x.view()).unwrap();
            prop_assert!(same(y.as_slice_memory_order().unwrap(), y2.as_slice_memory_order().unwrap()), "{:?}", m);
            prop_assert_eq!(log, log2);
        }
    }
}
