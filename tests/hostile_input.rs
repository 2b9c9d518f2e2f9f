//! Issue 19: hostile input never aborts, never gives a silent non-finite result, never guesses.
//! One test (or more) per class; the catalogue is docs/bad-input.md.
#![allow(clippy::unwrap_used)]

mod common;
use common::zhili;

use zhili::analysis::uncertainty::{self as ua, Factor, Monitor, UncertaintyOptions};
use zhili::{Dataset, Framework, Pipeline};

const FACTORS: &str = "[[factors]]\ntype = \"weights\"\nspread = 0.25\nlevels = [1]\n[[factors]]\ntype = \"exclude\"\n";

fn factors_file(dir: &std::path::Path) -> String {
    let p = dir.join("factors.toml");
    std::fs::write(&p, FACTORS).unwrap();
    p.to_str().unwrap().to_owned()
}

// ---- class 1: big requests are refused before they start, never aborted ----

#[test]
fn a_huge_sensitivity_request_is_refused_with_the_memory_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let f = factors_file(dir.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["sensitivity", "--factors", &f, "-n", "1000000000", "-q"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // exit code 1 (an error), not a signal (an abort has no code)
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("GiB of memory") && err.contains("--max-memory") && err.contains("ZHILI_MAX_MEMORY"),
        "{err}"
    );
    assert!(err.contains("内存"), "{err}");
}

#[test]
fn a_request_under_the_limit_runs_and_over_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = factors_file(dir.path());
    // N = 64, k = 2: 256 runs and 100 resamples need a few tens of KiB
    let args = ["sensitivity", "--factors", &f, "-n", "64", "--bootstrap", "100", "-q"];
    let (ok, _, err) = zhili(&[&args[..], &["--max-memory", "1M"]].concat());
    assert!(ok, "{err}");
    let (ok, _, err) = zhili(&[&args[..], &["--max-memory", "4k"]].concat());
    assert!(!ok && err.contains("more than the limit of 4.0 KiB"), "{err}");
    // the environment variable sets the same limit
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(args)
        .env("ZHILI_MAX_MEMORY", "4k")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit of 4.0 KiB"));
    let (ok, _, err) = zhili(&[&args[..], &["--max-memory", "lots"]].concat());
    assert!(!ok && err.contains("--max-memory") && err.contains("lots"), "{err}");
}

#[test]
fn a_data_file_too_big_for_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(&fw, TREE).unwrap();
    let data = dir.path().join("data.csv");
    let mut text = String::from("unit,a,b\n");
    for i in 0..2000 {
        text.push_str(&format!("u{i},{i},{}\n", 2 * i));
    }
    std::fs::write(&data, &text).unwrap();
    let args = ["score", "-f", fw.to_str().unwrap(), "-d", data.to_str().unwrap()];
    let (ok, _, err) = zhili(&[&args[..], &["--max-memory", "16k"]].concat());
    assert!(!ok && err.contains("reading") && err.contains("Csv file of"), "{err}");
    let (ok, _, err) = zhili(&[&args[..], &["--max-memory", "1M"]].concat());
    assert!(ok, "{err}");
}

#[test]
fn a_huge_design_sample_is_refused_in_the_library() {
    let fw = bundled().framework().unwrap();
    let factors = [Factor::Weights {
        spread: 0.2,
        levels: vec![],
        nodes: vec![],
    }];
    let e = ua::sample_design(&fw, &factors, 1_000_000_000_000, 1).unwrap_err();
    assert!(matches!(e, zhili::Error::Memory { .. }), "{e}");
    assert!(ua::sample_design(&fw, &factors, 10, 1).is_ok());
}

#[test]
fn run_scores_stream_to_the_file_and_equal_the_kept_runs() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs.csv");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "--spread",
        "0.3",
        "-n",
        "300",
        "--seed",
        "5",
        "-q",
        "--runs-out",
        runs.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    // the same analysis in the library, runs kept in memory (no sink)
    let b = bundled();
    let (fw, data, pipeline) = (b.framework().unwrap(), b.dataset().unwrap(), b.pipeline().unwrap());
    let opts = UncertaintyOptions {
        runs: 300,
        seed: 5,
        keep_runs: true,
        ..UncertaintyOptions::default()
    };
    let factors = [Factor::Weights {
        spread: 0.3,
        levels: vec![],
        nodes: vec![],
    }];
    let res = ua::uncertainty(&fw, &data, &pipeline, &factors, &opts, Monitor::default()).unwrap();
    let kept = res.run_scores.unwrap();
    let text = std::fs::read_to_string(&runs).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[1..], res.unit_ids.iter().map(String::as_str).collect::<Vec<_>>()[..]);
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').skip(1).map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 300);
    for (r, row) in rows.iter().enumerate() {
        assert_eq!(row[..], kept.row(r).to_vec()[..], "run {}", r + 1);
    }
}

fn bundled() -> &'static zhili::indicators::Bundled {
    zhili::indicators::get(zhili::indicators::DEFAULT).unwrap()
}

// ---- class 2: no silent non-finite results ----

const TREE: &str = r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "a"
parent = "index"
[[nodes]]
id = "b"
parent = "index"
"#;

fn score(fw_toml: &str, rows: &[(&str, f64, f64)], pipeline: &str) -> zhili::Result<zhili::Run> {
    let fw = Framework::from_toml_str(fw_toml)?;
    let units = rows.iter().map(|r| r.0.to_owned()).collect();
    let values = ndarray::Array2::from_shape_vec((rows.len(), 2), rows.iter().flat_map(|r| [r.1, r.2]).collect()).unwrap();
    let data = Dataset::new(units, vec!["a".into(), "b".into()], values)?;
    let p = Pipeline::from_toml_str(&format!("version = 1\n{pipeline}"))?;
    // both paths: every stage kept, and the streaming path
    let streamed = p.score(&fw, &data);
    let run = p.run(&fw, &data);
    match (&streamed, &run) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        _ => panic!("the paths disagree: {streamed:?} vs {run:?}"),
    }
    if let (Err(s), Err(r)) = (&streamed, &run) {
        assert_eq!(s.to_string(), r.to_string());
    }
    run
}

const MINMAX: &str = "[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n";

#[test]
fn values_near_the_f64_range_are_an_error_naming_step_node_and_unit() {
    // max − min overflows to inf: min-max would give NaN for every unit
    let e = score(TREE, &[("u1", -1e308, 1.0), ("u2", 1e308, 2.0), ("u3", 0.0, 3.0)], MINMAX).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("normalised") && m.contains("node `a`") && m.contains("unit `u"), "{m}");
    // the same data scaled down is fine
    assert!(score(TREE, &[("u1", -1e300, 1.0), ("u2", 1e300, 2.0), ("u3", 0.0, 3.0)], MINMAX).is_ok());
}

#[test]
fn denormals_give_finite_scores_or_an_error() {
    let r = score(TREE, &[("u1", 5e-324, 1.0), ("u2", 1e-310, 2.0), ("u3", 0.0, 3.0)], MINMAX);
    if let Ok(run) = r {
        assert!(run.results.scores().iter().all(|v| v.is_finite()));
    }
    let z = "[[steps]]\ntype = \"normalise\"\nmethod = \"zscore\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n";
    if let Ok(run) = score(TREE, &[("u1", 5e-324, 1.0), ("u2", 1e-310, 2.0), ("u3", 0.0, 3.0)], z) {
        assert!(run.results.scores().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn sibling_weights_that_overflow_are_refused_by_the_validator() {
    let fw = TREE.replace("parent = \"index\"", "parent = \"index\"\nweight = 1e308");
    let e = Framework::from_toml_str(&fw).unwrap_err().to_string();
    assert!(e.contains("node `index`") && e.contains("weights"), "{e}");
}

#[test]
fn a_generalised_mean_that_overflows_is_an_error() {
    let p = "[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\n[[steps]]\ntype = \"aggregate\"\nmethod = \"generalised\"\np = 1e6\n";
    let e = score(TREE, &[("u1", 1.0, 5.0), ("u2", 2.0, 7.0), ("u3", 3.0, 6.0)], p).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("aggregate") && m.contains("node `index`") && m.contains("unit `"), "{m}");
}

#[test]
fn scaled_with_a_zero_scale_is_refused() {
    let p = "[[steps]]\ntype = \"normalise\"\nmethod = \"scaled\"\nscale = 0.0\n[[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n";
    let e = score(TREE, &[("u1", 1.0, 5.0), ("u2", 2.0, 7.0)], p).unwrap_err();
    assert!(e.to_string().contains("scale ≠ 0"), "{e}");
}

#[test]
fn analysis_parameters_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let f = factors_file(dir.path());
    for (flag, value, want) in [
        ("--confidence", "1.5", "confidence"),
        ("--confidence", "0", "confidence"),
        ("--bootstrap", "1", "bootstrap"),
    ] {
        let (ok, _, err) = zhili(&["sensitivity", "--factors", &f, "-n", "8", "-q", flag, value]);
        assert!(!ok && err.contains(want), "{flag} {value}: {err}");
    }
    let (ok, _, err) = zhili(&["audit", "--collinear", "NaN"]);
    assert!(!ok && err.contains("collinear"), "{err}");
}

#[test]
fn replayed_sibling_weights_all_zero_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fw = bundled().framework().unwrap();
    let root = &fw.nodes()[fw.root()];
    let kids: Vec<&str> = root.children.iter().map(|&c| fw.nodes()[c].id.as_str()).collect();
    let header: Vec<String> = kids.iter().map(|k| format!("w:{k}")).collect();
    let zeros = vec!["0"; kids.len()].join(",");
    let design = dir.path().join("design.csv");
    std::fs::write(&design, format!("run,{}\n1,{zeros}\n", header.join(","))).unwrap();
    let (ok, _, err) = zhili(&["uncertainty", "--replay", design.to_str().unwrap(), "-q"]);
    assert!(!ok && err.contains("run 1") && err.contains(&format!("`{}`", root.id)), "{err}");
}

// ---- class 5: no guesses ----

#[test]
fn data_without_a_unit_column_is_refused_naming_the_columns_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(&fw, TREE).unwrap();
    let data = dir.path().join("data.csv");
    std::fs::write(&data, "a,b\n1,2\n3,4\n").unwrap();
    let (ok, _, err) = zhili(&["score", "-f", fw.to_str().unwrap(), "-d", data.to_str().unwrap()]);
    assert!(
        !ok && err.contains("uCode") && err.contains("--unit-column") && err.contains("`a`"),
        "{err}"
    );
    // naming it works
    std::fs::write(&data, "region,a,b\nx,1,2\ny,3,4\n").unwrap();
    let (ok, _, err) = zhili(&["score", "-f", fw.to_str().unwrap(), "-d", data.to_str().unwrap()]);
    assert!(ok, "{err}");
}

#[test]
fn imeta_without_parent_names_the_missing_column_first() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("meta.csv");
    std::fs::write(
        &meta,
        "iCode,Type,Weight,Direction\nindex,Aggregate,1,\na,Indicator,1,1\nb,Indicator,1,1\n",
    )
    .unwrap();
    let (ok, _, err) = zhili(&["validate", "-f", meta.to_str().unwrap()]);
    assert!(!ok && err.contains("missing column `Parent`"), "{err}");
    // one root cause, no follow-on problems
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn a_design_with_a_duplicated_weight_column_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("design.csv");
    std::fs::write(&design, "run,w:a,w:b,w:a\n1,1,2,3\n").unwrap();
    let (ok, _, err) = zhili(&["uncertainty", "--replay", design.to_str().unwrap(), "-q"]);
    assert!(!ok && err.contains("columns 2 and 4 are both `w:a`"), "{err}");
}

#[test]
fn a_huge_cell_is_cut_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(&fw, TREE).unwrap();
    let data = dir.path().join("data.csv");
    let cell = "x".repeat(1 << 20);
    std::fs::write(&data, format!("unit,a,b\nu1,1,2\nu2,{cell},4\n")).unwrap();
    let (ok, _, err) = zhili(&["score", "-f", fw.to_str().unwrap(), "-d", data.to_str().unwrap()]);
    assert!(
        // cut (the reader itself quotes a prefix of a bad cell)
        !ok && err.contains("… (") && !err.contains(&"x".repeat(81)) && err.len() < 1000,
        "{}",
        &err[..err.len().min(2000)]
    );
}
