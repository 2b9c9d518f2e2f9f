//! The `zhili` command end to end.
#![allow(clippy::unwrap_used)]

mod common;
use common::zhili;

#[test]
fn score_without_arguments_prints_a_ranked_table() {
    let (ok, out, err) = zhili(&["score"]);
    assert!(ok, "{err}");
    // kunming-county's own language is Chinese
    assert!(out.contains("排名") && out.lines().count() > 10, "{out}");
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
        "--columns",
        "all",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    // BOM, unit, name, rank, then every node
    assert!(
        header.starts_with("\u{feff}unit,name,rank,") && header.split(',').count() == 63,
        "{header}"
    );
    let index = header.split(',').position(|h| h == "Index").unwrap();
    // CHE's index from COINr's nominal_07_Aggregated.csv, compared at full precision
    let (units, want) = common::matrix_columns("coinr-asem/nominal_07_Aggregated.csv", &["Index"]);
    let che = units.iter().position(|u| u == "CHE").unwrap();
    let line = text.lines().find(|l| l.starts_with("CHE,")).unwrap();
    let got: f64 = line.split(',').nth(index).unwrap().parse().unwrap();
    assert!((got - want[[che, 0]]).abs() < 1e-9);
}

#[test]
fn score_writes_a_stage_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imputed.csv");
    let (ok, _, err) = zhili(&["score", "--stage", "imputed", "--format", "csv", "-o", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("\u{feff}unit,"));
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

#[test]
fn weights_are_computed_written_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w.toml");
    let (ok, stdout, err) = zhili(&["weights", "--method", "entropy", "--lang", "en", "-o", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(stdout.contains("Effective weight"), "{stdout}");
    let w = zhili::io::load_weights(&out).unwrap();
    // every sibling group sums to 1
    let (fw, _) = zhili::io::load_framework(zhili::indicators::DEFAULT).unwrap();
    for n in fw.nodes().iter().filter(|n| !n.children.is_empty()) {
        let s: f64 = n.children.iter().map(|&c| w.weights[&fw.nodes()[c].id]).sum();
        assert!((s - 1.0).abs() < 1e-12, "{}: {s}", n.id);
    }
    let (ok, _, err) = zhili(&["score", "--weights", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, _, err) = zhili(&["weights", "--method", "ahp"]);
    assert!(!ok && err.contains("--ahp"), "{err}");
}

#[test]
fn score_table_has_grades_and_other_samples() {
    let (ok, out, err) = zhili(&["score", "--top", "3"]);
    assert!(ok, "{err}");
    assert!(["优秀", "良好", "一般", "较差"].iter().any(|g| out.contains(g)), "{out}");
    let (ok, out, err) = zhili(&["score", "--sample", "yunnan-129"]);
    assert!(ok, "{err}");
    assert!(out.lines().filter(|l| l.contains('┆')).count() > 129, "129 units and a header");
    let (ok, _, err) = zhili(&["score", "--framework", "kunming-municipal", "--year", "2023"]);
    assert!(ok, "{err}");
    let (ok, _, err) = zhili(&["score", "--sample", "nope"]);
    assert!(!ok && err.contains("nope") && err.contains("yunnan-129"), "{err}");
}

#[test]
fn derive_grid_events_and_households() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("indicators/data");
    let ev = root.join("grid-events-log.csv");
    let pop = root.join("grid-events-population.csv");
    let (ok, out, err) = zhili(&[
        "derive",
        "grid-events",
        "--events",
        ev.to_str().unwrap(),
        "--population",
        pop.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    // the bundled indicator table was derived from the same log: same on-time rate for hongta
    let bundled = std::fs::read_to_string(root.join("grid-events.csv")).unwrap();
    let pick = |text: &str| -> f64 {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let j = header.iter().position(|h| *h == "grid_event_ontime_pct").unwrap();
        lines
            .find(|l| l.starts_with("hongta,"))
            .unwrap()
            .split(',')
            .nth(j)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(pick(&out), pick(&bundled));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("events.csv");
    std::fs::write(
        &bad,
        "unit,category,item,reported_at,closed_at,status,satisfaction\nhongta,警务,治安隐患,2023-13-45 10:00,,open,\n",
    )
    .unwrap();
    let (ok, _, err) = zhili(&[
        "derive",
        "grid-events",
        "--events",
        bad.to_str().unwrap(),
        "--population",
        pop.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("line 2") && !err.contains("panicked"), "{err}");
    let hh = root.join("households.csv");
    let (ok, out, err) = zhili(&["derive", "households", "--households", hh.to_str().unwrap(), "--level", "township"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("unit,") && out.contains("red_households_pct"), "{out}");
}

/// `zhili methods` prints every method of the registries, in the chosen language; an unknown
/// family is refused by name.
#[test]
fn methods_lists_the_registries() {
    let (ok, out, err) = zhili(&["methods", "aggregate", "--lang", "en"]);
    assert!(ok, "{err}");
    for m in zhili::Aggregator::METHODS {
        assert!(out.contains(m), "{m}: {out}");
    }
    assert!(out.contains("weighted median") && !out.contains("minmax"), "{out}");
    let (ok, out, err) = zhili(&["methods", "--lang", "zh"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("熵权法") && out.contains("最小-最大值标准化") && out.contains("加权中位数"),
        "{out}"
    );
    let (ok, _, err) = zhili(&["methods", "aggregation"]);
    assert!(!ok && err.contains("aggregation"), "{err}");
}
