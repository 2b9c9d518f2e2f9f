//! Scoring the bundled data end to end with the bundled pipelines.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ndarray::Array2;
use zhili_core::{Dataset, Direction, Framework, Level, Pipeline, Run};
use zhili_indicators::{get, Bundled, SampleData, CATALOGUE, GOALPOSTS_PIPELINE};

fn run(b: &Bundled, d: &SampleData) -> (Framework, Dataset, Run) {
    let fw = b.framework().expect("framework");
    let ds = d.load().expect("data");
    let p = b.pipeline().unwrap_or_else(|e| panic!("{}: pipeline: {e}", b.name));
    let r = p.run(&fw, &ds).unwrap_or_else(|e| panic!("{} / {}: {e}", b.name, d.name));
    (fw, ds, r)
}

#[test]
fn every_bundled_data_set_scores_without_warnings() {
    for b in CATALOGUE {
        for d in b.datasets {
            let (_, ds, r) = run(b, d);
            let warnings: Vec<String> = r
                .log
                .iter()
                .filter(|e| e.level == Level::Warning)
                .map(|e| format!("{} {} {:?} {:?} {}", e.step, e.action, e.unit, e.indicator, e.detail))
                .collect();
            // documented: COINr's ASEM data lacks Laos' energy consumption, the denominator of
            // Elec and Gas, so those two cells are missing after denominating (as in COINr)
            let expected: &[&str] = if b.name == "asem-coinr" {
                &[
                    "denominate missing_denominator Some(\"LAO\") Some(\"Elec\")",
                    "denominate missing_denominator Some(\"LAO\") Some(\"Gas\")",
                ]
            } else {
                &[]
            };
            let unexpected: Vec<&String> = warnings.iter().filter(|w| !expected.iter().any(|e| w.starts_with(e))).collect();
            assert!(unexpected.is_empty(), "{} / {}: {unexpected:#?}", b.name, d.name);
            assert_eq!(warnings.len(), expected.len(), "{} / {}: {warnings:#?}", b.name, d.name);
            let idx = r.results.index_scores();
            assert_eq!(idx.len(), ds.n_units(), "{} / {}: every unit scored", b.name, d.name);
            assert!(idx.iter().all(|v| v.is_finite()), "{} / {}: finite index", b.name, d.name);
            if b.name != "asem-coinr" {
                assert!(idx.iter().all(|v| (0.0..=100.0).contains(v)), "{} / {}: 0-100", b.name, d.name);
            }
        }
    }
}

#[test]
fn bundled_asem_reproduces_coinr_index() {
    // COINr 1.1.14's own output, copied into the repository's tests/fixtures (see its README)
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/coinr-asem/nominal_07_Aggregated.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("fixture");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(str::to_owned).collect();
    let (ju, ji) = (
        header.iter().position(|h| h == "uCode").expect("uCode"),
        header.iter().position(|h| h == "Index").expect("Index"),
    );
    let b = get("asem-coinr").expect("asem");
    let (_, _, r) = run(b, b.sample().expect("data"));
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let u = &rec[ju];
        let want: f64 = rec[ji].parse().expect("number");
        let i = r.results.unit_ids().iter().position(|x| x == u).expect("unit");
        let got = r.results.index_scores()[i];
        assert!((got - want).abs() <= 1e-9 * (1.0 + want.abs()), "{u}: {got} vs COINr {want}");
        n += 1;
    }
    assert_eq!(n, 51);
}

fn index_by_unit_year(ds: &Dataset, r: &Run) -> Vec<(String, i64, f64)> {
    let t = ds.time().expect("panel");
    let idx = r.results.index_scores();
    r.results
        .unit_ids()
        .iter()
        .enumerate()
        .map(|(k, u)| (u.clone(), t[k], idx[k]))
        .collect()
}

#[test]
fn panel_scores_show_improvement_over_time() {
    for name in ["kunming-county", "kunming-municipal", "five-governances"] {
        let b = get(name).expect("bundled");
        let (_, ds, r) = run(b, b.sample().expect("data"));
        let rows = index_by_unit_year(&ds, &r);
        let mean = |y: i64| {
            let v: Vec<f64> = rows.iter().filter(|x| x.1 == y).map(|x| x.2).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        // the synthetic model improves most units by about a quarter of a standard deviation a year
        assert!(mean(2023) > mean(2021), "{name}: mean 2021 {} vs 2023 {}", mean(2021), mean(2023));
    }
}

/// Two years of the same data except `unit`, whose every indicator moves `step` of its
/// goalpost range in the good direction (clamped to the goalposts) in the second year.
fn improved_panel(fw: &Framework, base: &Dataset, unit: &str, step: f64) -> Dataset {
    let x = base.aligned_values(fw).expect("aligned");
    let n = x.nrows();
    let k = base.unit_ids().iter().position(|u| u == unit).expect("unit");
    let mut two = Array2::from_elem((2 * n, x.ncols()), f64::NAN);
    two.slice_mut(ndarray::s![..n, ..]).assign(&x);
    two.slice_mut(ndarray::s![n.., ..]).assign(&x);
    for (j, &node) in fw.indicators().iter().enumerate() {
        let nd = &fw.nodes()[node];
        let [lo, hi] = nd.goalposts.expect("goalposts");
        let d = step * (hi - lo) * if nd.direction == Direction::Cost { -1.0 } else { 1.0 };
        let v = two[[n + k, j]];
        assert!(!v.is_nan(), "pick a unit without missing values");
        two[[n + k, j]] = (v + d).clamp(lo, hi);
        assert!(two[[n + k, j]] != v, "{}: no room to improve", nd.id);
    }
    let units: Vec<String> = base.unit_ids().iter().chain(base.unit_ids()).cloned().collect();
    let time: Vec<i64> = std::iter::repeat_n(2022, n).chain(std::iter::repeat_n(2023, n)).collect();
    let ids: Vec<String> = fw.indicator_ids().iter().map(|s| (*s).to_owned()).collect();
    Dataset::panel(units, time, ids, two).expect("panel")
}

#[test]
fn a_unit_whose_raw_indicators_all_improve_gains_score() {
    let minmax = Pipeline::from_toml_str(
        "version = 1\n[[steps]]\ntype = \"impute\"\nmethod = \"mean\"\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
    )
    .expect("minmax pipeline");
    let goalposts = Pipeline::from_toml_str(GOALPOSTS_PIPELINE).expect("goalposts pipeline");
    for name in ["kunming-county", "kunming-municipal", "five-governances"] {
        let b = get(name).expect("bundled");
        let fw = b.framework().expect("fw");
        let base = b.dataset_at(Some(2022)).expect("2022");
        let panel = improved_panel(&fw, &base, "xundian", 0.05);
        for (label, p) in [("goalposts", &goalposts), ("global min-max", &minmax)] {
            let r = p.run(&fw, &panel).expect("run");
            let rows = index_by_unit_year(&panel, &r);
            let score = |u: &str, y: i64| rows.iter().find(|x| x.0 == u && x.1 == y).map(|x| x.2).expect("row");
            let (before, after) = (score("xundian", 2022), score("xundian", 2023));
            assert!(after > before, "{name} ({label}): xundian {before} -> {after}");
            if label == "goalposts" {
                // fixed goalposts: nobody else moves
                for u in base.unit_ids().iter().filter(|u| *u != "xundian") {
                    assert!((score(u, 2022) - score(u, 2023)).abs() < 1e-12, "{name}: {u} moved");
                }
            }
            // every dimension of the improved unit gains too
            let fwr = &r.results;
            let root = fw.root();
            let k22 = rows.iter().position(|x| x.0 == "xundian" && x.1 == 2022).expect("k");
            let k23 = rows.iter().position(|x| x.0 == "xundian" && x.1 == 2023).expect("k");
            for &d in &fw.nodes()[root].children {
                let s = fwr.node_scores(&fw.nodes()[d].id).expect("dim");
                assert!(s[k23] > s[k22], "{name} ({label}): dimension {}", fw.nodes()[d].id);
            }
        }
    }
}
