//! The `zhili` command end to end.

mod common;

use std::process::Command;

fn zhili(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhili")).args(args).output().expect("run zhili");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn score_without_arguments_prints_a_ranked_table() {
    let (ok, out, err) = zhili(&["score"]);
    assert!(ok, "{err}");
    assert!(out.contains("rank") && out.lines().count() > 10, "{out}");
}

#[test]
fn score_writes_csv_with_every_node_and_full_precision() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scores.csv");
    let f = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let d = common::fixture("coinr-asem/input_ASEM_iData.csv");
    let p = common::fixture("coinr-asem.pipeline.toml");
    let (ok, _, err) = zhili(&[
        "score",
        "-f",
        f.to_str().unwrap(),
        "-d",
        d.to_str().unwrap(),
        "-p",
        p.to_str().unwrap(),
        "--unit-column",
        "uCode",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("unit,") && header.split(',').count() == 61, "{header}");
    // CHE's index from COINr's nominal_07_Aggregated.csv, compared at full precision
    let (units, want) = common::matrix_columns("coinr-asem/nominal_07_Aggregated.csv", &["Index"]);
    let che = units.iter().position(|u| u == "CHE").unwrap();
    let line = text.lines().find(|l| l.starts_with("CHE,")).unwrap();
    let got: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
    assert!((got - want[[che, 0]]).abs() < 1e-9);
}

#[test]
fn score_writes_a_stage_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imputed.csv");
    let (ok, _, err) = zhili(&["score", "--stage", "imputed", "--format", "csv", "-o", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("unit,"));
    let (ok, out, err) = zhili(&["score", "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["ranks"].is_object() && v["scores"].is_object());
    let (ok, _, err) = zhili(&["score", "--stage", "nonsense", "--format", "csv"]);
    assert!(!ok && err.contains("nonsense") && !err.contains("panicked"), "{err}");
}

#[test]
fn validate_reports_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"a\"\nparent = \"i\"\ndirection = \"up\"\n[[nodes]]\nid = \"a\"\nparent = \"i\"\n[[nodes]]\nid = \"b\"\nparent = \"ghost\"\n").unwrap();
    let (ok, out, _) = zhili(&["validate", "-f", f.to_str().unwrap()]);
    assert!(!ok);
    for needle in ["duplicate_id", "unknown_direction", "unknown_parent", "ghost"] {
        assert!(out.contains(needle), "{needle} in {out}");
    }
    let good = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let (ok, out, err) = zhili(&["validate", "-f", good.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("49 indicators"), "{out}");
}

#[test]
fn bad_data_is_one_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d.csv");
    std::fs::write(&d, "uCode,LPI\nAUT,high\n").unwrap();
    let f = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let (ok, _, err) = zhili(&["score", "-f", f.to_str().unwrap(), "-d", d.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.starts_with("error:") && !err.contains("panicked"), "{err}");
    let (ok, _, err) = zhili(&["score", "-f", "missing-file.toml"]);
    assert!(!ok && err.contains("missing-file.toml"), "{err}");
}

#[test]
fn frameworks_lists_the_catalogue() {
    let (ok, out, _) = zhili(&["frameworks"]);
    assert!(ok);
    assert!(out.contains(zhili::indicators::DEFAULT));
}
