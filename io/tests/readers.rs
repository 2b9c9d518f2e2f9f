//! Every source reads into the same dataset: workbooks made by openpyxl against the
//! equal CSV, Parquet / Arrow / CSV in every encoding written and read back bit for bit,
//! chunked parsing with quoted newlines, and the errors name where the problem is.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use proptest::prelude::*;
use zhili_core::{Dataset, Framework};
use zhili_io::{load_framework, read_dataset, read_dataset_str, DataOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/excel")
}

fn excel_fw() -> Framework {
    load_framework(fixtures().join("framework.toml").to_str().unwrap()).unwrap().0
}

/// Bit-for-bit equality, NaN equal to NaN.
fn same(a: &Dataset, b: &Dataset) {
    assert_eq!(a.unit_ids(), b.unit_ids());
    assert_eq!(a.unit_names(), b.unit_names());
    assert_eq!(a.time(), b.time());
    assert_eq!(a.indicator_ids(), b.indicator_ids());
    let bits = |d: &Dataset| d.values().t().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
    assert_eq!(a.groups(), b.groups());
    let nb = |d: &Dataset| {
        d.numeric()
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    assert_eq!(nb(a), nb(b));
}

#[test]
fn openpyxl_workbook_reads_like_the_equal_csv() {
    let fw = excel_fw();
    let opts = DataOptions::default();
    let want = read_dataset(&fixtures().join("data.csv"), &fw, &opts).unwrap();
    let got = read_dataset(&fixtures().join("data.xlsx"), &fw, &opts).unwrap();
    same(&got, &want);
    // Spot checks against the values written by make_workbooks.py.
    assert_eq!(got.indicator("gdp").unwrap()[0], 1234.0, "\"1,234\"");
    assert_eq!(got.indicator("mediation").unwrap()[0], 0.975, "\"97.5%\"");
    assert_eq!(got.indicator("satisfaction").unwrap()[0], 123.0, "full-width digits");
    assert_eq!(got.indicator("mediation").unwrap()[1], -5.0, "full-width minus");
    assert!(got.indicator("satisfaction").unwrap()[1].is_nan(), "#N/A is missing");
    assert_eq!(
        got.time(),
        Some(&[2023, 2023, 2023, 2023][..]),
        "a date in the time column gives its year"
    );
    assert_eq!(got.numeric()["人口"], vec![100.0, 15.0, 2000.0, 3.25]);
    assert_eq!(got.groups()["region"][2], None);
}

#[test]
fn workbook_errors_name_file_sheet_row_and_column_letter() {
    let fw = excel_fw();
    let p = fixtures().join("bad.xlsx");
    let e = read_dataset(&p, &fw, &DataOptions::default()).unwrap_err().to_string();
    let want = format!("{}, sheet 指标, row 17, column F: \"—\" is not a number", p.display());
    assert!(e.starts_with(&want), "{e}");
    let e = read_dataset(&fixtures().join("div0.xlsx"), &fw, &DataOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 3, column C") && e.contains("#DIV/0!"), "{e}");
    let opts = DataOptions {
        sheet: Some("nope".into()),
        ..DataOptions::default()
    };
    let e = read_dataset(&fixtures().join("data.xlsx"), &fw, &opts).unwrap_err().to_string();
    assert!(e.contains("nope") && e.contains("指标") && e.contains("other"), "{e}");
    let opts = DataOptions {
        sheet: Some("other".into()),
        ..DataOptions::default()
    };
    let e = read_dataset(&fixtures().join("data.xlsx"), &fw, &opts).unwrap_err().to_string();
    assert!(e.contains("刑事案件") || e.contains("satisfaction"), "{e}");
}

#[test]
fn framework_from_a_workbook_sheet_equals_the_toml() {
    let toml = excel_fw();
    let (x, _) = load_framework(fixtures().join("framework.xlsx").to_str().unwrap()).unwrap();
    let (y, _) = load_framework(&format!("{}#iMeta", fixtures().join("framework.xlsx").display())).unwrap();
    for fw in [&x, &y] {
        assert_eq!(fw.nodes().len(), toml.nodes().len());
        for n in toml.nodes() {
            let m = fw.node(&n.id).unwrap();
            assert_eq!(m.weight, n.weight, "{}", n.id);
            assert_eq!(m.direction, n.direction, "{}", n.id);
            assert_eq!(m.denominator, n.denominator, "{}", n.id);
            assert_eq!(m.name.zh, n.name.zh, "{}", n.id);
            let parent = |f: &Framework, id: &str| f.node(id).ok().and_then(|k| k.parent).map(|p| f.nodes()[p].id.clone());
            assert_eq!(parent(fw, &n.id), parent(&toml, &n.id), "{}", n.id);
        }
    }
}

// ---- write-and-read-back properties ----

fn fw_n(n: usize) -> Framework {
    let mut t = String::from("version = 1\n[[nodes]]\nid = \"index\"\n");
    for k in 0..n {
        t.push_str(&format!("[[nodes]]\nid = \"指标{k}\"\nparent = \"index\"\n"));
    }
    Framework::from_toml_str(&t).unwrap()
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// CSV text of ids, names and a units × indicators matrix; NaN as `token`.
fn csv_text(ids: &[String], names: &[String], m: &[Vec<f64>], token: &str, eol: &str, final_eol: bool) -> String {
    let n = m.first().map_or(0, Vec::len);
    let mut s = String::from("unit,name");
    for k in 0..n {
        s.push_str(&format!(",指标{k}"));
    }
    for (i, row) in m.iter().enumerate() {
        s.push_str(eol);
        s.push_str(&format!("{},{}", quote(&ids[i]), quote(&names[i])));
        for v in row {
            if v.is_nan() {
                s.push_str(&format!(",{token}"));
            } else {
                s.push_str(&format!(",{v:?}"));
            }
        }
    }
    if final_eol {
        s.push_str(eol);
    }
    s
}

fn check(ds: &Dataset, ids: &[String], names: &[String], m: &[Vec<f64>]) {
    assert_eq!(ds.unit_ids(), ids);
    assert_eq!(ds.unit_names().unwrap(), names);
    for (i, row) in m.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            let got = ds.values()[[i, k]];
            if v.is_nan() {
                assert!(got.is_nan());
            } else {
                assert_eq!(got.to_bits(), v.to_bits(), "row {i} col {k}");
            }
        }
    }
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>().prop_filter("finite or NaN", |v| !v.is_infinite()),
        1 => Just(f64::NAN),
        1 => Just(f64::MIN_POSITIVE / 4.0),
        1 => Just(-0.0),
        1 => Just(f64::MAX),
    ]
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9 ,\"\n五华区富民县盘龙西山-]{1,12}".prop_filter("non-blank", |s| !s.trim().is_empty())
}

fn table() -> impl Strategy<Value = (Vec<String>, Vec<String>, Vec<Vec<f64>>)> {
    (1usize..6, 1usize..5).prop_flat_map(|(rows, cols)| {
        (
            proptest::collection::hash_set(label(), rows).prop_map(|s| {
                let mut v: Vec<String> = s.into_iter().map(|x| x.trim().to_owned()).collect();
                v.sort();
                v.dedup();
                v
            }),
            proptest::collection::vec(label().prop_map(|s| s.trim().to_owned()), rows),
            proptest::collection::vec(proptest::collection::vec(value(), cols), rows),
        )
            .prop_map(|(ids, names, m)| {
                let n = ids.len();
                (ids, names[..n].to_vec(), m[..n].to_vec())
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_in_every_encoding_reads_back_bit_for_bit(
        (ids, names, m) in table(),
        token in prop::sample::select(vec!["", "NA", "N/A", "#N/A", "NaN", "nan", "-"]),
        crlf in any::<bool>(),
        final_eol in any::<bool>(),
        enc in 0usize..4,
    ) {
        let fw = fw_n(m[0].len());
        let text = csv_text(&ids, &names, &m, token, if crlf { "\r\n" } else { "\n" }, final_eol);
        let (bytes, label): (Vec<u8>, Option<&str>) = match enc {
            0 => (text.as_bytes().to_vec(), None),
            1 => ([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(), None),
            2 => (encoding_rs::GBK.encode(&text).0.into_owned(), Some("gbk")),
            _ => ([0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(), None),
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(&p, bytes).unwrap();
        let opts = DataOptions { encoding: label.map(str::to_owned), ..DataOptions::default() };
        let ds = read_dataset(&p, &fw, &opts).unwrap();
        check(&ds, &ids, &names, &m);
    }

    #[test]
    fn parquet_and_arrow_read_back_bit_for_bit((ids, names, m) in table()) {
        let fw = fw_n(m[0].len());
        let mut cols: Vec<(String, ArrayRef)> = vec![
            ("unit".into(), Arc::new(StringArray::from(ids.clone()))),
            ("name".into(), Arc::new(StringArray::from(names.clone()))),
        ];
        for k in 0..m[0].len() {
            let col: Vec<Option<f64>> = m.iter().map(|r| Some(r[k]).filter(|v| !v.is_nan() || k % 2 == 0)).collect();
            cols.push((format!("指标{k}"), Arc::new(Float64Array::from(col))));
        }
        let batch = RecordBatch::try_from_iter(cols).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pq = dir.path().join("d.parquet");
        let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&pq).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        check(&read_dataset(&pq, &fw, &DataOptions::default()).unwrap(), &ids, &names, &m);
        let ar = dir.path().join("d.arrow");
        let mut w = arrow_ipc::writer::FileWriter::try_new(std::fs::File::create(&ar).unwrap(), &batch.schema()).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        check(&read_dataset(&ar, &fw, &DataOptions::default()).unwrap(), &ids, &names, &m);
        let st = dir.path().join("d.feather");
        let mut w = arrow_ipc::writer::StreamWriter::try_new(std::fs::File::create(&st).unwrap(), &batch.schema()).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        check(&read_dataset(&st, &fw, &DataOptions::default()).unwrap(), &ids, &names, &m);
    }
}

/// A file large enough to be parsed in parallel chunks, with quoted newlines
/// everywhere, so some chunk boundaries fall next to or inside quoted fields.
#[test]
fn parallel_chunks_with_quoted_newlines_and_error_lines() {
    let fw = fw_n(3);
    let rows = 60_000;
    let ids: Vec<String> = (0..rows).map(|i| format!("u{i}")).collect();
    let names: Vec<String> = (0..rows)
        .map(|i| if i % 3 == 0 { format!("名\n称,{i}") } else { format!("n{i}") })
        .collect();
    let m: Vec<Vec<f64>> = (0..rows).map(|i| vec![i as f64 * 0.1, (i as f64).sqrt(), f64::NAN]).collect();
    let text = csv_text(&ids, &names, &m, "NA", "\n", true);
    assert!(text.len() > 2 << 20, "{} bytes: must be chunked", text.len());
    let ds = read_dataset_str(&text, "big.csv", &fw, &DataOptions::default()).unwrap();
    check(&ds, &ids, &names, &m);
    // A bad cell near the end: the line counts every quoted newline before it.
    let pos = text.rfind(&format!("\nu{},", rows - 2)).unwrap() + 1;
    let line = text[..pos].matches('\n').count() + 1;
    let mut broken = text.clone();
    let row_end = pos + broken[pos..].find('\n').unwrap();
    broken.replace_range(row_end - 2..row_end, "xx");
    let e = read_dataset_str(&broken, "big.csv", &fw, &DataOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains(&format!("line {line}")) && e.contains("`xx`"), "{e}");
}

#[test]
fn every_bad_cell_is_counted_and_the_first_named() {
    let fw = fw_n(2);
    let e = read_dataset_str("unit,指标0,指标1\na,x,1\nb,2,y\nc,z,3\n", "d.csv", &fw, &DataOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("d.csv, line 2, column `指标0`: `x` is not a number"), "{e}");
    assert!(
        e.contains("3 bad cells") && e.contains("line 4") && e.contains("line 3, column `指标1`"),
        "{e}"
    );
}

#[test]
fn bom_inside_a_field_is_stripped() {
    let fw = fw_n(1);
    let ds = read_dataset_str("unit,指标0\n\u{FEFF}a,\u{FEFF}1\n", "d.csv", &fw, &DataOptions::default()).unwrap();
    assert_eq!(ds.unit_ids(), ["a"]);
    assert_eq!(ds.values()[[0, 0]], 1.0);
}

#[test]
fn latin1_needs_encoding_and_then_reads() {
    let fw = Framework::from_toml_str("version = 1\n[[nodes]]\nid = \"i\"\n[[nodes]]\nid = \"x\"\nparent = \"i\"\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("l.csv");
    std::fs::write(&p, b"unit,name,x\nzh,Z\xFCrich,1\n").unwrap();
    let e = read_dataset(&p, &fw, &DataOptions::default()).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("--encoding"), "{e}");
    let opts = DataOptions {
        encoding: Some("latin1".into()),
        ..DataOptions::default()
    };
    let ds = read_dataset(&p, &fw, &opts).unwrap();
    assert_eq!(ds.unit_names().unwrap(), ["Zürich"]);
}

#[test]
fn plain_tables_without_a_framework() {
    let opts = DataOptions::default();
    let csv = zhili_io::read_table(&fixtures().join("data.csv"), &opts).unwrap();
    let xlsx = zhili_io::read_table(&fixtures().join("data.xlsx"), &opts).unwrap();
    assert_eq!(csv.n_rows(), 4);
    let names: Vec<&str> = csv.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "unit",
            "name",
            "year",
            "gdp",
            "刑事案件",
            "mediation",
            "satisfaction",
            "人口",
            "region"
        ]
    );
    for ((n, a), (m, b)) in csv.columns.iter().zip(&xlsx.columns) {
        assert_eq!(n, m);
        if n == "year" {
            // Without a framework the year is an ordinary column: the workbook's date stays a date.
            let t = |s: &str| Some(s.to_owned());
            assert_eq!(b, &zhili_io::Column::Text(vec![t("2023-06-30"), t("2023"), t("2023"), t("2023")]));
            continue;
        }
        match (a, b) {
            (zhili_io::Column::Numbers(a), zhili_io::Column::Numbers(b)) => {
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(a), bits(b), "{n}");
            }
            (a, b) => assert_eq!(a, b, "{n}"),
        }
    }
    assert!(matches!(&csv.columns[0].1, zhili_io::Column::Text(t) if t[0].as_deref() == Some("wuhua")));
}
