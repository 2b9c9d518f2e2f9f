//! Property tests: any table written and read back is the same, bit for bit for every
//! finite `f64`, NaN for every missing token — CSV in UTF-8 / GBK / UTF-16 (with and without
//! BOM, LF or CRLF, with or without a final newline, quoted ids with commas, quotes and
//! newlines), streamed in blocks and chunks of a few bytes so that every boundary falls
//! everywhere (inside a quoted field, inside a multi-byte character), and Parquet / Arrow IPC
//! written by the `parquet` and `arrow-ipc` writers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use proptest::prelude::*;

use super::csv::{read_file, Sizes};
use super::layout::{Column, Mode, Output};
use super::DataOptions;

/// A table: unit ids (text) and columns of numbers (`None` = missing).
#[derive(Debug, Clone)]
struct Data {
    units: Vec<String>,
    cols: Vec<Vec<Option<f64>>>,
}

fn data() -> impl Strategy<Value = Data> {
    (1usize..4, 1usize..25).prop_flat_map(|(m, n)| {
        let unit = "u[a-z0-9五华区县, \"\n]{0,6}[a-z县]".prop_map(|s| s);
        let cell = prop_oneof![
            3 => any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |v| v.is_finite()).prop_map(Some),
            1 => Just(None),
        ];
        (
            proptest::collection::hash_set(unit, n),
            proptest::collection::vec(proptest::collection::vec(cell, n), m),
        )
            .prop_map(|(units, cols)| Data {
                units: units.into_iter().collect(),
                cols,
            })
    })
}

const MISSING: [&str; 7] = ["", "NA", "N/A", "#N/A", "NaN", "nan", "-"];

/// The CSV text: ids quoted when they need it, numbers by `ryu` (as the writers do), each
/// missing cell one of the missing tokens in turn.
fn csv_text(d: &Data, crlf: bool, final_newline: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = String::from("unit");
    for k in 0..d.cols.len() {
        s.push_str(&format!(",I{k}"));
    }
    let mut buf = ryu::Buffer::new();
    let mut t = 0;
    for (i, u) in d.units.iter().enumerate() {
        s.push_str(nl);
        if u.contains([',', '"', '\n']) {
            s.push('"');
            s.push_str(&u.replace('"', "\"\""));
            s.push('"');
        } else {
            s.push_str(u);
        }
        for c in &d.cols {
            s.push(',');
            match c[i] {
                Some(v) => s.push_str(buf.format_finite(v)),
                None => {
                    s.push_str(MISSING[t % MISSING.len()]);
                    t += 1;
                }
            }
        }
    }
    if final_newline {
        s.push_str(nl);
    }
    s
}

fn bits(c: &Column) -> Vec<Option<u64>> {
    match c {
        Column::Numbers(v) => v.iter().map(|x| (!x.is_nan()).then(|| x.to_bits())).collect(),
        Column::Text(t) => panic!("a text column: {t:?}"),
    }
}

fn check(d: &Data, out: Output) -> std::result::Result<(), TestCaseError> {
    let Output::Table(t) = out else { panic!("a table") };
    prop_assert_eq!(t.columns.len(), d.cols.len() + 1);
    let want_units: Vec<Option<String>> = d.units.iter().map(|u| Some(u.trim().to_owned())).collect();
    prop_assert_eq!(&t.columns[0].1, &Column::Text(want_units));
    for (k, c) in d.cols.iter().enumerate() {
        let want: Vec<Option<u64>> = c.iter().map(|v| v.map(f64::to_bits)).collect();
        // An all-missing column has no number to tell it from text: it reads as text.
        if c.iter().all(Option::is_none) {
            continue;
        }
        prop_assert_eq!(bits(&t.columns[k + 1].1), want, "column I{}", k);
    }
    Ok(())
}

fn read_bytes(bytes: &[u8], name: &str, encoding: Option<&str>, sizes: Sizes) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let opts = DataOptions {
        encoding: encoding.map(str::to_owned),
        ..DataOptions::default()
    };
    read_file(&p, name, Mode::Table, &opts, sizes).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_in_any_encoding_reads_back_bit_for_bit(
        d in data(),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        bom in any::<bool>(),
        block in 5usize..90,
        chunk in 1usize..40,
    ) {
        let text = csv_text(&d, crlf, final_newline);
        let sizes = Sizes { block, chunk };
        let utf8 = if bom { format!("\u{FEFF}{text}") } else { text.clone() };
        check(&d, read_bytes(utf8.as_bytes(), "u8.csv", None, sizes))?;
        check(&d, read_bytes(utf8.as_bytes(), "u8.csv", None, super::csv::SIZES))?;
        let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
        prop_assert!(!bad);
        check(&d, read_bytes(&gbk, "gbk.csv", Some("gbk"), sizes))?;
        let mut utf16: Vec<u8> = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        check(&d, read_bytes(&utf16, "u16.csv", if bom { None } else { Some("utf-16le") }, sizes))?;
    }

    #[test]
    fn parquet_and_arrow_read_back_bit_for_bit(d in data()) {
        let mut fields = vec![Field::new("unit", DataType::Utf8, false)];
        let mut cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(d.units.iter()))];
        for (k, c) in d.cols.iter().enumerate() {
            fields.push(Field::new(format!("I{k}"), DataType::Float64, true));
            cols.push(Arc::new(Float64Array::from(c.clone())));
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pq = dir.path().join("d.parquet");
        let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&pq).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let arrow = dir.path().join("d.arrow");
        let mut w = arrow_ipc::writer::FileWriter::try_new(std::fs::File::create(&arrow).unwrap(), &batch.schema()).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        for p in [pq, arrow] {
            let t = super::read_table(&p, &DataOptions::default()).unwrap();
            check(&d, Output::Table(t))?;
        }
    }
}

/// A block boundary inside a quoted field and inside a multi-byte character, a file without
/// a final newline, CRLF and a BOM, spelled out (the properties above draw them at random).
#[test]
fn boundaries_spelled_out() {
    let text = "\u{FEFF}unit,I0\r\n\"五华,\r\n区\",1.5\r\nu2,NA\r\n\"u\"\"3\",-2e-300";
    for block in 1..text.len() + 2 {
        for chunk in [1, 3, 7, 100] {
            let Output::Table(t) = read_bytes(text.as_bytes(), "b.csv", None, Sizes { block, chunk }) else {
                panic!("a table")
            };
            assert_eq!(
                t.columns[0].1,
                Column::Text(vec![Some("五华,\r\n区".into()), Some("u2".into()), Some("u\"3".into())]),
                "block {block} chunk {chunk}"
            );
            assert_eq!(
                bits(&t.columns[1].1),
                vec![Some(1.5f64.to_bits()), None, Some((-2e-300f64).to_bits())]
            );
        }
    }
}
