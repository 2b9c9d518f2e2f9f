#[path = "../benches/support/mod.rs"]
mod support;
use std::time::Instant;
fn main() {
    let (fw, ds) = support::load_baseline(std::path::Path::new("bench-data"), 100000, 67, 1).unwrap();
    let p = support::score_pipeline();
    let only_norm = zhili::Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    let only_agg = zhili::Pipeline::from_toml_str("version = 1\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n").unwrap();
    for _ in 0..5 {
        let t = Instant::now(); let r = p.score(&fw, &ds).unwrap(); let t1 = t.elapsed();
        let t = Instant::now(); let _ = only_norm.score(&fw, &ds).unwrap(); let t2 = t.elapsed();
        let t = Instant::now(); let _ = only_agg.score(&fw, &ds).unwrap(); let t3 = t.elapsed();
        let t = Instant::now(); let _x = r.results.index_ranks(); let t4 = t.elapsed();
        let t = Instant::now(); let _u = ds.unit_ids().to_vec(); let t5 = t.elapsed();
        let t = Instant::now(); let _s = ndarray::Array2::<f64>::from_elem((100000, 73), f64::NAN); let t6 = t.elapsed();
        println!("full {t1:?} norm+agg {t2:?} agg {t3:?} rank {t4:?} ids {t5:?} alloc {t6:?} log {}", r.log.len());
    }
}
