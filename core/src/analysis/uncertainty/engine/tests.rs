//! The engine's fast paths against its exact path.

use super::*;

/// Index (geometric) → D1 (a, b, c), D2 (d, e) (arithmetic); 300 units of pseudo-random
/// data with exact duplicates (ties in every run) and near-duplicates (index scores
/// 1e-13 apart: approximations that only the exact scores can order).
fn setup() -> (Framework, Dataset, Pipeline) {
    let fw = Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "Index"
[[nodes]]
id = "D1"
parent = "Index"
weight = 2.0
[[nodes]]
id = "D2"
parent = "Index"
[[nodes]]
id = "a"
parent = "D1"
[[nodes]]
id = "b"
parent = "D1"
[[nodes]]
id = "c"
parent = "D1"
[[nodes]]
id = "d"
parent = "D2"
[[nodes]]
id = "e"
parent = "D2"
"#,
    )
    .unwrap();
    let n = 300;
    let mut x = 12345u64;
    let mut next = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut v = ndarray::Array2::from_shape_fn((n, 5), |_| (next() * 1000.0).round() / 10.0);
    for i in (0..60).step_by(3) {
        let row = v.row(i).to_owned();
        v.row_mut(i + 1).assign(&row); // a duplicate
        v.row_mut(i + 2).assign(&row);
        v[[i + 2, 1]] *= 1.0 + 1e-13; // and a near-duplicate
    }
    let ds = Dataset::new(
        (0..n).map(|i| format!("u{i}")).collect(),
        ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
        v,
    )
    .unwrap();
    let p = Pipeline::from_toml_str(
        r#"
version = 1
[[steps]]
type = "normalise"
method = "minmax"
lo = 1.0
hi = 100.0
[[steps]]
type = "aggregate"
method = "geometric"
overrides = [{ level = 2, method = "arithmetic" }]
"#,
    )
    .unwrap();
    (fw, ds, p)
}

#[test]
fn ranks_from_the_approximate_log_sum_are_the_exact_ranks() {
    let (fw, ds, p) = setup();
    let mut engine = Engine::new(&fw, &ds, &p, Registry::default()).unwrap();
    engine.prepare(&BTreeSet::from([(None, None, None)])).unwrap();
    let var = &engine.variants[&(None, None, None)];
    let Scratch {
        mut agg, mut t, mut rs, ..
    } = engine.scratch();
    agg.resize(engine.run_len(ds.n_units()), 0.0);
    let n = ds.n_units();
    let mut seed = 7u64;
    let (mut resolved, mut tied) = (0, 0);
    for _ in 0..40 {
        let w: Vec<f64> = engine
            .nominal_weights
            .iter()
            .map(|&x| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                x * (0.7 + 0.6 * ((seed >> 11) as f64 / (1u64 << 53) as f64))
            })
            .collect();
        // exact: every score, ranked as they are
        engine
            .score(var, &engine.base_agg, &w, false, Pre::None, &mut agg, &mut t, false)
            .unwrap();
        assert!(t.log_root.is_none());
        let exact: Vec<f64> = engine.node_col(var, fw.root(), false, &agg).to_vec();
        let mut want = vec![0; n];
        rank_into(&exact, p.ties, &mut rs, &mut want);
        // approximate log-sums, within their bound of the exact ones, ranked with near-ties resolved
        engine
            .score(var, &engine.base_agg, &w, false, Pre::None, &mut agg, &mut t, true)
            .unwrap();
        let lr = t.log_root.expect("the log-sum path");
        for (i, &e) in exact.iter().enumerate() {
            assert!((t.num[i] - lr.wsum * e.ln()).abs() <= lr.eps, "unit {i}");
        }
        let cols: Vec<(&[f64], f64, Option<ValueMap>)> = fw.nodes()[fw.root()]
            .children
            .iter()
            .map(|&c| (engine.child_col(var, c, &agg).unwrap(), w[c], None))
            .collect();
        let mut calls = 0;
        let mut got = vec![0; n];
        rank_into_bounded(
            &t.num[..n],
            lr.eps,
            |i| {
                calls += 1;
                let s = engine.exact_geometric(&cols, lr.wsum, i);
                assert_eq!(s.to_bits(), exact[i].to_bits(), "unit {i}: the exact score is the scored one");
                s
            },
            p.ties,
            &mut rs,
            &mut got,
        );
        assert_eq!(got, want);
        resolved += calls;
        tied += (0..60).step_by(3).filter(|&i| got[i] == got[i + 1]).count();
    }
    assert!(resolved >= 40 * 60, "near-ties were resolved exactly ({resolved} exact scores)");
    assert_eq!(tied, 40 * 20, "duplicates tie in every run");
}

/// Ranks kept in `u16` cells (fewer than 2¹⁶ units) and in `u32` cells give the same
/// histograms, for the index and a dimension, over chunks that do not divide the runs.
#[test]
fn narrow_and_wide_rank_cells_give_the_same_histograms() {
    let (fw, ds, p) = setup();
    let mut engine = Engine::new(&fw, &ds, &p, Registry::default()).unwrap();
    engine.prepare(&BTreeSet::from([(None, None, None)])).unwrap();
    let d1 = fw.nodes().iter().position(|n| n.id == "D1").unwrap();
    let opts = ExecOptions {
        targets: vec![fw.root(), d1],
        keep_runs: false,
        output: None,
        chunk: Some(7),
    };
    let plan = |r: usize| -> Result<std::borrow::Cow<'_, RunPlan>> {
        let weights = engine
            .nominal_weights
            .iter()
            .enumerate()
            .map(|(i, &w)| w * (0.75 + 0.5 * (((r * 31 + i * 17) % 23) as f64 / 22.0)))
            .collect();
        Ok(std::borrow::Cow::Owned(RunPlan {
            impute: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights,
            exclude: None,
        }))
    };
    let nominal = vec![(1..=ds.n_units() as u32).collect::<Vec<_>>(); 2];
    let m = Monitor::default();
    let (narrow, _, _) = engine.run_chunks::<u16, _>(40, &plan, &opts, &m, &nominal).unwrap();
    let (wide, _, _) = engine.run_chunks::<u32, _>(40, &plan, &opts, &m, &nominal).unwrap();
    let ps = [0.05, 0.5, 0.95];
    for (a, b) in narrow.iter().flatten().zip(wide.iter().flatten()) {
        assert_eq!(a.count(), 40);
        assert_eq!(
            format!("{:?}", (a.moments(), a.quantiles(&ps))),
            format!("{:?}", (b.moments(), b.quantiles(&ps)))
        );
    }
    assert_eq!(narrow.iter().flatten().count(), 2 * ds.n_units());
}

/// Neither the thread count nor the chunking changes a histogram: one thread with chunks of
/// 7 runs and two threads with the default chunks record the same counts, and the quantiles
/// selected among raw ranks (units whose ranks spread wider than the runs) equal those of
/// the sorted ranks.
#[test]
fn histograms_do_not_depend_on_threads_or_chunks() {
    let (fw, ds, p) = setup();
    let mut engine = Engine::new(&fw, &ds, &p, Registry::default()).unwrap();
    engine.prepare(&BTreeSet::from([(None, None, None)])).unwrap();
    let plan = |r: usize| -> Result<std::borrow::Cow<'_, RunPlan>> {
        let weights = engine
            .nominal_weights
            .iter()
            .enumerate()
            .map(|(i, &w)| w * (0.5 + (((r * 37 + i * 11) % 29) as f64 / 28.0)))
            .collect();
        Ok(std::borrow::Cow::Owned(RunPlan {
            impute: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights,
            exclude: None,
        }))
    };
    let nominal = vec![(1..=ds.n_units() as u32).collect::<Vec<_>>()];
    let m = Monitor::default();
    let run = |threads: usize, chunk: Option<usize>| {
        let opts = ExecOptions {
            targets: vec![fw.root()],
            keep_runs: false,
            output: None,
            chunk,
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| engine.run_chunks::<u16, _>(40, &plan, &opts, &m, &nominal))
            .unwrap()
            .0
    };
    let one = run(1, Some(7));
    let two = run(2, None);
    let ps = [0.05, 0.5, 0.95];
    let (mut raw, mut dense) = (0, 0);
    for (a, mut b) in one.into_iter().flatten().zip(two.into_iter().flatten()) {
        assert_eq!(format!("{:?}", a.moments()), format!("{:?}", b.moments()));
        let sorted = a.quantiles(&ps);
        if format!("{b:?}").contains("dense: false") {
            raw += 1;
        } else {
            dense += 1;
        }
        assert_eq!(format!("{:?}", b.quantiles_selecting(b.count(), &ps)), format!("{sorted:?}"));
    }
    assert!(raw > 0 && dense > 0, "{raw} raw, {dense} dense");
}

/// The batched path with the children's rescaling applied on the fly (affine and range,
/// after min-max and z-score normalisation) gives the rank statistics of the exact path
/// (taken when the run scores are kept), ties and near-ties included.
#[test]
fn log_sums_over_rescaled_children_give_the_exact_statistics() {
    let (fw, ds, p) = setup();
    let geo = |rescale: &str| {
        format!(
            r#""{{""method"": ""arithmetic"", ""overrides"": [{{""level"": 3, ""method"": ""geometric""}}], ""rescale"": [{rescale}]}}""#
        )
    };
    let choices = [
        (
            r#""{""method"": ""minmax"", ""lo"": 0.0, ""hi"": 100.0}""#,
            geo(r#"{""level"": 2, ""kind"": ""affine"", ""scale"": 0.99, ""offset"": 1.0}"#),
        ),
        (
            r#""{""method"": ""zscore""}""#,
            geo(r#"{""level"": 2, ""kind"": ""range"", ""lo"": 1.0, ""hi"": 100.0}"#),
        ),
        (r#""{""method"": ""zscore""}""#, r#""{""method"": ""arithmetic""}""#.to_string()),
    ];
    let mut csv = String::from("run,normalise,aggregate,w:D1,w:D2,w:a,w:b\n");
    let mut seed = 3u64;
    for r in 0..90 {
        let mut u = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            0.75 + 0.5 * ((seed >> 11) as f64 / (1u64 << 53) as f64)
        };
        let (norm, agg) = &choices[r % 3];
        csv.push_str(&format!("{},{norm},{agg},{},{},{},{}\n", r + 1, u(), u(), u(), u()));
    }
    let design = super::super::Design::from_csv_str(&csv).unwrap();
    let go = |keep_runs: bool| {
        let opts = super::super::ReplayOptions {
            keep_runs,
            ..Default::default()
        };
        super::super::replay(&fw, &ds, &p, &design, &opts, Monitor::default()).unwrap()
    };
    let (fast, exact) = (go(false), go(true));
    assert!(exact.run_scores.is_some() && fast.run_scores.is_none());
    for (a, b) in [
        (&fast.index.mean, &exact.index.mean),
        (&fast.index.p5, &exact.index.p5),
        (&fast.index.median, &exact.index.median),
        (&fast.index.p95, &exact.index.p95),
        (&fast.index.mean_abs_shift, &exact.index.mean_abs_shift),
    ] {
        assert_eq!(a, b);
    }
    // the duplicates tied in every run
    assert!((0..60).step_by(3).all(|i| fast.index.mean[i] == fast.index.mean[i + 1]));
}
