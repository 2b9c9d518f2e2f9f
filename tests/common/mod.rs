//! Shared helpers for integration tests: load the copied reference fixtures.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::path::PathBuf;

use ndarray::Array2;
use zhili_core::framework::{FrameworkSpec, IMetaRow};
use zhili_core::{Dataset, Framework};

/// Path of a fixture file, e.g. `fixture("coinr-asem/input_ASEM_iMeta.csv")`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// A CSV table: header and rows of strings.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
    pub fn column(&self, name: &str) -> Vec<String> {
        let j = self.col(name);
        self.rows.iter().map(|r| r[j].clone()).collect()
    }
    pub fn numeric(&self, name: &str) -> Vec<f64> {
        self.column(name).iter().map(|s| parse_num(s)).collect()
    }
}

pub fn parse_num(s: &str) -> f64 {
    let s = s.trim();
    if s.is_empty() || s == "NA" {
        f64::NAN
    } else {
        s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
    }
}

pub fn read_table(rel: &str) -> Table {
    let mut r = csv::Reader::from_path(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_owned).collect()).collect();
    Table { header, rows }
}

/// A units × columns matrix file (first column = unit code): (unit ids, column ids, values).
pub fn read_matrix(rel: &str) -> (Vec<String>, Vec<String>, Array2<f64>) {
    let t = read_table(rel);
    let cols: Vec<String> = t.header[1..].to_vec();
    let units: Vec<String> = t.rows.iter().map(|r| r[0].clone()).collect();
    let mut m = Array2::from_elem((units.len(), cols.len()), f64::NAN);
    for (i, r) in t.rows.iter().enumerate() {
        for j in 0..cols.len() {
            m[[i, j]] = parse_num(&r[j + 1]);
        }
    }
    (units, cols, m)
}

/// Select `ids` columns of a matrix file, in that order.
pub fn matrix_columns(rel: &str, ids: &[&str]) -> (Vec<String>, Array2<f64>) {
    let (units, cols, m) = read_matrix(rel);
    let idx: Vec<usize> = ids
        .iter()
        .map(|id| cols.iter().position(|c| c == id).unwrap_or_else(|| panic!("{rel}: no column {id}")))
        .collect();
    (units, m.select(ndarray::Axis(1), &idx))
}

/// The ASEM framework from COINr's iMeta table.
pub fn asem_framework() -> Framework {
    let mut r = csv::Reader::from_path(fixture("coinr-asem/input_ASEM_iMeta.csv")).unwrap();
    let rows: Vec<IMetaRow> = r.deserialize().map(|x| x.unwrap()).collect();
    Framework::from_spec(FrameworkSpec::from_coinr(&rows, "iMeta", 2).unwrap()).unwrap()
}

/// The ASEM data: indicators, groups (text columns) and numeric extra columns.
pub fn asem_dataset(fw: &Framework) -> Dataset {
    let t = read_table("coinr-asem/input_ASEM_iData.csv");
    let units = t.column("uCode");
    let ind: Vec<&str> = fw.indicator_ids();
    let mut m = Array2::from_elem((units.len(), ind.len()), f64::NAN);
    for (j, id) in ind.iter().enumerate() {
        for (i, v) in t.numeric(id).into_iter().enumerate() {
            m[[i, j]] = v;
        }
    }
    let mut ds = Dataset::new(units, ind.iter().map(|s| s.to_string()).collect(), m).unwrap();
    ds = ds.with_unit_names(t.column("uName")).unwrap();
    for g in ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"] {
        ds = ds
            .with_group(
                g,
                t.column(g).into_iter().map(|s| if s.is_empty() { None } else { Some(s) }).collect(),
            )
            .unwrap();
    }
    for d in ["Area", "Energy", "GDP", "Population"] {
        ds = ds.with_numeric(d, t.numeric(d)).unwrap();
    }
    ds
}

/// Assert two matrices agree to `tol` (NaN == NaN), naming the first mismatch.
pub fn assert_close(what: &str, units: &[String], cols: &[&str], got: &Array2<f64>, want: &Array2<f64>, tol: f64) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((i, j), &w) in want.indexed_iter() {
        let g = got[[i, j]];
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= tol * (1.0 + w.abs());
        assert!(ok, "{what}: unit {} indicator {}: got {g}, want {w}", units[i], cols[j]);
    }
}

/// Run the `zhili` binary built for these tests: (success, stdout, stderr).
pub fn zhili(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(args)
        .output()
        .expect("run zhili");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
