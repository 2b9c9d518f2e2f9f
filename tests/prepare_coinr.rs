//! Golden tests: the preparation steps against COINr 1.1.14 on the ASEM example
//! (fixtures in `tests/fixtures/coinr-asem`, see the README there).
//!
//! Each step is applied to the PREVIOUS COINr stage file and must reproduce the next
//! stage file to 1e-9; the whole chain from the raw data is checked too.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use common::{asem_dataset, asem_framework, assert_close, matrix_columns, read_table};
use ndarray::{Array2, ShapeBuilder};
use zhili_core::pipeline::{StageData, StepInput, StepOutput};
use zhili_core::prepare::{Denominate, Impute, ImputeMethod, Screen, Treat, TreatMethod, WinMark};
use zhili_core::{Dataset, Framework};

const TOL: f64 = 1e-9;
const DIR: &str = "coinr-asem";

/// A COINr stage file as a stage of `ds` (rows = dataset rows of the file's units, framework order).
fn stage_file(fw: &Framework, ds: &Dataset, file: &str) -> StageData {
    let ids = fw.indicator_ids();
    let (units, m) = matrix_columns(&format!("{DIR}/{file}"), &ids);
    let rows: Vec<usize> = units
        .iter()
        .map(|u| {
            ds.unit_ids()
                .iter()
                .position(|d| d == u)
                .unwrap_or_else(|| panic!("{file}: unknown unit {u}"))
        })
        .collect();
    // Put the units in dataset order, as the pipeline does.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&k| rows[k]);
    let mut values = Array2::zeros((rows.len(), ids.len()).f());
    values.assign(&m.select(ndarray::Axis(0), &order));
    StageData {
        units: order.iter().map(|&k| rows[k]).collect(),
        values,
    }
}

fn unit_ids(ds: &Dataset, data: &StageData) -> Vec<String> {
    data.units.iter().map(|&r| ds.unit_ids()[r].clone()).collect()
}

fn assert_stage(what: &str, fw: &Framework, ds: &Dataset, got: &StageData, want_file: &str) {
    let want = stage_file(fw, ds, want_file);
    assert_eq!(got.units, want.units, "{what}: units");
    assert_close(what, &unit_ids(ds, got), &fw.indicator_ids(), &got.values, &want.values, TOL);
}

fn apply<F>(fw: &Framework, ds: &Dataset, data: &StageData, f: F) -> StepOutput
where
    F: FnOnce(&StepInput<'_>) -> zhili_core::Result<StepOutput>,
{
    f(&StepInput {
        framework: fw,
        dataset: ds,
        data,
    })
    .unwrap_or_else(|e| panic!("step failed: {e}"))
}

fn impute_step() -> Impute {
    Impute {
        method: ImputeMethod::GroupMean,
        group: Some("EurAsia_group".into()),
    }
}

fn treat_step() -> Treat {
    Treat {
        method: TreatMethod::Winsorise,
        max_points: 5,
        skew: 2.0,
        kurtosis: 3.5,
        ..Treat::default()
    }
}

fn raw_stage(fw: &Framework, ds: &Dataset) -> StageData {
    let raw = ds.aligned_values(fw).expect("aligned");
    let mut values = Array2::zeros(raw.dim().f());
    values.assign(&raw);
    StageData {
        units: (0..ds.n_units()).collect(),
        values,
    }
}

#[test]
fn raw_matches_coinr_raw() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    assert_stage("raw", &fw, &ds, &raw_stage(&fw, &ds), "nominal_01_Raw.csv");
}

#[test]
fn denominate_reproduces_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = stage_file(&fw, &ds, "nominal_01_Raw.csv");
    let out = apply(&fw, &ds, &input, |i| Denominate { scale: 1.0 }.apply(i));
    assert_stage("denominated", &fw, &ds, &out.data, "nominal_02_Denominated.csv");
    // one info entry per denominated indicator, exactly COINr's list
    let specs = read_table(&format!("{DIR}/step_denominate_specs.csv"));
    let mut want: Vec<(String, String)> = specs.column("iCode").into_iter().zip(specs.column("Denominator")).collect();
    let mut got: Vec<(String, String)> = out
        .log
        .iter()
        .filter(|l| l.action == "denominated")
        .map(|l| {
            let ind = l.indicator.as_deref().expect("indicator").to_owned();
            let den = fw.node(&ind).expect("node").denominator.clone().expect("denominator");
            (ind, den)
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // LAO has no Energy value: its Elec and Gas become missing, with a warning each
    // (COINr gives NA there too, imputed at the next step).
    let mut warned: Vec<(&str, &str)> = out
        .log
        .iter()
        .filter(|l| l.level == zhili_core::log::Level::Warning)
        .map(|l| (l.unit.as_deref().unwrap_or(""), l.indicator.as_deref().unwrap_or("")))
        .collect();
    warned.sort();
    assert_eq!(warned, vec![("LAO", "Elec"), ("LAO", "Gas")]);
}

#[test]
fn impute_reproduces_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = stage_file(&fw, &ds, "nominal_02_Denominated.csv");
    let out = apply(&fw, &ds, &input, |i| impute_step().apply(i));
    assert_stage("imputed", &fw, &ds, &out.data, "nominal_03_Imputed.csv");

    // the cell log equals COINr's list of imputed cells
    let cells = read_table(&format!("{DIR}/step_impute_cells.csv"));
    let want: HashMap<(String, String), (String, f64)> = cells
        .rows
        .iter()
        .map(|r| ((r[0].clone(), r[1].clone()), (r[2].clone(), common::parse_num(&r[3]))))
        .collect();
    let got: Vec<_> = out.log.iter().filter(|l| l.action == "imputed").collect();
    assert_eq!(got.len(), want.len(), "number of imputed cells");
    assert_eq!(want.len(), 65);
    for l in got {
        let key = (
            l.unit.as_deref().expect("unit").to_owned(),
            l.indicator.as_deref().expect("indicator").to_owned(),
        );
        let (group, value) = want.get(&key).unwrap_or_else(|| panic!("{key:?} imputed but not by COINr"));
        let v = l.value.expect("value");
        assert!((v - value).abs() <= TOL * (1.0 + value.abs()), "{key:?}: {v} vs {value}");
        assert_eq!(l.detail, format!("mean of group {group}"));
    }
    assert!(out.log.iter().all(|l| l.level == zhili_core::log::Level::Info));
}

#[test]
fn screen_reproduces_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = stage_file(&fw, &ds, "nominal_03_Imputed.csv");
    let screen = Screen {
        min_coverage: 0.9,
        min_nonzero: None,
    };
    let out = apply(&fw, &ds, &input, |i| screen.apply(i));
    assert_stage("screened", &fw, &ds, &out.data, "nominal_04_Screened.csv");
    assert!(out.log.is_empty(), "no unit is screened out in the nominal coin");

    let t = read_table(&format!("{DIR}/step_screen_summary.csv"));
    let rows = screen.summary(&input).expect("summary");
    let ids = unit_ids(&ds, &input);
    let (u, nm, nz, da, nzs, inc) = (
        t.column("uCode"),
        t.numeric("N_missing"),
        t.numeric("N_zero"),
        t.numeric("Dat_Avail"),
        t.numeric("Non_Zero"),
        t.column("Included"),
    );
    for (i, unit) in u.iter().enumerate() {
        let k = ids.iter().position(|x| x == unit).expect("unit");
        let r = rows[k];
        assert_eq!(r.n_missing as f64, nm[i], "{unit} N_missing");
        assert_eq!(r.n_zero as f64, nz[i], "{unit} N_zero");
        assert!((r.coverage - da[i]).abs() <= TOL, "{unit} Dat_Avail");
        assert!((r.nonzero - nzs[i]).abs() <= TOL, "{unit} Non_Zero");
        assert_eq!(r.included, inc[i] == "TRUE", "{unit} Included");
    }
}

#[test]
fn screen_on_raw_data_drops_low_coverage_units() {
    // On the raw data (before imputation), COINr's Dat_Avail is 1 − missing/49.
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = raw_stage(&fw, &ds);
    let screen = Screen::new(0.95);
    let rows = screen.summary(&input).expect("summary");
    let out = apply(&fw, &ds, &input, |i| screen.apply(i));
    let dropped: Vec<&str> = out.log.iter().map(|l| l.unit.as_deref().expect("unit")).collect();
    let want: Vec<&str> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.coverage < 0.95)
        .map(|(k, _)| ds.unit_ids()[k].as_str())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(dropped, want);
    assert_eq!(out.data.units.len() + dropped.len(), ds.n_units());
    for (k, &row) in out.data.units.iter().enumerate() {
        for j in 0..input.values.ncols() {
            let (a, b) = (out.data.values[[k, j]], input.values[[row, j]]);
            assert!(a == b || (a.is_nan() && b.is_nan()));
        }
    }
}

#[test]
fn treat_reproduces_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = stage_file(&fw, &ds, "nominal_04_Screened.csv");
    let out = apply(&fw, &ds, &input, |i| treat_step().apply(i));
    assert_stage("treated", &fw, &ds, &out.data, "nominal_05_Treated.csv");
    assert_stage("treated (winmax5)", &fw, &ds, &out.data, "treat_Screened_winmax5.csv");

    // per-cell log = COINr's Treated_Points
    let pts = read_table(&format!("{DIR}/step_treat_points.csv"));
    let mut want = Vec::new();
    for r in &pts.rows {
        for (j, mark) in r.iter().enumerate().skip(1) {
            match mark.as_str() {
                "" => {}
                "winhi" => want.push((r[0].clone(), pts.header[j].clone(), "winsorised_high")),
                "winlo" => want.push((r[0].clone(), pts.header[j].clone(), "winsorised_low")),
                m => panic!("unexpected mark {m}"),
            }
        }
    }
    let mut got: Vec<(String, String, &str)> = out
        .log
        .iter()
        .filter(|l| l.action.starts_with("winsorised"))
        .map(|l| {
            (
                l.unit.as_deref().expect("unit").to_owned(),
                l.indicator.as_deref().expect("indicator").to_owned(),
                if l.action == "winsorised_high" {
                    "winsorised_high"
                } else {
                    "winsorised_low"
                },
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got.len(), 35);
    assert_eq!(got, want);
    assert!(!out
        .log
        .iter()
        .any(|l| l.action == "log_transformed" || l.level == zhili_core::log::Level::Warning));
}

#[test]
fn treat_details_reproduce_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let input = stage_file(&fw, &ds, "nominal_04_Screened.csv");
    let ids = unit_ids(&ds, &input);
    let treat = treat_step();
    for file in ["step_treat_details.csv", "treat_Screened_winmax5_details.csv"] {
        let t = read_table(&format!("{DIR}/{file}"));
        let pts = read_table(&format!("{DIR}/step_treat_points.csv"));
        let close = |a: f64, b: f64| (a - b).abs() <= TOL * (1.0 + b.abs());
        for r in &t.rows {
            let ind = &r[0];
            let j = fw.indicator_ids().iter().position(|x| x == ind).expect("indicator");
            let mut x = input.values.column(j).to_vec();
            let res = treat.treat_column(&mut x);
            let b = res.before.expect("defined");
            assert_eq!(b.pass, r[1] == "TRUE", "{ind} pass0");
            assert!(close(b.skew, common::parse_num(&r[2])), "{ind} skew0 {} vs {}", b.skew, r[2]);
            assert!(close(b.kurtosis, common::parse_num(&r[3])), "{ind} kurt0");
            if r[4].is_empty() {
                assert_eq!(res.nwin, None, "{ind} nwin");
                assert!(res.after_winsorise.is_none());
            } else {
                assert_eq!(res.nwin.map(|n| n as f64), Some(common::parse_num(&r[4])), "{ind} nwin");
                let a = res.after_winsorise.expect("checked");
                assert_eq!(a.pass, r[5] == "TRUE", "{ind} pass1");
                assert!(close(a.skew, common::parse_num(&r[6])), "{ind} skew1 {} vs {}", a.skew, r[6]);
                assert!(close(a.kurtosis, common::parse_num(&r[7])), "{ind} kurt1");
            }
            assert!(res.log_transform.is_none());
            // points of this indicator
            let col = pts.col(ind);
            let mut want: Vec<(String, WinMark)> = pts
                .rows
                .iter()
                .filter(|p| !p[col].is_empty())
                .map(|p| (p[0].clone(), if p[col] == "winhi" { WinMark::High } else { WinMark::Low }))
                .collect();
            let mut got: Vec<(String, WinMark)> = res.points.iter().map(|&(k, m)| (ids[k].clone(), m)).collect();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            got.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got, want, "{ind} points");
        }
    }
}

/// A preparation step as a function of its input.
type StepFn = dyn Fn(&StepInput<'_>) -> zhili_core::Result<StepOutput>;

#[test]
fn whole_chain_from_raw_reproduces_coinr() {
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let mut data = raw_stage(&fw, &ds);
    let steps: [(&str, &StepFn); 4] = [
        ("nominal_02_Denominated.csv", &|i| Denominate::default().apply(i)),
        ("nominal_03_Imputed.csv", &|i| impute_step().apply(i)),
        ("nominal_04_Screened.csv", &|i| Screen::new(0.9).apply(i)),
        ("nominal_05_Treated.csv", &|i| treat_step().apply(i)),
    ];
    for (file, f) in steps {
        data = apply(&fw, &ds, &data, f).data;
        assert_stage(file, &fw, &ds, &data, file);
    }
}

#[test]
fn pipeline_document_parses_with_defaults() {
    let p = zhili_core::pipeline::Pipeline::from_toml_str(
        r#"
version = 1
[[steps]]
type = "denominate"
[[steps]]
type = "impute"
method = "group_mean"
group = "EurAsia_group"
[[steps]]
type = "screen"
min_coverage = 0.9
[[steps]]
type = "treat"
method = "winsorise"
max_points = 5
skew = 2.0
kurtosis = 3.5
[[steps]]
type = "aggregate"
method = "arithmetic"
"#,
    )
    .expect("pipeline");
    use zhili_core::pipeline::Step;
    assert_eq!(p.steps[0], Step::Denominate(Denominate::default()));
    assert_eq!(p.steps[1], Step::Impute(impute_step()));
    assert_eq!(p.steps[2], Step::Screen(Screen::new(0.9)));
    assert_eq!(p.steps[3], Step::Treat(treat_step()));
    // round trip keeps the document minimal (no new keys for default options)
    let s = p.to_toml_string().expect("toml");
    assert!(!s.contains("min_nonzero") && !s.contains("skip") && !s.contains("log ="), "{s}");
}

#[test]
fn stats_helpers_match_coinr_stats_tables() {
    use zhili_core::prepare::stats;
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    for (stage, file) in [
        ("nominal_04_Screened.csv", "stats_Screened.csv"),
        ("nominal_05_Treated.csv", "stats_Treated.csv"),
    ] {
        let data = stage_file(&fw, &ds, stage);
        let t = read_table(&format!("{DIR}/{file}"));
        let close = |a: f64, b: f64| (a - b).abs() <= TOL * (1.0 + b.abs());
        for (i, ind) in t.column("iCode").iter().enumerate() {
            let j = fw.indicator_ids().iter().position(|x| x == ind).expect("indicator");
            let x = data.values.column(j).to_vec();
            let (lo, hi) = stats::min_max(&x);
            for (name, got) in [
                ("Min", lo),
                ("Max", hi),
                ("Mean", stats::mean(&x)),
                ("Median", stats::median(&x)),
                ("Std", stats::sd(&x)),
                ("Skew", stats::skew(&x)),
                ("Kurt", stats::kurtosis(&x)),
            ] {
                let want = t.numeric(name)[i];
                assert!(close(got, want), "{file} {ind} {name}: {got} vs {want}");
            }
        }
    }
}

#[test]
fn pipeline_run_through_treat_reproduces_coinr_stages_and_log() {
    // The nominal document without normalisation (aggregation of raw treated values is
    // not COINr's, but every preparation stage and the log are).
    let fw = asem_framework();
    let ds = asem_dataset(&fw);
    let text = std::fs::read_to_string(common::fixture("coinr-asem.pipeline.toml"))
        .expect("pipeline fixture")
        .replace("[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n", "");
    assert!(!text.contains("normalise"));
    let run = zhili_core::Pipeline::from_toml_str(&text)
        .expect("pipeline")
        .run(&fw, &ds)
        .expect("run");
    for (stage, file) in [
        ("raw", "nominal_01_Raw.csv"),
        ("denominated", "nominal_02_Denominated.csv"),
        ("imputed", "nominal_03_Imputed.csv"),
        ("screened", "nominal_04_Screened.csv"),
        ("treated", "nominal_05_Treated.csv"),
    ] {
        assert_stage(stage, &fw, &ds, &run.stage(stage).expect("stage").data, file);
    }
    let t = read_table(&format!("{DIR}/step_treat_details.csv"));
    for (code, nwin) in t.column("iCode").iter().zip(t.column("winsorise.nwin")) {
        let n = run
            .log
            .iter()
            .filter(|e| e.step == "treat" && e.action.starts_with("winsorised") && e.indicator.as_deref() == Some(code))
            .count();
        let want: usize = if nwin.is_empty() { 0 } else { nwin.parse().expect("nwin") };
        assert_eq!(n, want, "winsorised points of {code}");
    }
    assert_eq!(run.log.iter().filter(|e| e.step == "impute" && e.action == "imputed").count(), 65);
    assert_eq!(
        run.log
            .iter()
            .filter(|e| e.step == "denominate" && e.action == "denominated")
            .count(),
        17
    );
}
