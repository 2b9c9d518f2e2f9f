#![allow(clippy::unwrap_used)]
#![allow(missing_docs)]
//! Criterion benchmarks of the full pipeline on the numpy peer's synthetic data
//! (`benches/compare_numpy.py` generates it into `bench-data/`; without it, data of the
//! same shape is generated here). Sizes are in the benchmark id: `{units}x{indicators}`.

mod support;

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn bench_score(c: &mut Criterion) {
    let mut g = c.benchmark_group("score");
    g.sample_size(20);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    let pipeline = support::score_pipeline();
    for n in [2_844usize, 100_000] {
        let (fw, ds) = support::load_baseline(&dir, n, 67, 1).unwrap_or_else(|| support::synthetic(n, 67));
        g.bench_with_input(BenchmarkId::new("impute_minmax_arith_rank", format!("{n}x67")), &n, |b, _| {
            b.iter(|| {
                let run = pipeline.score(&fw, &ds).expect("score");
                criterion::black_box(run.results.index_ranks())
            })
        });
    }
    g.finish();
}

fn bench_coinr_asem(c: &mut Criterion) {
    // COINr's full example (denominate, group imputation, screen, winsorise, min-max, arithmetic): 51 x 49.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coinr-asem");
    let Ok((fw, _)) = zhili::io::load_framework(root.join("input_ASEM_iMeta.csv").to_str().unwrap_or_default()) else {
        return;
    };
    let Ok(ds) = zhili::io::read_dataset(
        &root.join("input_ASEM_iData.csv"),
        &fw,
        &zhili::io::DataOptions {
            unit_column: Some("uCode".into()),
            ..Default::default()
        },
    ) else {
        return;
    };
    let p = zhili::Pipeline::from_toml_str(include_str!("../tests/fixtures/coinr-asem.pipeline.toml")).expect("pipeline");
    c.bench_function("coinr_asem_full/51x49", |b| {
        b.iter(|| criterion::black_box(p.run(&fw, &ds).expect("run")))
    });
}

criterion_group!(benches, bench_score, bench_coinr_asem);
criterion_main!(benches);
