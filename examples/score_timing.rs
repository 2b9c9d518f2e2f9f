//! Time zhili's `score` workload on the numpy peer's files, the way the peer times itself
//! (compute only, after reading; first run and warm median), and write index + ranks
//! so that `benches/compare_numpy.py` can check them against numpy's.
//!
//! `cargo run --release --example score_timing -- DATA.csv FRAMEWORK.json REPEAT [OUT.csv]`
#![allow(clippy::unwrap_used)]

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: score_timing DATA.csv FRAMEWORK.json REPEAT [OUT.csv]");
        std::process::exit(2);
    }
    let fw = support::framework_from_baseline_json(&std::fs::read_to_string(&args[2]).expect("framework"));
    let opts = zhili::io::DataOptions {
        unit_column: Some("unit_id".into()),
        ..Default::default()
    };
    let ds = zhili::io::read_dataset(std::path::Path::new(&args[1]), &fw, &opts).unwrap_or_else(|e| panic!("{e}"));
    let repeat: usize = args[3].parse().expect("repeat");
    let pipeline = support::score_pipeline();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(2) {
        let t0 = Instant::now();
        let run = pipeline.score(&fw, &ds).expect("run");
        let ranks = run.results.index_ranks();
        times.push(t0.elapsed().as_secs_f64());
        last = Some((run, ranks));
    }
    let (run, ranks) = last.expect("at least one run");
    let mut warm = times[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    let index = run.results.index_scores();
    println!(
        "{}",
        serde_json::json!({
            "workload": "score", "impl": "zhili", "units": ds.n_units(), "indicators": ds.indicator_ids().len(),
            "compute_s": times[0], "compute_warm_median_s": warm[warm.len() / 2],
            "checksum_index_sum": index.sum(),
        })
    );
    if let Some(out) = args.get(4) {
        let mut s = String::from("unit_id,index,rank\n");
        for (i, u) in run.results.unit_ids().iter().enumerate() {
            s.push_str(&format!("{u},{},{}\n", index[i], ranks[i]));
        }
        std::fs::write(out, s).expect("write");
    }
}
