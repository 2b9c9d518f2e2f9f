#[path = "../benches/support/mod.rs"]
mod support;
use std::time::{Duration, Instant};
fn main() {
    let (fw, ds) = support::load_baseline(std::path::Path::new("bench-data"), 100000, 67, 1).unwrap();
    let p = support::score_pipeline();
    let only_norm = zhili::Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    let only_agg = zhili::Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    let mut m = [Duration::MAX; 3];
    for _ in 0..25 {
        let t = Instant::now();
        let r = p.score(&fw, &ds).unwrap();
        m[0] = m[0].min(t.elapsed());
        let t = Instant::now();
        let _ = only_norm.score(&fw, &ds).unwrap();
        m[1] = m[1].min(t.elapsed());
        let t = Instant::now();
        let _ = only_agg.score(&fw, &ds).unwrap();
        m[2] = m[2].min(t.elapsed());
        drop(r);
    }
    println!("min: full {:?} norm+agg {:?} agg {:?}", m[0], m[1], m[2]);
}
