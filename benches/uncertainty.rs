#![allow(clippy::unwrap_used)]
#![allow(missing_docs)]
//! Criterion benchmarks of the uncertainty and sensitivity analyses (fixed seeds).
//!
//! - `ua_asem/51x49/N1000`: COINr's uncertainty analysis of its ASEM example (weights of
//!   levels 1–3 × U(0.75, 1.25), min-max [1,100] or z-score (10,2), arithmetic or geometric
//!   mean), 1,000 runs. COINr 1.1.14 takes 171 s for this on the reference machine.
//! - `sobol_asem/51x49/N1000`: the same three factors, Sobol N = 1,000 → 5,000 runs,
//!   output = mean absolute rank shift, 100 bootstrap resamples (COINr: 1,044 s).
//! - `ua_synthetic/{n}x67/R1000`: the numpy peer's factor definitions on its synthetic data
//!   (`bench-data/`, else data of the same shape): weights × U(0.75,1.25), min-max or z-score.

mod support;

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use zhili::analysis::sensitivity::{sensitivity, Bootstrap, SaOutput, SensitivityOptions};
use zhili::analysis::uncertainty::{uncertainty, AnalysisSpec, Monitor, UncertaintyOptions};

const ASEM_FACTORS: &str = r#"
[[factors]]
type = "weights"
spread = 0.25
levels = [1, 2, 3]
[[factors]]
type = "normalise"
choices = [{ method = "minmax", lo = 1.0, hi = 100.0 }, { method = "zscore", mean = 10.0, sd = 2.0 }]
[[factors]]
type = "aggregate"
choices = [{ method = "arithmetic" }, { method = "geometric" }]
"#;

const SYNTH_FACTORS: &str = r#"
[[factors]]
type = "weights"
spread = 0.25
[[factors]]
type = "normalise"
choices = [{ method = "minmax", lo = 0.0, hi = 100.0 }, { method = "zscore", population = true }]
"#;

fn bench_asem(c: &mut Criterion) {
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
    let spec = AnalysisSpec::from_toml_named(ASEM_FACTORS, "bench").expect("factors");
    let mut g = c.benchmark_group("ua_asem");
    g.sample_size(20);
    g.bench_function("51x49/N1000", |b| {
        b.iter(|| {
            let opts = UncertaintyOptions {
                runs: 1000,
                seed: 42,
                ..Default::default()
            };
            criterion::black_box(uncertainty(&fw, &ds, &p, &spec.factors, &opts, Monitor::default()).expect("ua"))
        })
    });
    g.finish();
    let mut g = c.benchmark_group("sobol_asem");
    g.sample_size(10);
    g.bench_function("51x49/N1000", |b| {
        b.iter(|| {
            let opts = SensitivityOptions {
                n: 1000,
                seed: 42,
                output: SaOutput::MeanAbsRankShift,
                bootstrap: Bootstrap {
                    resamples: 100,
                    confidence: 0.95,
                    seed: 1,
                },
                chunk: None,
            };
            criterion::black_box(sensitivity(&fw, &ds, &p, &spec.factors, &opts, Monitor::default()).expect("sa"))
        })
    });
    g.finish();
}

fn bench_synthetic(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    let p = support::score_pipeline();
    let spec = AnalysisSpec::from_toml_named(SYNTH_FACTORS, "bench").expect("factors");
    let mut g = c.benchmark_group("ua_synthetic");
    g.sample_size(10);
    let n = 2_844usize;
    let (fw, ds) = support::load_baseline(&dir, n, 67, 1).unwrap_or_else(|| support::synthetic(n, 67));
    g.bench_function(format!("{n}x67/R1000"), |b| {
        b.iter(|| {
            let opts = UncertaintyOptions {
                runs: 1000,
                seed: 42,
                ..Default::default()
            };
            criterion::black_box(uncertainty(&fw, &ds, &p, &spec.factors, &opts, Monitor::default()).expect("ua"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_asem, bench_synthetic);
criterion_main!(benches);
