//! `zhili report`: the data embedded in the page equal the run (and COINr's numbers), a hostile
//! unit name stays text, both languages, the analyses match `zhili uncertainty` / `sensitivity`.
#![allow(clippy::unwrap_used)]

mod common;
use common::zhili;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The JSON in `<script type="application/json" id="zhili-data">`, parsed independently of
/// `zhili_io::report::extract_data`.
fn embedded(html: &str) -> Value {
    let open = r#"<script type="application/json" id="zhili-data">"#;
    let start = html.find(open).expect("data script") + open.len();
    let end = start + html[start..].find("</script>").expect("end of data script");
    serde_json::from_str(&html[start..end]).expect("valid JSON")
}

fn report(dir: &Path, name: &str, args: &[&str]) -> (String, Value) {
    let out = dir.join(name);
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let (ok, _, err) = zhili(&all);
    assert!(ok, "zhili {all:?}: {err}");
    let html = std::fs::read_to_string(&out).unwrap();
    let v = embedded(&html);
    (html, v)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn embedded_numbers_equal_zhili_score_json() {
    let dir = tempfile::tempdir().unwrap();
    let (html, d) = report(dir.path(), "r.html", &["--lang", "en"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let (ok, out, err) = zhili(&["score", "--format", "json", "--columns", "all"]);
    assert!(ok, "{err}");
    let s: Value = serde_json::from_str(&out).unwrap();
    let index = s["index"].as_str().unwrap();
    assert_eq!(d["index"], index);
    let units: Vec<&str> = s["units"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    let rows = d["units"].as_array().unwrap();
    assert_eq!(rows.len(), units.len());
    let mut prev = f64::INFINITY;
    for r in rows {
        let i = units.iter().position(|u| *u == r["id"].as_str().unwrap()).unwrap();
        // exact: both print the shortest round-trip form of the same f64
        assert_eq!(num(&r["score"]).to_bits(), num(&s["scores"][index][i]).to_bits(), "{}", r["id"]);
        assert_eq!(num(&r["rank"]), num(&s["ranks"][index][i]), "{}", r["id"]);
        assert!(num(&r["score"]) <= prev, "ranking order");
        prev = num(&r["score"]);
        // dimension scores
        for (k, dim) in d["dims"].as_array().unwrap().iter().enumerate() {
            let id = dim[0].as_str().unwrap();
            assert_eq!(num(&r["dims"][k]).to_bits(), num(&s["scores"][id][i]).to_bits(), "{} {id}", r["id"]);
        }
    }
    // effective weights of every node, framework order
    let nodes: Vec<&str> = s["nodes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    for n in d["framework"].as_array().unwrap() {
        let j = nodes.iter().position(|x| *x == n["id"].as_str().unwrap()).unwrap();
        assert_eq!(num(&n["effective_weight"]), num(&s["effective_weights"][j]), "{}", n["id"]);
    }
    // the audit, method and no analysis unless asked
    assert!(d["audit"]["stats"].as_array().unwrap().len() > 5);
    assert!(d["uncertainty"].is_null() && d["sensitivity"].is_null());
    assert!(d["method"]["pipeline_toml"].as_str().unwrap().contains("[[steps]]"));
    assert!(d["meta"]["command"].as_str().unwrap().contains("report --lang en"));
    // self-contained: ECharts inline, nothing fetched
    assert!(html.contains("echarts") && !html.contains("<script src") && !html.contains("<link"));
    assert!(!html.contains("http://") || !html.contains("src=\"http"), "no remote resource");
}

#[test]
fn fingerprint_is_sha256_of_the_raw_stage_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (_, d) = report(dir.path(), "r.html", &[]);
    let raw = dir.path().join("raw.csv");
    let (ok, _, err) = zhili(&["score", "--stage", "raw", "--format", "csv", "-o", raw.to_str().unwrap()]);
    assert!(ok, "{err}");
    // an independent SHA-256: coreutils
    let out = Command::new("sha256sum").arg(&raw).output().expect("sha256sum (coreutils)");
    let want = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_owned();
    assert_eq!(d["meta"]["fingerprint"].as_str().unwrap(), want);
}

#[test]
fn coinr_asem_scores_and_effective_weights() {
    let dir = tempfile::tempdir().unwrap();
    let f = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let data = common::fixture("coinr-asem/input_ASEM_iData.csv");
    let p = common::fixture("coinr-asem.pipeline.toml");
    let (_, d) = report(
        dir.path(),
        "asem.html",
        &[
            "-f",
            f.to_str().unwrap(),
            "-d",
            data.to_str().unwrap(),
            "-p",
            p.to_str().unwrap(),
            "--unit-column",
            "uCode",
            "--no-audit",
        ],
    );
    // COINr 1.1.14's Index and ranks
    let (units, want) = common::matrix_columns("coinr-asem/nominal_07_Aggregated.csv", &["Index"]);
    let (runits, wrank) = common::matrix_columns("coinr-asem/nominal_07_Aggregated_ranks.csv", &["Index"]);
    let rows = d["units"].as_array().unwrap();
    assert_eq!(rows.len(), units.len());
    for r in rows {
        let id = r["id"].as_str().unwrap();
        let i = units.iter().position(|u| u == id).unwrap();
        assert!((num(&r["score"]) - want[[i, 0]]).abs() < 1e-9, "{id}");
        let k = runits.iter().position(|u| u == id).unwrap();
        assert_eq!(num(&r["rank"]), wrank[[k, 0]], "{id}");
    }
    // COINr's effective weights (weights_effective.csv)
    let text = std::fs::read_to_string(common::fixture("coinr-asem/weights_effective.csv")).unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let id = f[0].trim_matches('"');
        let w: f64 = f[3].parse().unwrap();
        let n = d["framework"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap();
        assert!((num(&n["effective_weight"]) - w).abs() < 1e-12, "{id}");
        checked += 1;
    }
    assert!(checked > 50);
    assert!(d["audit"].is_null());
}

#[test]
fn hostile_unit_name_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(
        &fw,
        "version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"a\"\nparent = \"i\"\n[[nodes]]\nid = \"b\"\nparent = \"i\"\n",
    )
    .unwrap();
    let evil = "</script><script>alert(1)</script>";
    let data = dir.path().join("d.csv");
    std::fs::write(&data, format!("unit,a,b\n\"{evil}\",1,2\nok,3,1\n\"<!--x\",2,2\n")).unwrap();
    let (html, d) = report(dir.path(), "evil.html", &["-f", fw.to_str().unwrap(), "-d", data.to_str().unwrap()]);
    assert!(!html.contains("<script>alert(1)"), "the name closed the data script");
    assert!(!html.contains("<!--x"));
    // exactly the page's own three scripts
    assert_eq!(html.matches("</script>").count(), 3);
    let ids: Vec<&str> = d["units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&evil) && ids.contains(&"<!--x"), "{ids:?}");
    // the <title> (framework name) is escaped too
    assert!(html.contains("<title>"));
}

#[test]
fn headings_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (html_zh, zh) = report(dir.path(), "zh.html", &["--lang", "zh"]);
    let (html_en, en) = report(dir.path(), "en.html", &["--lang", "en"]);
    assert!(html_zh.contains(r#"<html lang="zh">"#) && html_en.contains(r#"<html lang="en">"#));
    assert_eq!(zh["labels"]["ranking"], "排名");
    assert_eq!(en["labels"]["ranking"], "Ranking");
    assert_eq!(zh["labels"]["method"], "方法说明");
    // node names follow the language (the default framework has both)
    let root_zh = zh["index_label"].as_str().unwrap();
    let root_en = en["index_label"].as_str().unwrap();
    assert_ne!(root_zh, root_en);
    assert!(root_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{root_zh}");
    // every label has a text in both
    for (k, v) in en["labels"].as_object().unwrap() {
        assert!(
            !v.as_str().unwrap().is_empty() && !zh["labels"][k].as_str().unwrap().is_empty(),
            "{k}"
        );
    }
}

#[test]
fn analyses_equal_the_uncertainty_and_sensitivity_commands() {
    let dir = tempfile::tempdir().unwrap();
    let factors = dir.path().join("factors.toml");
    std::fs::write(
        &factors,
        "[[factors]]\ntype = \"weights\"\nspread = 0.25\nlevels = [1]\n[[factors]]\ntype = \"exclude\"\n",
    )
    .unwrap();
    let fac = factors.to_str().unwrap();
    let (_, d) = report(
        dir.path(),
        "ua.html",
        &[
            "--uncertainty",
            "200",
            "--sensitivity",
            "64",
            "--seed",
            "7",
            "--factors",
            fac,
            "--no-audit",
        ],
    );
    let ua_csv = dir.path().join("ua.csv");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "--factors",
        fac,
        "-n",
        "200",
        "--seed",
        "7",
        "-q",
        "-o",
        ua_csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&ua_csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let u = &d["uncertainty"];
    assert_eq!(u["runs"], 200);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let row = u["units"].as_array().unwrap().iter().find(|r| r["id"] == f[0]).unwrap();
        for (key, c) in [
            ("p5", "p5_rank"),
            ("p95", "p95_rank"),
            ("median", "median_rank"),
            ("nominal", "nominal_rank"),
        ] {
            assert_eq!(num(&row[key]), f[col(c)].parse::<f64>().unwrap(), "{} {key}", f[0]);
        }
        assert!(num(&row["p5"]) <= num(&row["median"]) && num(&row["median"]) <= num(&row["p95"]));
    }
    let sa_csv = dir.path().join("sa.csv");
    let (ok, _, err) = zhili(&[
        "sensitivity",
        "--factors",
        fac,
        "-n",
        "64",
        "--seed",
        "7",
        "--bootstrap",
        "500",
        "-q",
        "-o",
        sa_csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&sa_csv).unwrap();
    let s = &d["sensitivity"];
    assert_eq!(s["runs"], 64 * 4);
    for (k, line) in text.lines().skip(1).enumerate() {
        let f: Vec<f64> = line.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
        let row = &s["factors"][k];
        for (j, key) in ["first", "first_lo", "first_hi", "total", "total_lo", "total_hi"]
            .iter()
            .enumerate()
        {
            assert_eq!(num(&row[*key]), f[j], "factor {k} {key}");
        }
    }
    assert!(d["method"].to_string().contains("weights") || u["factors"][0].as_str().unwrap().contains("weights"));
}

#[test]
fn default_factors_are_weight_noise_and_exclusion_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (_, d) = report(
        dir.path(),
        "def.html",
        &["--uncertainty", "50", "--sensitivity", "16", "--no-audit"],
    );
    let f = d["uncertainty"]["factors"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    let v: Value = serde_json::from_str(f[0].as_str().unwrap()).unwrap();
    assert_eq!(v["type"], "weights");
    assert_eq!(v["spread"], 0.25);
    assert!(v.get("levels").is_none() && v.get("nodes").is_none(), "all levels: {v}");
    assert_eq!(d["uncertainty"]["seed"], 1);
    let s = d["sensitivity"]["factors"].as_array().unwrap();
    let kinds: Vec<Value> = s
        .iter()
        .map(|x| serde_json::from_str::<Value>(x["document"].as_str().unwrap()).unwrap()["type"].clone())
        .collect();
    assert_eq!(kinds, vec![Value::from("weights"), Value::from("exclude")]);
    // the same as `zhili uncertainty --spread 0.25`
    let csv = dir.path().join("ua.csv");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "--spread",
        "0.25",
        "-n",
        "50",
        "--seed",
        "1",
        "-q",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let (p5, p95) = (
        header.iter().position(|h| *h == "p5_rank").unwrap(),
        header.iter().position(|h| *h == "p95_rank").unwrap(),
    );
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let row = d["uncertainty"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == f[0])
            .unwrap();
        assert_eq!(num(&row["p5"]), f[p5].parse::<f64>().unwrap(), "{}", f[0]);
        assert_eq!(num(&row["p95"]), f[p95].parse::<f64>().unwrap(), "{}", f[0]);
    }
}

#[test]
fn bad_arguments_give_clear_errors() {
    let (ok, _, err) = zhili(&["report", "--out", "/nonexistent-dir/x.html"]);
    assert!(!ok && err.contains("/nonexistent-dir/x.html") && !err.contains("panicked"), "{err}");
    let (ok, _, err) = zhili(&["report"]);
    assert!(!ok && err.contains("--out"), "{err}");
}
