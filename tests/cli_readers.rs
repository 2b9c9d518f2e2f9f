//! The readers through the `zhili` command: workbooks (data and framework), `--sheet`,
//! `--encoding`, and workbook errors naming sheet, row and column letter.

use std::path::PathBuf;
use std::process::Command;

fn zhili(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhili")).args(args).output().expect("run zhili");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
