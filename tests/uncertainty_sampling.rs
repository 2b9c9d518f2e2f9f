//! Monte Carlo uncertainty analysis: reproducibility (seed, threads, chunking), written
//! designs replay exactly, every factor type, nominal = the pipeline's own results,
//! progress and cancellation; the `zhili uncertainty` / `sensitivity` / `audit` commands.
#![allow(clippy::unwrap_used)]

mod common;
use common::zhili;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{fixture, read_table};
use zhili::analysis::sensitivity::{sensitivity, Bootstrap, SaOutput, SensitivityOptions};
use zhili::analysis::uncertainty::{replay, uncertainty, AnalysisSpec, Monitor, ReplayOptions, UncertaintyOptions};
use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::{Dataset, Framework, Pipeline};

fn setup() -> (Framework, Dataset, Pipeline) {
    let (fw, _) = load_framework(fixture("coinr-asem/input_ASEM_iMeta.csv").to_str().unwrap()).unwrap();
    let ds = read_dataset(
        &fixture("coinr-asem/input_ASEM_iData.csv"),
        &fw,
        &DataOptions {
            unit_column: Some("uCode".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let p = zhili::io::load_pipeline(Path::new(&fixture("coinr-asem.pipeline.toml"))).unwrap();
    (fw, ds, p)
}

const ALL_FACTORS: &str = r#"
[[factors]]
type = "weights"
spread = 0.3
levels = [1, 2]
[[factors]]
type = "impute"
choices = [{ method = "mean" }, { method = "group_mean", group = "EurAsia_group" }, { method = "median" }]
[[factors]]
type = "treat"
choices = ["off", { method = "winsorise", max_points = 5, skew = 2.0, kurtosis = 3.5 }]
[[factors]]
type = "normalise"
choices = [{ method = "minmax", lo = 1.0, hi = 100.0 }, { method = "zscore", mean = 10.0, sd = 2.0 }, { method = "rank" }]
[[factors]]
type = "aggregate"
choices = [{ method = "arithmetic" }, { method = "geometric" }]
[[factors]]
type = "exclude"
indicators = ["LPI", "Flights", "Goods"]
[[factors]]
type = "weight_sets"
sets = [{ weights = { Conn = 2.0, Sust = 1.0 } }, { weights = { Conn = 1.0, Sust = 2.0 } }]
"#;

#[test]
fn every_factor_seeded_thread_and_chunk_invariant_and_replayable() {
    let (fw, ds, p) = setup();
    let spec = AnalysisSpec::from_toml_named(ALL_FACTORS, "test").unwrap();
    let opts = |chunk| UncertaintyOptions {
        runs: 300,
        seed: 11,
        nodes: vec!["Conn".into()],
        keep_runs: true,
        record_design: true,
        chunk,
    };
    let go = |threads: usize, chunk: Option<usize>| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| uncertainty(&fw, &ds, &p, &spec.factors, &opts(chunk), Monitor::default()).unwrap())
    };
    let a = go(1, Some(300));
    let b = go(3, Some(7));
    let c = go(2, None);
    for x in [&b, &c] {
        assert_eq!(a.run_scores, x.run_scores);
        assert_eq!(a.index.median, x.index.median);
        assert_eq!(a.index.p5, x.index.p5);
        assert_eq!(a.index.p95, x.index.p95);
        assert_eq!(a.index.mean_abs_shift, x.index.mean_abs_shift);
        assert_eq!(a.nodes[0].mean, x.nodes[0].mean);
        assert_eq!(a.design, x.design);
    }
    // the runs differ (the factors do something) and a different seed gives different runs
    let s = a.run_scores.as_ref().unwrap();
    assert!(s.row(0) != s.row(1));
    let other = uncertainty(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &UncertaintyOptions { seed: 12, ..opts(None) },
        Monitor::default(),
    )
    .unwrap();
    assert_ne!(other.run_scores, a.run_scores);
    // every choice of every factor was drawn
    let d = a.design.as_ref().unwrap();
    for (what, k) in [
        (
            "impute",
            d.runs
                .iter()
                .filter_map(|r| r.impute.as_ref().map(|x| format!("{x:?}")))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        ),
        (
            "treat",
            d.runs
                .iter()
                .filter_map(|r| r.treat.as_ref().map(|x| format!("{x:?}")))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        ),
        (
            "normalise",
            d.runs
                .iter()
                .filter_map(|r| r.normalise.as_ref().map(|x| format!("{x:?}")))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        ),
        (
            "exclude",
            d.runs
                .iter()
                .map(|r| r.exclude.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        ),
    ] {
        let want = match what {
            "impute" | "normalise" => 3,
            "treat" => 2,
            _ => 4,
        };
        assert_eq!(k, want, "{what}");
    }
    // the written design replays to the same scores, also through its CSV form
    let back = zhili::analysis::uncertainty::Design::from_csv_str(&d.to_csv_string().unwrap()).unwrap();
    let r = replay(
        &fw,
        &ds,
        &p,
        &back,
        &ReplayOptions {
            keep_runs: true,
            nodes: vec!["Conn".into()],
            chunk: None,
        },
        Monitor::default(),
    )
    .unwrap();
    assert_eq!(r.run_scores, a.run_scores);
    assert_eq!(r.index.median, a.index.median);
}

#[test]
fn nominal_is_the_pipeline_result_and_an_unperturbed_run_equals_it() {
    let (fw, ds, p) = setup();
    let run = p.run(&fw, &ds).unwrap();
    let spec = AnalysisSpec::from_toml_named("[[factors]]\ntype = \"weights\"\nspread = 0.0\n", "t").unwrap();
    let res = uncertainty(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &UncertaintyOptions {
            runs: 5,
            keep_runs: true,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap();
    let want = run.results.index_scores();
    let ranks = run.results.index_ranks();
    for i in 0..ds.n_units() {
        assert!((res.index.nominal_score[i] - want[i]).abs() < 1e-12);
        assert_eq!(res.index.nominal_rank[i], ranks[i]);
        for r in 0..5 {
            assert!((res.run_scores.as_ref().unwrap()[[r, i]] - want[i]).abs() < 1e-9);
        }
        assert_eq!(res.index.mean_abs_shift[i], 0.0);
        assert_eq!(res.index.median[i], ranks[i]);
    }
}

#[test]
fn progress_is_reported_and_cancellation_stops_with_a_clear_error() {
    let (fw, ds, p) = setup();
    let spec = AnalysisSpec::from_toml_named("[[factors]]\ntype = \"weights\"\nspread = 0.2\n", "t").unwrap();
    let calls = AtomicUsize::new(0);
    let last = AtomicUsize::new(0);
    let tick = |done: usize, total: usize| {
        calls.fetch_add(1, Ordering::SeqCst);
        last.store(done, Ordering::SeqCst);
        assert_eq!(total, 200);
    };
    uncertainty(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &UncertaintyOptions {
            runs: 200,
            chunk: Some(50),
            ..Default::default()
        },
        Monitor {
            progress: Some(&tick),
            cancel: None,
            ..Monitor::default()
        },
    )
    .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(last.load(Ordering::SeqCst), 200);
    // cancel after the first chunk
    let stop = AtomicBool::new(false);
    let tick2 = |_: usize, _: usize| stop.store(true, Ordering::SeqCst);
    let e = uncertainty(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &UncertaintyOptions {
            runs: 200,
            chunk: Some(50),
            ..Default::default()
        },
        Monitor {
            progress: Some(&tick2),
            cancel: Some(&stop),
            ..Monitor::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("cancelled") && e.to_string().contains("50 of 200"), "{e}");
}

#[test]
fn errors_name_the_problem() {
    let (fw, ds, p) = setup();
    let bad = AnalysisSpec::from_toml_named("[[factors]]\ntype = \"weights\"\nspread = 1.5\n", "t").unwrap();
    let e = uncertainty(&fw, &ds, &p, &bad.factors, &UncertaintyOptions::default(), Monitor::default()).unwrap_err();
    assert!(e.to_string().contains("spread"), "{e}");
    let bad = AnalysisSpec::from_toml_named("[[factors]]\ntype = \"exclude\"\nindicators = [\"Nope\"]\n", "t").unwrap();
    let e = uncertainty(&fw, &ds, &p, &bad.factors, &UncertaintyOptions::default(), Monitor::default()).unwrap_err();
    assert!(e.to_string().contains("Nope"), "{e}");
    // geometric mean of min-max [0, 100] data (zeros): names unit and node
    let geo = AnalysisSpec::from_toml_named("[[factors]]\ntype = \"aggregate\"\nchoices = [{ method = \"geometric\" }]\n", "t").unwrap();
    let e = uncertainty(
        &fw,
        &ds,
        &p,
        &geo.factors,
        &UncertaintyOptions {
            runs: 3,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("geometric") && msg.contains("node"), "{msg}");
}

#[test]
fn sensitivity_of_the_asem_index() {
    let (fw, ds, p) = setup();
    let spec = AnalysisSpec::from_toml_named(
        "[[factors]]\ntype = \"weights\"\nspread = 0.25\nlevels = [1, 2, 3]\n[[factors]]\ntype = \"normalise\"\nchoices = [{ method = \"minmax\", lo = 1.0, hi = 100.0 }, { method = \"zscore\", mean = 10.0, sd = 2.0 }]\n[[factors]]\ntype = \"aggregate\"\nchoices = [{ method = \"arithmetic\" }, { method = \"geometric\" }]\n",
        "t",
    )
    .unwrap();
    let opts = SensitivityOptions {
        n: 200,
        seed: 3,
        output: SaOutput::MeanAbsRankShift,
        bootstrap: Bootstrap {
            resamples: 100,
            confidence: 0.95,
            seed: 1,
        },
        chunk: None,
    };
    let a = sensitivity(&fw, &ds, &p, &spec.factors, &opts, Monitor::default()).unwrap();
    assert_eq!(a.runs, 200 * 5);
    assert_eq!(a.factors, ["weights", "normalise", "aggregate"]);
    for i in 0..3 {
        assert!(a.indices.total[i] >= -0.05 && a.indices.total[i] <= 1.5, "{:?}", a.indices);
    }
    let b = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| {
        sensitivity(
            &fw,
            &ds,
            &p,
            &spec.factors,
            &SensitivityOptions {
                chunk: Some(13),
                ..opts.clone()
            },
            Monitor::default(),
        )
        .unwrap()
    });
    assert_eq!(a, b);
    let e = sensitivity(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &SensitivityOptions {
            output: SaOutput::Rank("XXX".into()),
            ..opts
        },
        Monitor::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("XXX"));
}

#[test]
fn cli_replays_coinr_design_and_runs_the_analyses() {
    let dir = tempfile::tempdir().unwrap();
    let (f, d, p) = (
        fixture("coinr-asem/input_ASEM_iMeta.csv"),
        fixture("coinr-asem/input_ASEM_iData.csv"),
        fixture("coinr-asem.pipeline.toml"),
    );
    let (f, d, p) = (f.to_str().unwrap(), d.to_str().unwrap(), p.to_str().unwrap());
    let out = dir.path().join("stats.csv");
    let design = fixture("coinr-asem/UA_N100_design.csv");
    let sets = fixture("coinr-asem/SA_noisy_weight_sets.csv");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--coinr-design",
        design.to_str().unwrap(),
        "--coinr-weights",
        sets.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let got = read_table(out.to_str().unwrap());
    let want = read_table("coinr-asem/UA_N100_rankstats.csv");
    for (k, u) in want.column("uCode").iter().enumerate() {
        let i = got.column("unit").iter().position(|x| x == u).unwrap();
        assert_eq!(got.numeric("median_rank")[i], want.numeric("Median")[k], "{u}");
        assert_eq!(got.numeric("p95_rank")[i], want.numeric("Q95")[k], "{u}");
    }
    // sampled analysis with a design written out, then replayed by the CLI: same statistics
    let spec = dir.path().join("ua.toml");
    std::fs::write(&spec, "runs = 50\nseed = 5\n[[factors]]\ntype = \"weights\"\nspread = 0.25\n[[factors]]\ntype = \"normalise\"\nchoices = [{ method = \"minmax\", lo = 0.0, hi = 100.0 }, { method = \"rank\" }]\n").unwrap();
    let (o1, o2, dz) = (dir.path().join("a.csv"), dir.path().join("b.csv"), dir.path().join("design.csv"));
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--factors",
        spec.to_str().unwrap(),
        "-o",
        o1.to_str().unwrap(),
        "--design-out",
        dz.to_str().unwrap(),
        "-q",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--replay",
        dz.to_str().unwrap(),
        "-o",
        o2.to_str().unwrap(),
        "-q",
    ]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read_to_string(&o1).unwrap(), std::fs::read_to_string(&o2).unwrap());
    // table output and sensitivity
    let (ok, table, err) = zhili(&[
        "uncertainty",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--spread",
        "0.2",
        "-n",
        "100",
        "--top",
        "5",
    ]);
    assert!(
        ok && table.to_lowercase().contains("median") && table.contains("CHE"),
        "{err}{table}"
    );
    let (ok, table, err) = zhili(&[
        "sensitivity",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--factors",
        spec.to_str().unwrap(),
        "-n",
        "50",
        "--bootstrap",
        "50",
    ]);
    assert!(ok && table.contains("weights") && table.contains("normalise"), "{err}{table}");
    // nothing varies: a clear error
    let (ok, _, err) = zhili(&["uncertainty", "-f", f, "-d", d, "-p", p, "--unit-column", "uCode"]);
    assert!(!ok && err.contains("nothing varies"), "{err}");
    // audit writes its tables
    let ad = dir.path().join("audit");
    let (ok, _, err) = zhili(&[
        "audit",
        "-f",
        f,
        "-d",
        d,
        "-p",
        p,
        "--unit-column",
        "uCode",
        "--out-dir",
        ad.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    for t in ["stats", "flags", "structure", "importance", "remove_one"] {
        assert!(ad.join(format!("{t}.csv")).exists(), "{t}");
    }
}

/// Every run of an analysis, rebuilt as an ordinary pipeline (its steps swapped in, its
/// weights set, its excluded indicator weighted 0) and run with `Pipeline::run`, gives the
/// index scores the engine computed for it — whichever fast path (batched matrix products,
/// per-node products over logarithms, screened-out units) the engine took.
#[test]
fn every_run_equals_its_own_pipeline() {
    use zhili::analysis::uncertainty::{DesignRun, TreatChoice};
    use zhili::pipeline::Step;
    let (fw, ds, p) = setup();
    // geometric means everywhere, or only in the first-level aggregates (per-node products over ln z)
    let factors = ALL_FACTORS.replace(
        r#"choices = [{ method = "arithmetic" }, { method = "geometric" }]"#,
        r#"choices = [{ method = "arithmetic" }, { method = "geometric" }, { method = "arithmetic", overrides = [{ level = 2, method = "geometric" }] }]"#,
    );
    let spec = AnalysisSpec::from_toml_named(&factors, "t").unwrap();
    let runs = 48;
    let res = uncertainty(
        &fw,
        &ds,
        &p,
        &spec.factors,
        &UncertaintyOptions {
            runs,
            seed: 11,
            keep_runs: true,
            record_design: true,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap();
    let design = res.design.as_ref().unwrap();
    let scores = res.run_scores.as_ref().unwrap();
    let mut geometric_runs = 0;
    for (k, run) in design.runs.iter().enumerate() {
        let mut steps = Vec::new();
        for s in &p.steps {
            steps.push(match (s, run) {
                (Step::Impute(_), DesignRun { impute: Some(i), .. }) => Step::Impute(i.clone()),
                (
                    Step::Treat(_),
                    DesignRun {
                        treat: Some(TreatChoice::Off(_)),
                        ..
                    },
                ) => continue,
                (
                    Step::Treat(_),
                    DesignRun {
                        treat: Some(TreatChoice::On(t)),
                        ..
                    },
                ) => Step::Treat(t.clone()),
                (Step::Normalise(_), DesignRun { normalise: Some(n), .. }) => Step::Normalise(n.clone()),
                (Step::Aggregate(_), DesignRun { aggregate: Some(a), .. }) => {
                    assert!(a.rescale.is_empty());
                    geometric_runs += usize::from(format!("{:?}", a.step).contains("Geometric"));
                    Step::Aggregate(a.step.clone())
                }
                (s, _) => s.clone(),
            });
        }
        let mut pipeline = p.clone();
        pipeline.steps = steps;
        let mut weights: Vec<(&str, f64)> = design
            .weight_nodes
            .iter()
            .map(String::as_str)
            .zip(run.weights.iter().copied())
            .filter(|(_, w)| !w.is_nan())
            .collect();
        if let Some(x) = &run.exclude {
            weights.push((x.as_str(), 0.0));
        }
        let fw_k = fw.with_weights(weights).unwrap();
        let own = pipeline.run(&fw_k, &ds).unwrap();
        let want = own.results.index_scores();
        // results cover the units the pipeline kept; the engine's rows cover every unit (NaN if out)
        let unit_ids = ds.unit_ids();
        let kept: Vec<usize> = own
            .results
            .unit_ids()
            .iter()
            .map(|u| unit_ids.iter().position(|v| v == u).unwrap())
            .collect();
        for (i, &u) in kept.iter().enumerate() {
            let (a, b) = (scores[[k, u]], want[i]);
            assert!(
                (a - b).abs() <= 1e-9 * (1.0 + b.abs()) || (a.is_nan() && b.is_nan()),
                "run {k} unit {}: engine {a} vs pipeline {b}",
                unit_ids[u]
            );
        }
        for u in (0..ds.n_units()).filter(|u| !kept.contains(u)) {
            assert!(scores[[k, u]].is_nan(), "run {k}: unit {} was screened out", unit_ids[u]);
        }
    }
    assert!(geometric_runs > 5, "the design should exercise geometric means ({geometric_runs})");
}
