//! The readers through the `zhili` command: workbooks (data and framework), `--sheet`,
//! `--encoding`, and workbook errors naming sheet, row and column letter.

mod common;
use common::zhili;

use std::path::PathBuf;

fn excel(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/excel")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn workbook_framework_and_data_validate_and_score() {
    let (ok, out, err) = zhili(&[
        "validate",
        "-f",
        &excel("framework.xlsx"),
        "-d",
        &excel("data.xlsx"),
        "--sheet",
        "指标",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("4 units × 4 indicators") && out.contains("4 missing values"), "{out}");
    let (ok, csv_out, err) = zhili(&["score", "-f", &excel("framework.toml"), "-d", &excel("data.csv"), "--format", "csv"]);
    assert!(ok, "{err}");
    let (ok, xlsx_out, err) = zhili(&[
        "score",
        "-f",
        &excel("framework.xlsx"),
        "-d",
        &excel("data.xlsx"),
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    assert_eq!(xlsx_out, csv_out, "the workbook scores exactly like the equal CSV");
}

#[test]
fn workbook_errors_name_the_sheet_row_and_column() {
    let (ok, _, err) = zhili(&["score", "-f", &excel("framework.toml"), "-d", &excel("bad.xlsx")]);
    assert!(!ok);
    assert!(err.contains("sheet 指标, row 17, column F: \"—\" is not a number"), "{err}");
    let (ok, _, err) = zhili(&[
        "validate",
        "-f",
        &excel("framework.toml"),
        "-d",
        &excel("data.xlsx"),
        "--sheet",
        "无",
    ]);
    assert!(!ok);
    assert!(err.contains("无") && err.contains("指标"), "{err}");
}

#[test]
fn encoding_flag_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(
        &fw,
        "version = 1\n[[nodes]]\nid = \"index\"\n[[nodes]]\nid = \"x\"\nparent = \"index\"\n",
    )
    .unwrap();
    let data = dir.path().join("latin1.csv");
    std::fs::write(&data, b"unit,name,x\nzh,Z\xFCrich,1\nge,Gen\xE8ve,2\n").unwrap();
    let (f, d) = (fw.to_str().unwrap(), data.to_str().unwrap());
    let (ok, _, err) = zhili(&["score", "-f", f, "-d", d, "--format", "csv"]);
    assert!(!ok && err.contains("--encoding") && err.contains("line 2"), "{err}");
    let (ok, out, err) = zhili(&["score", "-f", f, "-d", d, "--encoding", "latin1"]);
    assert!(ok, "{err}");
    assert!(out.contains("Zürich") && out.contains("Genève"), "{out}");
    let (ok, _, err) = zhili(&["score", "-f", f, "-d", d, "--encoding", "klingon"]);
    assert!(!ok && err.contains("klingon"), "{err}");
}

/// `--format parquet|arrow` (and by extension): read back with the readers, the same
/// columns and numbers (bit for bit; NaN = empty) as the CSV export of the same run.
#[test]
fn score_parquet_and_arrow_read_back_equal_the_csv() {
    use zhili::io::{read_table, Column, DataOptions};
    let dir = tempfile::tempdir().expect("tempdir");
    let base = ["score", "-f", &excel("framework.toml"), "-d", &excel("data.csv")].map(str::to_owned);
    let out = |name: &str, extra: &[&str]| {
        let p = dir.path().join(name);
        let mut args: Vec<String> = base.to_vec();
        args.extend(["--out".to_owned(), p.display().to_string()]);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let (ok, _, err) = zhili(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(ok, "{name}: {err}");
        p
    };
    let csv = read_table(&out("r.csv", &["--columns", "all"]), &DataOptions::default()).expect("csv");
    for p in [
        out("r.parquet", &["--columns", "all"]),
        out("r.arrow", &["--columns", "all"]),
        out("r.feather", &["--format", "arrow", "--columns", "all"]),
    ] {
        let t = read_table(&p, &DataOptions::default()).expect("read back");
        assert_eq!(t.n_rows(), csv.n_rows());
        assert_eq!(t.columns.len(), csv.columns.len());
        for ((n, c), (wn, w)) in t.columns.iter().zip(&csv.columns) {
            assert_eq!(n, wn, "{}", p.display());
            match (c, w) {
                (Column::Numbers(a), Column::Numbers(b)) => {
                    for (x, y) in a.iter().zip(b) {
                        assert!(
                            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
                            "{} {n}: {x} vs {y}",
                            p.display()
                        );
                    }
                }
                (a, b) => assert_eq!(a, b, "{} {n}", p.display()),
            }
        }
    }
    let (ok, _, err) = zhili(&[
        "score",
        "-f",
        &excel("framework.toml"),
        "-d",
        &excel("data.csv"),
        "--format",
        "arrow",
        "--out",
        &dir.path().join("x.parquet").display().to_string(),
    ]);
    assert!(!ok && err.contains("--format arrow does not match"), "{err}");
}
