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

/// A number cell as data files spell it, and its value by the standard library's parser
/// (the independent reference; `None` = a missing token).
fn number_cell() -> impl Strategy<Value = (String, Option<f64>)> {
    let std_value = |s: &str| s.trim().parse::<f64>().ok();
    prop_oneof![
        // the common case: short decimals, the fast path
        4 => (any::<bool>(), 0u64..100_000, 0u32..4).prop_map(|(neg, m, f)| {
            let s = if f == 0 { format!("{m}") } else { format!("{}.{:0w$}", m / 10u64.pow(f), m % 10u64.pow(f), w = f as usize) };
            if neg { format!("-{s}") } else { s }
        }),
        // anything `ryu` writes (exponents, 17 digits), padded or spelled `.5` / `1.` / `+1`
        2 => any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |v| v.is_finite()).prop_map(|v| ryu::Buffer::new().format_finite(v).to_owned()),
        1 => prop::sample::select(vec![" 3.5", "2 ", ".5", "1.", "+1", "-0", "1234567890123456", "0.1234567890123456", "1e5"]).prop_map(str::to_owned),
        1 => prop::sample::select(MISSING.to_vec()).prop_map(str::to_owned),
    ]
    .prop_map(move |s| {
        let v = if MISSING.contains(&s.trim()) { None } else { std_value(&s) };
        (s, v)
    })
}

fn dataset_fw(m: usize) -> zhili_core::Framework {
    let mut t = String::from("version = 1\n[[nodes]]\nid = \"index\"\n");
    for k in 0..m {
        t.push_str(&format!("[[nodes]]\nid = \"I{k}\"\nparent = \"index\"\n"));
    }
    zhili_core::Framework::from_toml_str(&t).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Dataset mode (the fused fast path for plain lines, the tokenizer for the rest: quoted
    /// ids, CRLF, a lone `\r`, blank lines) in chunks down to one byte: every cell is the
    /// standard library's value of its text, bit for bit.
    #[test]
    fn dataset_cells_are_std_parse_bit_for_bit(
        cells in proptest::collection::vec(proptest::collection::vec(number_cell(), 1..4), 1..30),
        quoted in proptest::collection::vec(any::<bool>(), 30),
        eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        blank_lines in any::<bool>(),
        final_newline in any::<bool>(),
        chunk in 1usize..60,
    ) {
        let m = cells.iter().map(Vec::len).min().unwrap();
        let mut s = String::from("unit");
        for k in 0..m {
            s.push_str(&format!(",I{k}"));
        }
        for (i, row) in cells.iter().enumerate() {
            s.push_str(eol);
            if blank_lines && i % 3 == 1 {
                s.push_str(eol);
            }
            if quoted[i] { s.push_str(&format!("\"u,{i}\"")) } else { s.push_str(&format!("u{i}")) }
            for (c, _) in &row[..m] {
                s.push(',');
                s.push_str(c);
            }
        }
        if final_newline {
            s.push_str(eol);
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(&p, &s).unwrap();
        let fw = dataset_fw(m);
        let Output::Dataset(ds) = read_file(&p, "d.csv", Mode::Dataset(&fw), &DataOptions::default(), Sizes { block: 64, chunk }).unwrap_or_else(|e| panic!("{e}\n{s:?}")) else {
            panic!("a dataset")
        };
        prop_assert_eq!(ds.n_units(), cells.len());
        for (i, row) in cells.iter().enumerate() {
            let want_id = if quoted[i] { format!("u,{i}") } else { format!("u{i}") };
            prop_assert_eq!(&ds.unit_ids()[i], &want_id);
            for (k, (text, v)) in row[..m].iter().enumerate() {
                let got = ds.values()[[i, k]];
                prop_assert_eq!(got.is_nan().then_some(()).map_or(Some(got.to_bits()), |()| None), v.map(f64::to_bits), "row {} `{}`", i, text);
            }
        }
    }
}

/// A bad cell on a plain line is reported by the tokenizer's path: file, line and column,
/// every bad cell counted.
#[test]
fn bad_cells_on_plain_lines_keep_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    std::fs::write(&p, "unit,I0,I1\na,1,2\nb,x,3\nc,4,lots\n").unwrap();
    let fw = dataset_fw(2);
    let e = read_file(&p, "bad.csv", Mode::Dataset(&fw), &DataOptions::default(), super::csv::SIZES)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("bad.csv") && e.contains("line 3") && e.contains("I0") && e.contains("2 bad cells"),
        "{e}"
    );
    assert!(e.contains("line 4") && e.contains("I1"), "{e}");
}
