//! What `zhili` writes: formats, round trips, safe files, closed pipes.

mod common;
use common::zhili;

use std::path::Path;
use std::process::{Command, Stdio};

use calamine::{Data, Reader, Xlsx};

fn asem(extra: &[&str]) -> (bool, String, String) {
    let f = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let d = common::fixture("coinr-asem/input_ASEM_iData.csv");
    let p = common::fixture("coinr-asem.pipeline.toml");
    let mut args = vec![
        "score",
        "-f",
        f.to_str().expect("utf-8 path"),
        "-d",
        d.to_str().expect("utf-8 path"),
        "-p",
        p.to_str().expect("utf-8 path"),
        "--unit-column",
        "uCode",
    ];
    args.extend_from_slice(extra);
    zhili(&args)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn csv_and_xlsx_round_trip_bit_for_bit_and_match_coinr() {
    let dir = tempfile::tempdir().unwrap();
    let (c, x) = (dir.path().join("s.csv"), dir.path().join("s.xlsx"));
    let (ok, _, err) = asem(&["--columns", "all", "--no-bom", "-o", c.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, _, err) = asem(&["--columns", "all", "-o", x.to_str().unwrap()]);
    assert!(ok, "{err}");
    let mut r = csv::Reader::from_path(&c).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> = r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(&header[..3], ["unit", "name", "rank"]);
    assert_eq!(header.len(), 3 + 60, "every node: {header:?}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&x).unwrap();
    assert_eq!(wb.sheet_names()[..3], ["ranking", "scores", "weights"]);
    let scores = wb.worksheet_range("scores").unwrap();
    assert_eq!(scores.height(), rows.len() + 1);
    for (k, row) in rows.iter().enumerate() {
        let cells: Vec<&Data> = scores.rows().nth(k + 1).unwrap().iter().collect();
        assert_eq!(cells[0], &Data::String(row[0].clone()));
        assert_eq!(cells[1], &Data::String(row[1].clone()));
        for (m, s) in row[3..].iter().enumerate() {
            match cells[2 + m] {
                Data::Float(v) => assert_eq!(v.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{} {}", row[0], header[3 + m]),
                Data::Empty => assert!(s.is_empty()),
                other => panic!("{other:?}"),
            }
        }
    }
    // an independent source: COINr's index of CHE
    let (units, want) = common::matrix_columns("coinr-asem/nominal_07_Aggregated.csv", &["Index"]);
    let che = units.iter().position(|u| u == "CHE").unwrap();
    let row = rows.iter().find(|r| r[0] == "CHE").unwrap();
    let j = header.iter().position(|h| h == "Index").unwrap();
    assert!((row[j].parse::<f64>().unwrap() - want[[che, 0]]).abs() < 1e-9);
}

/// The default columns are scored without the indicator columns (`Pipeline::score`), `--columns
/// all` with them (`score_every_node`): the shared columns must be the same text, row by row.
#[test]
fn default_columns_are_the_same_cells_as_in_all_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (d, a) = (dir.path().join("d.csv"), dir.path().join("a.csv"));
    let (ok, _, err) = asem(&["--no-bom", "-o", d.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, _, err) = asem(&["--columns", "all", "--no-bom", "-o", a.to_str().unwrap()]);
    assert!(ok, "{err}");
    let read = |p: &Path| {
        let mut r = csv::Reader::from_path(p).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        let rows: Vec<Vec<String>> = r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect();
        (header, rows)
    };
    let ((hd, rd), (ha, ra)) = (read(&d), read(&a));
    assert!(hd.len() > 4 && hd.len() < ha.len(), "{hd:?}");
    assert_eq!(rd.len(), ra.len());
    for (k, h) in hd.iter().enumerate() {
        let m = ha.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} not in --columns all"));
        for (x, y) in rd.iter().zip(&ra) {
            assert_eq!(x[k], y[m], "{h} of {}", x[0]);
        }
    }
}

#[test]
fn default_csv_carries_what_the_screen_shows_with_a_bom() {
    let (ok, out, err) = zhili(&["score", "--format", "csv", "--top", "3"]);
    assert!(ok, "{err}");
    assert!(out.starts_with('\u{feff}'), "BOM by default");
    let lines: Vec<&str> = out.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("unit,name,rank,grade,index,"), "{}", lines[0]);
    assert_eq!(lines.len(), 4, "--top 3");
    assert!(lines[1].split(',').nth(2) == Some("1"), "{}", lines[1]);
    let (ok, out, _) = zhili(&["score", "--format", "csv", "--no-bom"]);
    assert!(ok && out.starts_with("unit,"));
    let (ok, out, err) = zhili(&["score", "--format", "json", "--top", "2"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["units"].as_array().unwrap().len(), 2);
    assert!(v["names"].is_array() && v["grade"].is_array() && v["ranks"].is_object());
    let (ok, help, _) = zhili(&["score", "--help"]);
    assert!(
        ok && help.contains("--no-bom") && help.contains("BOM") && help.contains("--columns"),
        "{help}"
    );
}

#[test]
fn out_extension_must_match_the_format_and_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["--format", "csv", "-o", "x.xlsx"], "does not match"),
        (vec!["--format", "json", "-o", "x.csv"], "does not match"),
        (vec!["-o", "x.xls"], ".xls"),
        (vec!["--stage", "nonsense", "-o", "x.csv"], "nonsense"),
        (vec!["--stage", "imputed", "-o", "x.xlsx"], "aggregated"),
    ] {
        let mut a = vec!["score"];
        let out = dir.path().join(args[args.len() - 1]);
        a.extend(args[..args.len() - 1].iter().copied());
        a.push(out.to_str().unwrap());
        let (ok, _, err) = zhili(&a);
        assert!(!ok && err.contains(needle) && !err.contains("panicked"), "{a:?}: {err}");
    }
    assert!(files_in(dir.path()).is_empty(), "{:?}", files_in(dir.path()));
    // .xlsx infers the workbook
    let x = dir.path().join("r.xlsx");
    let (ok, _, err) = zhili(&["score", "-o", x.to_str().unwrap(), "--stage-sheets"]);
    assert!(ok, "{err}");
    let wb: Xlsx<_> = calamine::open_workbook(&x).unwrap();
    assert!(
        wb.sheet_names().iter().any(|s| s.contains("raw") || s.contains("原始")),
        "{:?}",
        wb.sheet_names()
    );
}

#[test]
fn an_input_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data.csv");
    std::fs::copy(common::fixture("coinr-asem/input_ASEM_iData.csv"), &d).unwrap();
    let before = std::fs::read(&d).unwrap();
    let f = common::fixture("coinr-asem/input_ASEM_iMeta.csv");
    let (ok, _, err) = zhili(&[
        "score",
        "-f",
        f.to_str().unwrap(),
        "-d",
        d.to_str().unwrap(),
        "--unit-column",
        "uCode",
        "-o",
        d.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("input file"), "{err}");
    assert_eq!(std::fs::read(&d).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["data.csv"]);
}

#[test]
fn a_failing_command_leaves_no_new_file() {
    // the stats file is fine, the design goes into a missing directory: neither appears
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("stats.csv");
    let bad = dir.path().join("missing/design.csv");
    let (ok, _, err) = zhili(&[
        "uncertainty",
        "--spread",
        "0.1",
        "-n",
        "5",
        "-q",
        "-o",
        o.to_str().unwrap(),
        "--design-out",
        bad.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("missing"), "{err}");
    assert!(files_in(dir.path()).is_empty(), "{:?}", files_in(dir.path()));
}

#[test]
fn weights_written_with_awkward_ids_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.toml");
    std::fs::write(
        &fw,
        "version = 1\n[[nodes]]\nid = \"index\"\n[[nodes]]\nid = \"dim, one\"\nparent = \"index\"\n[[nodes]]\nid = 'say \"hi\"'\nparent = \"dim, one\"\nkind = \"indicator\"\n[[nodes]]\nid = \"b\"\nparent = \"dim, one\"\nkind = \"indicator\"\n[[nodes]]\nid = \"c\"\nparent = \"index\"\nkind = \"indicator\"\n",
    )
    .unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "unit,\"say \"\"hi\"\"\",b,c\nu1,1,5,2\nu2,2,3,9\nu3,4,4,1\nu4,3,1,5\n").unwrap();
    let (wc, wt) = (dir.path().join("w.csv"), dir.path().join("w.toml"));
    for w in [&wc, &wt] {
        let (ok, _, err) = zhili(&[
            "weights",
            "--method",
            "entropy",
            "-f",
            fw.to_str().unwrap(),
            "-d",
            data.to_str().unwrap(),
            "-o",
            w.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
    }
    let a = zhili::io::load_weights(&wc).unwrap();
    let b = zhili::io::load_weights(&wt).unwrap();
    assert_eq!(a.weights.len(), 4);
    for (id, v) in &b.weights {
        assert_eq!(a.weights[id].to_bits(), v.to_bits(), "{id}");
    }
    assert!(a.weights.contains_key("dim, one") && a.weights.contains_key("say \"hi\""));
    let (ok, _, err) = zhili(&[
        "score",
        "-f",
        fw.to_str().unwrap(),
        "-d",
        data.to_str().unwrap(),
        "--weights",
        wc.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        vec!["score"],
        vec!["score", "--format", "csv", "--columns", "all"],
        vec!["frameworks"],
        vec!["audit"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhili"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before anything is written
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("panicked"),
            "{args:?}: {:?} {err}",
            out.status
        );
    }
}
