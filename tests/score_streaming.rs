//! `Pipeline::score` and `Pipeline::score_every_node` (streaming, no stages) give exactly the
//! numbers and log of `Pipeline::run`.
#![allow(clippy::unwrap_used)]

mod common;

use ndarray::Array2;
use proptest::prelude::*;
use zhili::{Dataset, Pipeline};

fn same(p: &Pipeline, fw: &zhili::Framework, ds: &Dataset) {
    let full = p.run(fw, ds).unwrap();
    let lean = p.score(fw, ds).unwrap();
    assert!(lean.stages.is_empty());
    assert_eq!(full.results.unit_ids(), lean.results.unit_ids());
    // score() keeps the aggregates: every one of them, bit for bit
    let aggregates: Vec<&str> = fw
        .nodes()
        .iter()
        .filter(|n| n.kind == zhili::NodeKind::Aggregate)
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(lean.results.node_ids(), &aggregates[..]);
    for id in &aggregates {
        let (a, b) = (full.results.node_scores(id).unwrap(), lean.results.node_scores(id).unwrap());
        for (a, b) in a.iter().zip(b.iter()) {
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{id}: {a} vs {b}");
        }
    }
    assert_eq!(lean.results.index_id(), full.results.index_id());
    assert_eq!(full.results.index_ranks(), lean.results.index_ranks());
    let key = |e: &zhili::LogEntry| {
        (
            e.step.clone(),
            e.action.clone(),
            e.unit.clone(),
            e.indicator.clone(),
            e.value.map(f64::to_bits),
        )
    };
    let mut a: Vec<_> = full.log.iter().map(key).collect();
    let mut b: Vec<_> = lean.log.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(full.normaliser, lean.normaliser);

    // score_every_node: run's results exactly (every node, normalised indicators too), and
    // its log in the same order.
    let every = p.score_every_node(fw, ds).unwrap();
    assert!(every.stages.is_empty());
    assert_eq!(every.results.node_ids(), full.results.node_ids());
    assert_eq!(every.results.unit_ids(), full.results.unit_ids());
    assert_eq!(every.results.effective_weights(), full.results.effective_weights());
    let bits = |r: &zhili::Results| r.scores().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&every.results), bits(&full.results));
    let in_order = |l: &[zhili::LogEntry]| l.iter().map(key).collect::<Vec<_>>();
    assert_eq!(in_order(&every.log), in_order(&full.log));
    assert_eq!(every.normaliser, full.normaliser);
}

#[test]
fn coinr_pipeline_without_screen_and_variants() {
    let fw = common::asem_framework();
    let ds = common::asem_dataset(&fw);
    let text = std::fs::read_to_string(common::fixture("coinr-asem.pipeline.toml")).unwrap();
    let no_screen = text.replace("type = \"screen\"\nmin_coverage = 0.9\n", "");
    let no_screen = no_screen.replace("[[steps]]\n[[steps]]", "[[steps]]");
    for t in [
        no_screen.clone(),
        no_screen.replace("lo = 0.0", "lo = 1.0").replace("\"arithmetic\"", "\"geometric\""),
        no_screen.replace("method = \"minmax\"\nlo = 0.0\nhi = 100.0", "method = \"rank\""),
    ] {
        same(&Pipeline::from_toml_str(&t).unwrap(), &fw, &ds);
    }
    // with screen: falls back to run, same results, no stages
    same(&Pipeline::from_toml_str(&text).unwrap(), &fw, &ds);
}

#[test]
fn errors_are_the_same() {
    let fw = common::asem_framework();
    let ds = common::asem_dataset(&fw);
    let p = Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"group_mean\"\ngroup = \"nope\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    assert_eq!(p.run(&fw, &ds).unwrap_err().to_string(), p.score(&fw, &ds).unwrap_err().to_string());
}

proptest! {
    #[test]
    fn random_data_same_as_run(cells in proptest::collection::vec(proptest::option::weighted(0.9, 0.0f64..100.0), 8 * 49), median in any::<bool>(), z in any::<bool>()) {
        let fw = common::asem_framework();
        let x = Array2::from_shape_vec((8, 49), cells.into_iter().map(|c| c.unwrap_or(f64::NAN)).collect()).unwrap();
        let ds = Dataset::new((0..8).map(|i| format!("u{i}")).collect(), fw.indicator_ids().iter().map(|s| s.to_string()).collect(), x).unwrap();
        let text = format!(
            "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"{}\"\n[[steps]]\ntype = \"normalise\"\n{}\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
            if median { "median" } else { "mean" },
            if z { "method = \"zscore\"" } else { "method = \"minmax\"\nlo = 0.0\nhi = 100.0" }
        );
        same(&Pipeline::from_toml_str(&text).unwrap(), &fw, &ds);
    }
}

/// Every weighted mean streams through the aggregation's own kernel (not only the
/// arithmetic one): the numbers are `run`'s bit for bit, gaps and `min_coverage` included,
/// and a value outside a mean's domain is the error `run` reports (same unit, same node).
#[test]
fn every_weighted_mean_streams_as_run_does() {
    let fw = common::asem_framework();
    let ds = common::asem_dataset(&fw);
    let doc = |normalise: &str, method: &str| {
        format!(
            "version = 1\n[[steps]]\ntype = \"normalise\"\n{normalise}\n[[steps]]\ntype = \"aggregate\"\n{method}\nmin_coverage = 0.5\n"
        )
    };
    let minmax = "method = \"minmax\"\nlo = 1.0\nhi = 100.0";
    for method in [
        "method = \"geometric\"",
        "method = \"geometric\"\nshift = 1.0",
        "method = \"harmonic\"",
        "method = \"generalised\"\np = 2.0",
        "method = \"generalised\"\np = -1.0",
        "method = \"generalised\"\np = 0.0",
    ] {
        same(&Pipeline::from_toml_str(&doc(minmax, method)).unwrap(), &fw, &ds);
    }
    // z-scores are negative for half the units: no geometric mean
    let p = Pipeline::from_toml_str(&doc("method = \"zscore\"", "method = \"geometric\"")).unwrap();
    let run_err = p.run(&fw, &ds).unwrap_err().to_string();
    assert!(run_err.contains("geometric"), "{run_err}");
    assert_eq!(run_err, p.score(&fw, &ds).unwrap_err().to_string());
    assert_eq!(run_err, p.score_every_node(&fw, &ds).unwrap_err().to_string());
}

/// Data large enough for the stream to run its columns on every core: the numbers, ranks
/// and log are still `run`'s, and identical for any number of threads.
#[test]
fn the_parallel_stream_is_run_for_any_thread_count() {
    let fw = common::asem_framework();
    let (n, m) = (5_400, fw.indicator_ids().len());
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let x = Array2::from_shape_simple_fn((n, m), || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        if u < 0.03 {
            f64::NAN
        } else {
            (u * 1000.0).round() / 10.0
        }
    });
    let ids = fw.indicator_ids().iter().map(|s| s.to_string()).collect();
    let ds = Dataset::new((0..n).map(|i| format!("u{i}")).collect(), ids, x)
        .unwrap()
        .with_group("g", (0..n).map(|i| Some(format!("g{}", i % 7))).collect())
        .unwrap();
    assert!(n * m >= 1 << 18, "above the parallel threshold");
    let pipes = [
        "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
        "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"group_median\"\ngroup = \"g\"\n[[steps]]\ntype = \"treat\"\nmethod = \"winsorise\"\nmax_points = 5\nskew = 2.0\nkurtosis = 3.5\n[[steps]]\ntype = \"normalise\"\nmethod = \"zscore\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
        // no streamed mean (the median reads whole rows): the columns run as chunked tasks
        "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n[[steps]]\ntype = \"normalise\"\nmethod = \"rank\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"median\"\n",
    ];
    for text in pipes {
        let p = Pipeline::from_toml_str(text).unwrap();
        same(&p, &fw, &ds);
        let in_pool = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| (p.score(&fw, &ds).unwrap(), p.score_every_node(&fw, &ds).unwrap()))
        };
        let bits = |r: &zhili::Run| r.results.scores().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let (one, one_every) = in_pool(1);
        // one thread and three: the same bits and the same log
        let (lean, every) = in_pool(3);
        assert_eq!(bits(&lean), bits(&one));
        assert_eq!(bits(&every), bits(&one_every));
        assert_eq!(lean.log, one.log);
        assert_eq!(every.log, one_every.log);
        assert_eq!(every.normaliser, one_every.normaliser);
    }
    // a value outside a mean's domain in a late column: the error `run` reports
    let p = Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n[[steps]]\ntype = \"normalise\"\nmethod = \"zscore\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"geometric\"\n").unwrap();
    let run_err = p.run(&fw, &ds).unwrap_err().to_string();
    assert_eq!(run_err, p.score(&fw, &ds).unwrap_err().to_string());
    assert_eq!(run_err, p.score_every_node(&fw, &ds).unwrap_err().to_string());
}
