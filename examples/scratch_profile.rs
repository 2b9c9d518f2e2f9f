#[path = "../benches/support/mod.rs"]
mod support;
use std::time::Instant;
use zhili::pipeline::{StageData, StepInput};
fn main() {
    let (fw, ds) = support::load_baseline(std::path::Path::new("bench-data"), 100000, 67, 1).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let raw = ds.aligned_values(&fw).unwrap();
        let t1 = t.elapsed();
        let sd = StageData {
            units: (0..ds.n_units()).collect(),
            values: raw,
        };
        let input = StepInput {
            framework: &fw,
            dataset: &ds,
            data: &sd,
        };
        let t = Instant::now();
        let imp = zhili::prepare::Impute {
            method: zhili::prepare::ImputeMethod::Mean,
            group: None,
        }
        .apply(&input)
        .unwrap();
        let t2 = t.elapsed();
        let nodes: Vec<_> = fw.indicators().iter().map(|&i| &fw.nodes()[i]).collect();
        let t = Instant::now();
        let (z, _, _) = zhili::Normaliser::minmax(0.0, 100.0)
            .fit_transform(imp.data.values.view(), &nodes)
            .unwrap();
        let t3 = t.elapsed();
        let w: Vec<f64> = fw.nodes().iter().map(|n| n.weight).collect();
        let t = Instant::now();
        let s = zhili::Aggregate::default().apply(&fw, &w, z.view(), &[]).unwrap();
        let t4 = t.elapsed();
        let t = Instant::now();
        let r = zhili::rank(s.column(fw.root()), zhili::Ties::Min);
        let t5 = t.elapsed();
        println!(
            "align {t1:?} impute {t2:?} (log {}) minmax {t3:?} agg {t4:?} rank {t5:?} {}",
            imp.log.len(),
            r[0]
        );
    }
}
