//! Reading files at the edge: encodings, errors that name file / line / column.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use zhili::io::{decode, load_framework, load_weights, read_dataset, read_dataset_str, DataOptions, TextEncoding};
use zhili::{Error, Framework};

fn fw() -> Framework {
    Framework::from_toml_str(
        r#"
version = 1
[[nodes]]
id = "index"
[[nodes]]
id = "刑事案件"
parent = "index"
direction = "cost"
denominator = "人口"
[[nodes]]
id = "mediation"
parent = "index"
"#,
    )
    .unwrap()
}

const CSV: &str = "unit,name,刑事案件,mediation,人口,region\nwuhua,五华区,120,97.5,100,城区\nfumin,富民县,,91.0,15,县\n";

fn tmp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    (dir, p)
}

#[test]
fn utf8_gbk_bom_and_utf16_give_the_same_dataset() {
    let want = read_dataset_str(CSV, "x", &fw(), &DataOptions::default()).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(CSV);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CSV.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in CSV.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    for (bytes, enc) in [
        (CSV.as_bytes().to_vec(), TextEncoding::Utf8),
        (gbk.to_vec(), TextEncoding::Gb18030),
        (bom, TextEncoding::Utf8),
        (utf16, TextEncoding::Utf16),
    ] {
        assert_eq!(decode(&bytes, "f").unwrap().1, enc);
        let (_d, p) = tmp("data.csv", &bytes);
        let got = read_dataset(&p, &fw(), &DataOptions::default()).unwrap();
        assert_eq!(got.unit_ids(), want.unit_ids());
        assert_eq!(got.unit_names(), Some(&["五华区".to_owned(), "富民县".to_owned()][..]));
        assert_eq!(got.groups()["region"], vec![Some("城区".to_owned()), Some("县".to_owned())]);
        assert_eq!(got.numeric()["人口"], vec![100.0, 15.0]);
        assert!(got.values()[[1, 0]].is_nan(), "empty cell is missing");
        assert_eq!(got.values()[[0, 1]], 97.5);
    }
}

#[test]
fn undecodable_bytes_are_an_error() {
    // 0xFF is invalid in both UTF-8 and GB18030 as a lead byte.
    let e = decode(b"unit,a\nx,\xFF\xFF\n", "bad.csv").unwrap_err();
    assert!(e.to_string().contains("bad.csv") && e.to_string().contains("GBK"), "{e}");
}

fn err(csv: &str) -> String {
    read_dataset_str(csv, "data.csv", &fw(), &DataOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn non_numeric_indicator_names_file_line_and_column() {
    let e = err("unit,刑事案件,mediation,人口\na,1,2,3\nb,1,lots,3\n");
    assert!(
        e.contains("data.csv") && e.contains("line 3") && e.contains("mediation") && e.contains("lots"),
        "{e}"
    );
}

#[test]
fn missing_indicator_and_denominator_columns() {
    let e = err("unit,刑事案件,人口\na,1,3\n");
    assert!(e.contains("mediation"), "{e}");
    let e = err("unit,刑事案件,mediation\na,1,3\n");
    assert!(e.contains("人口") && e.contains("denominator"), "{e}");
}

#[test]
fn duplicate_and_empty_units_and_ragged_rows() {
    let e = err("unit,刑事案件,mediation,人口\na,1,2,3\na,1,2,3\n");
    assert!(e.contains("duplicate unit `a`") && e.contains("line 3"), "{e}");
    let e = err("unit,刑事案件,mediation,人口\n,1,2,3\n");
    assert!(e.contains("empty unit id") && e.contains("line 2"), "{e}");
    let e = err("unit,刑事案件,mediation,人口\na,1,2\n");
    assert!(e.contains("line 2") && e.contains("fields"), "{e}");
    let e = err("unit,刑事案件,mediation,人口,mediation\na,1,2,3,4\n");
    assert!(e.contains("duplicate column"), "{e}");
}

#[test]
fn empty_data_is_an_error() {
    assert!(matches!(
        read_dataset_str("unit,刑事案件,mediation,人口\n", "d", &fw(), &DataOptions::default()),
        Err(Error::Empty(_))
    ));
    assert!(matches!(
        read_dataset_str("", "d", &fw(), &DataOptions::default()),
        Err(Error::Empty(_))
    ));
}

#[test]
fn panel_data_keeps_time() {
    let csv = "unit,year,刑事案件,mediation,人口\na,2022,1,2,3\na,2023,1,2,3\n";
    let ds = read_dataset_str(csv, "d", &fw(), &DataOptions::default()).unwrap();
    assert_eq!(ds.time(), Some(&[2022, 2023][..]));
    assert_eq!(ds.at_time(2023).unwrap().n_units(), 1);
    let dup = "unit,year,刑事案件,mediation,人口\na,2022,1,2,3\na,2022,1,2,3\n";
    assert!(read_dataset_str(dup, "d", &fw(), &DataOptions::default())
        .unwrap_err()
        .to_string()
        .contains("duplicate unit"));
}

#[test]
fn coinr_imeta_framework_file_loads() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coinr-asem/input_ASEM_iMeta.csv");
    let (fw, _) = load_framework(p.to_str().unwrap()).unwrap();
    assert_eq!(fw.indicators().len(), 49);
    let cost = fw
        .indicators()
        .iter()
        .filter(|&&i| fw.nodes()[i].direction == zhili::Direction::Cost)
        .count();
    assert_eq!(cost, 14, "the ASEM README says 14 indicators have Direction -1");
    assert_eq!(fw.node("Flights").unwrap().denominator.as_deref(), Some("Population"));
}

#[test]
fn unknown_framework_names_the_catalogue() {
    let e = load_framework("no-such-framework").unwrap_err().to_string();
    assert!(e.contains("no-such-framework") && e.contains("bundled"), "{e}");
}

#[test]
fn weight_files_csv_and_toml() {
    let (_d, p) = tmp("w.csv", b"id,weight\nsafety,2\nlaw,0.5\n");
    let w = load_weights(&p).unwrap();
    assert_eq!(w.weights["safety"], 2.0);
    let (_d, p) = tmp("w.toml", b"[weights]\nsafety = 2\nlaw = 0.5\n");
    assert_eq!(load_weights(&p).unwrap().weights["law"], 0.5);
    let (_d, p) = tmp("w.csv", b"id,weight\nsafety,heavy\n");
    let e = load_weights(&p).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("heavy"), "{e}");
}

/// Arrow IPC (lz4, zstd) and Parquet (snappy, zstd, lz4, gzip, none) files written by
/// pyarrow (`tests/fixtures/columnar/make.py`) read to the values Python printed, bit for bit.
#[test]
fn compressed_arrow_and_parquet_from_pyarrow() {
    use zhili::io::{read_table, Column};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/columnar");
    let expected = read_table(&dir.join("expected.csv"), &DataOptions::default()).unwrap();
    let bits = |c: &Column| match c {
        Column::Numbers(v) => v
            .iter()
            .map(|x| if x.is_nan() { None } else { Some(x.to_bits()) })
            .collect::<Vec<_>>(),
        Column::Text(_) => panic!("a text column"),
    };
    for f in [
        "data.lz4.arrow",
        "data.zstd.arrow",
        "data.snappy.parquet",
        "data.zstd.parquet",
        "data.lz4.parquet",
        "data.gzip.parquet",
        "data.none.parquet",
    ] {
        let got = read_table(&dir.join(f), &DataOptions::default()).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(got.columns.len(), expected.columns.len(), "{f}");
        for ((gn, gc), (en, ec)) in got.columns.iter().zip(&expected.columns) {
            assert_eq!(gn, en, "{f}");
            match ec {
                Column::Text(t) => assert_eq!(gc, &Column::Text(t.clone()), "{f}: column {en}"),
                Column::Numbers(_) => assert_eq!(bits(gc), bits(ec), "{f}: column {en}"),
            }
        }
        assert!(
            matches!(&got.columns[2].1, Column::Numbers(v) if v.iter().filter(|x| x.is_nan()).count() == 4),
            "{f}: the nulls"
        );
    }
}
