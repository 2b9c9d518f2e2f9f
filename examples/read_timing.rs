//! Time zhili's data reader on the numpy peer's files (reading only; best of REPEAT), and
//! optionally write the peer's framework as zhili JSON for the CLI.
//!
//! `cargo run --release --example read_timing -- DATA.csv FRAMEWORK.json REPEAT [ENCODING] [--write-framework OUT.json]`

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: read_timing DATA.csv FRAMEWORK.json REPEAT [ENCODING] [--write-framework OUT.json]");
        std::process::exit(2);
    }
    let fw = support::framework_from_baseline_json(&std::fs::read_to_string(&args[2]).expect("framework"));
    if let Some(i) = args.iter().position(|a| a == "--write-framework") {
        std::fs::write(&args[i + 1], fw.spec().to_json_string().expect("json")).expect("write");
    }
    let opts = zhili::io::DataOptions {
        unit_column: Some("unit_id".into()),
        encoding: args.get(4).filter(|a| !a.starts_with("--")).cloned(),
        ..Default::default()
    };
    let repeat: usize = args[3].parse().expect("repeat");
    let mut times = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let ds = zhili::io::read_dataset(std::path::Path::new(&args[1]), &fw, &opts).unwrap_or_else(|e| panic!("{e}"));
        times.push(t0.elapsed().as_secs_f64());
        shape = ds.values().dim();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"units\": {}, \"indicators\": {}, \"threads\": {}, \"read_best_s\": {:.4}, \"read_median_s\": {:.4}}}",
        shape.0,
        shape.1,
        rayon::current_num_threads(),
        times[0],
        times[times.len() / 2]
    );
}
