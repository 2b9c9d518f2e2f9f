#[path = "../benches/support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
fn main() {
    let (fw, ds) = support::load_baseline(std::path::Path::new("bench-data"), 100000, 67, 1).unwrap();
    let p = support::score_pipeline();
    let mut m = Duration::MAX;
    let n: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(60);
    for _ in 0..n {
        let t = Instant::now(); let r = p.score(&fw, &ds).unwrap(); let _ = r.results.index_ranks(); m = m.min(t.elapsed());
    }
    println!("min: full+rank {:?}", m);
}
