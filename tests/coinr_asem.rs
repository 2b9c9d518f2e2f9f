//! Golden test: COINr's example index (ASEM) reproduced stage by stage, through the facade's
//! file readers and the pipeline document, against COINr 1.1.14's own output (tests/fixtures/coinr-asem).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{assert_close, fixture, matrix_columns, read_table};
use zhili::io::{load_framework, read_dataset, DataOptions};
use zhili::{Framework, Pipeline, Run};

const TOL: f64 = 1e-9;

fn setup() -> (Framework, zhili::Dataset) {
    let (fw, _) = load_framework(fixture("coinr-asem/input_ASEM_iMeta.csv").to_str().unwrap()).unwrap();
    let ds = read_dataset(
        &fixture("coinr-asem/input_ASEM_iData.csv"),
        &fw,
        &DataOptions {
            unit_column: Some("uCode".into()),
            ..Default::default()
        },
    )
    .unwrap();
    (fw, ds)
}

fn nominal_pipeline() -> Pipeline {
    zhili::io::load_pipeline(Path::new(&fixture("coinr-asem.pipeline.toml"))).unwrap()
}

fn check_stage(run: &Run, fw: &Framework, ds: &zhili::Dataset, stage: &str, file: &str) {
    let ids = fw.indicator_ids();
    let (units, want) = matrix_columns(file, &ids);
    let st = run.stage(stage).unwrap_or_else(|| panic!("no stage {stage}"));
    let got_units: Vec<String> = st.data.units.iter().map(|&r| ds.unit_ids()[r].clone()).collect();
    // COINr's files are sorted by unit code; align by id.
    let order: Vec<usize> = units
        .iter()
        .map(|u| {
            got_units
                .iter()
                .position(|g| g == u)
                .unwrap_or_else(|| panic!("{stage}: unit {u} missing"))
        })
        .collect();
    let got = st.data.values.select(ndarray::Axis(0), &order);
    assert_close(&format!("{stage} vs {file}"), &units, &ids, &got, &want, TOL);
}

fn check_aggregated(run: &Run, file: &str, ranks_file: Option<&str>) {
    let res = &run.results;
    let nodes: Vec<&str> = res.node_ids().iter().map(String::as_str).collect();
    let (units, want) = matrix_columns(file, &nodes);
    let order: Vec<usize> = units.iter().map(|u| res.unit_ids().iter().position(|g| g == u).unwrap()).collect();
    let got = res.scores().select(ndarray::Axis(0), &order);
    assert_close(&format!("aggregated vs {file}"), &units, &nodes, &got, &want, TOL);
    if let Some(rf) = ranks_file {
        let (units, want) = matrix_columns(rf, &nodes);
        let got = res.ranks().select(ndarray::Axis(0), &order);
        assert_close(&format!("ranks vs {rf}"), &units, &nodes, &got, &want, 0.0);
    }
}

#[test]
fn nominal_pipeline_every_stage_and_ranks() {
    let (fw, ds) = setup();
    let run = nominal_pipeline().run(&fw, &ds).unwrap();
    check_stage(&run, &fw, &ds, "raw", "coinr-asem/nominal_01_Raw.csv");
    check_stage(&run, &fw, &ds, "denominated", "coinr-asem/nominal_02_Denominated.csv");
    check_stage(&run, &fw, &ds, "imputed", "coinr-asem/nominal_03_Imputed.csv");
    check_stage(&run, &fw, &ds, "screened", "coinr-asem/nominal_04_Screened.csv");
    check_stage(&run, &fw, &ds, "treated", "coinr-asem/nominal_05_Treated.csv");
    check_stage(&run, &fw, &ds, "normalised", "coinr-asem/nominal_06_Normalised.csv");
    check_aggregated(
        &run,
        "coinr-asem/nominal_07_Aggregated.csv",
        Some("coinr-asem/nominal_07_Aggregated_ranks.csv"),
    );
    // The README's top five.
    let top: Vec<&str> = run
        .results
        .ranking()
        .iter()
        .take(5)
        .map(|&i| run.results.unit_ids()[i].as_str())
        .collect();
    assert_eq!(top, ["CHE", "NLD", "DNK", "NOR", "BEL"]);
}

#[test]
fn treatment_log_matches_coinr_details() {
    let (fw, ds) = setup();
    let run = nominal_pipeline().run(&fw, &ds).unwrap();
    let t = read_table("coinr-asem/step_treat_details.csv");
    for (code, nwin) in t.column("iCode").iter().zip(t.column("winsorise.nwin")) {
        let n = run
            .log
            .iter()
            .filter(|e| e.step == "treat" && e.action.starts_with("winsorised") && e.indicator.as_deref() == Some(code))
            .count();
        let want: usize = if nwin.is_empty() { 0 } else { nwin.parse().unwrap() };
        assert_eq!(n, want, "winsorised points of {code}");
    }
    // every cell marked in COINr's point log is logged here with the same direction
    let pts = read_table("coinr-asem/step_treat_points.csv");
    for row in &pts.rows {
        for (j, mark) in row.iter().enumerate().skip(1) {
            if mark.is_empty() {
                continue;
            }
            let action = if mark == "winhi" { "winsorised_high" } else { "winsorised_low" };
            let found = run.log.iter().any(|e| {
                e.action == action && e.unit.as_deref() == Some(row[0].as_str()) && e.indicator.as_deref() == Some(pts.header[j].as_str())
            });
            assert!(found, "{} {} {}", row[0], pts.header[j], mark);
        }
    }
}

#[test]
fn variant_minmax_1_100_geometric() {
    let (fw, ds) = setup();
    let mut text = std::fs::read_to_string(fixture("coinr-asem.pipeline.toml")).unwrap();
    text = text
        .replace("lo = 0.0", "lo = 1.0")
        .replace("method = \"arithmetic\"", "method = \"geometric\"");
    let run = Pipeline::from_toml_str(&text).unwrap().run(&fw, &ds).unwrap();
    check_stage(
        &run,
        &fw,
        &ds,
        "normalised",
        "coinr-asem/variant_A_minmax1-100_gmean_Normalised.csv",
    );
    check_aggregated(
        &run,
        "coinr-asem/variant_A_minmax1-100_gmean_Aggregated.csv",
        Some("coinr-asem/variant_A_minmax1-100_gmean_Aggregated_ranks.csv"),
    );
}

#[test]
fn variant_minmax_1_100_arithmetic() {
    let (fw, ds) = setup();
    let text = std::fs::read_to_string(fixture("coinr-asem.pipeline.toml"))
        .unwrap()
        .replace("lo = 0.0", "lo = 1.0");
    let run = Pipeline::from_toml_str(&text).unwrap().run(&fw, &ds).unwrap();
    check_aggregated(
        &run,
        "coinr-asem/variant_A0_minmax1-100_amean_Aggregated.csv",
        Some("coinr-asem/variant_A0_minmax1-100_amean_Aggregated_ranks.csv"),
    );
}

#[test]
fn effective_weights_match_coinr() {
    let (fw, _) = setup();
    let ew = fw.effective_weights();
    let t = read_table("coinr-asem/weights_effective.csv");
    for (code, w) in t.column("iCode").iter().zip(t.numeric("EffWeight")) {
        let i = fw.index_of(code).unwrap_or_else(|| panic!("{code}"));
        assert!((ew[i] - w).abs() < 1e-12, "{code}: {} vs {w}", ew[i]);
    }
    assert_eq!(t.rows.len(), fw.nodes().len());
}
