//! Golden test: replaying COINr's uncertainty analysis of its ASEM example
//! (tests/fixtures/coinr-asem/UA_N100_*.csv, SA_noisy_weight_sets.csv; COINr 1.1.14)
//! reproduces every run's Index score to 1e-9 and the rank statistics exactly.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{fixture, read_table};
use zhili::analysis::uncertainty::{replay, Design, Monitor, ReplayOptions};
use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::{Dataset, Framework, Pipeline};

fn setup() -> (Framework, Dataset, Pipeline, Design) {
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
    let design = Design::from_coinr_csv(
        &std::fs::read_to_string(fixture("coinr-asem/UA_N100_design.csv")).unwrap(),
        &std::fs::read_to_string(fixture("coinr-asem/SA_noisy_weight_sets.csv")).unwrap(),
    )
    .unwrap();
    (fw, ds, p, design)
}

fn row_of(ds: &Dataset, unit: &str) -> usize {
    ds.unit_ids()
        .iter()
        .position(|u| u == unit)
        .unwrap_or_else(|| panic!("unit {unit}"))
}

#[test]
fn replay_reproduces_every_run_and_the_rank_statistics() {
    let (fw, ds, p, design) = setup();
    assert_eq!(design.runs.len(), 100);
    let res = replay(
        &fw,
        &ds,
        &p,
        &design,
        &ReplayOptions {
            keep_runs: true,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap();
    let scores = res.run_scores.as_ref().unwrap();
    let t = read_table("coinr-asem/UA_N100_scores.csv");
    let units = t.column("uCode");
    let nominal = t.numeric("Nominal");
    for (k, u) in units.iter().enumerate() {
        let i = row_of(&ds, u);
        let got = res.index.nominal_score[i];
        assert!(
            (got - nominal[k]).abs() <= 1e-9 * (1.0 + nominal[k].abs()),
            "{u}: nominal {got} vs {}",
            nominal[k]
        );
    }
    let mut worst = 0.0f64;
    for r in 0..100 {
        let want = t.numeric(&format!("r_{}", r + 1));
        for (k, u) in units.iter().enumerate() {
            let got = scores[[r, row_of(&ds, u)]];
            let d = (got - want[k]).abs();
            worst = worst.max(d);
            assert!(
                d <= 1e-9 * (1.0 + want[k].abs()),
                "run {} unit {u}: {got} vs {} ({:?})",
                r + 1,
                want[k],
                design.runs[r].aggregate
            );
        }
    }
    eprintln!("largest |Δ score| over 100 runs × 51 units: {worst:e}");

    // run-by-run ranks
    let rk = read_table("coinr-asem/UA_N100_ranks.csv");
    let ranks = res.run_ranks(zhili::Ties::Min).unwrap();
    for r in 0..100 {
        let want = rk.numeric(&format!("r_{}", r + 1));
        for (k, u) in rk.column("uCode").iter().enumerate() {
            assert_eq!(ranks[[r, row_of(&ds, u)]], want[k], "rank run {} unit {u}", r + 1);
        }
    }

    // rank statistics, exactly
    let st = read_table("coinr-asem/UA_N100_rankstats.csv");
    for (col, got) in [
        ("Nominal", &res.index.nominal_rank),
        ("Mean", &res.index.mean),
        ("Median", &res.index.median),
        ("Q5", &res.index.p5),
        ("Q95", &res.index.p95),
    ] {
        let want = st.numeric(col);
        for (k, u) in st.column("uCode").iter().enumerate() {
            let g = got[row_of(&ds, u)];
            assert!(g == want[k], "{col} of {u}: got {g:?}, COINr {:?}", want[k]);
        }
    }
    assert!(res.index.ranked_runs.iter().all(|&n| n == 100));
}

#[test]
fn thread_count_and_chunking_do_not_change_results() {
    let (fw, ds, p, design) = setup();
    let run = |threads: usize, chunk: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            replay(
                &fw,
                &ds,
                &p,
                &design,
                &ReplayOptions {
                    keep_runs: true,
                    chunk: Some(chunk),
                    nodes: vec!["Conn".into(), "Sust".into()],
                },
                Monitor::default(),
            )
            .unwrap()
        })
    };
    let a = run(1, 100);
    for (threads, chunk) in [(2, 7), (3, 1), (4, 33)] {
        let b = run(threads, chunk);
        assert_eq!(a.run_scores, b.run_scores, "{threads} threads, chunk {chunk}");
        for (x, y) in std::iter::once((&a.index, &b.index)).chain(a.nodes.iter().zip(&b.nodes)) {
            assert_eq!(x.median, y.median);
            assert_eq!(x.p5, y.p5);
            assert_eq!(x.p95, y.p95);
            assert_eq!(x.mean, y.mean);
            assert_eq!(x.mean_abs_shift, y.mean_abs_shift);
        }
    }
}

#[test]
fn design_written_and_read_back_replays_identically() {
    let (fw, ds, p, design) = setup();
    let text = design.to_csv_string().unwrap();
    let back = Design::from_csv_str(&text).unwrap();
    assert_eq!(back, design);
    let a = replay(
        &fw,
        &ds,
        &p,
        &design,
        &ReplayOptions {
            keep_runs: true,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap();
    let b = replay(
        &fw,
        &ds,
        &p,
        &back,
        &ReplayOptions {
            keep_runs: true,
            ..Default::default()
        },
        Monitor::default(),
    )
    .unwrap();
    assert_eq!(a.run_scores, b.run_scores);
}

/// A bad run is reported by its number and what is wrong with it; of several bad runs, the
/// first in run order, whether its weights or its other columns are wrong.
#[test]
fn bad_design_runs_are_reported_first_in_run_order() {
    let (fw, ds, p, design) = setup();
    let run_err = |d: &Design| {
        replay(&fw, &ds, &p, d, &ReplayOptions::default(), Monitor::default())
            .unwrap_err()
            .to_string()
    };
    let (conn, sust) = (0, 1); // two weight columns
    let name0 = design.weight_nodes[conn].clone();

    let mut d = design.clone();
    d.runs[41].weights[conn] = -1.0;
    let e = run_err(&d);
    assert!(e.contains("run 42") && e.contains(&name0) && e.contains("-1"), "{e}");

    d.runs[6].weights[sust] = f64::INFINITY; // an earlier bad weight wins
    let e = run_err(&d);
    assert!(e.contains("run 7") && e.contains("inf"), "{e}");

    d.runs[3].exclude = Some("NoSuchIndicator".into()); // an earlier unknown exclusion wins
    let e = run_err(&d);
    assert!(e.contains("NoSuchIndicator") && e.contains("design run 4"), "{e}");

    d.runs[1].weights.pop(); // an earlier short run wins
    let e = run_err(&d);
    assert!(e.contains("run 2 has") && e.contains("weights for"), "{e}");

    let mut d = design.clone();
    d.runs[9].exclude = Some("NoSuchIndicator".into());
    d.runs[50].weights[conn] = f64::NAN; // NaN = the framework's weight: fine
    d.runs[60].weights[conn] = -2.0; // a later bad weight does not hide the earlier exclusion
    let e = run_err(&d);
    assert!(e.contains("design run 10"), "{e}");
}
