#[path = "../benches/support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
fn main() {
    let (fw, ds) = support::load_baseline(std::path::Path::new("bench-data"), 100000, 67, 1).unwrap();
    let p = support::score_pipeline();
    let only_agg = zhili::Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    let mut m = [Duration::MAX; 2];
    for _ in 0..30 {
        let t = Instant::now();
        let r = p.score(&fw, &ds).unwrap();
        let _ = r.results.index_ranks();
        m[0] = m[0].min(t.elapsed());
        let t = Instant::now();
        let _ = only_agg.score(&fw, &ds).unwrap();
        m[1] = m[1].min(t.elapsed());
    }
    println!("min: full+rank {:?} agg {:?}", m[0], m[1]);
}
