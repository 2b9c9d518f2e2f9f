//! The results writers end to end: CSV, JSON and the workbook (read back with calamine),
//! formula injection, languages, grade colours.

use calamine::{Data, Reader, Xlsx};
use ndarray::array;
use zhili_core::{Dataset, Framework, Pipeline, Run};
use zhili_indicators::GradingSpec;
use zhili_io::write::{band_colour, Columns, CsvOptions, ResultsExport, UncertaintyExport};
use zhili_io::Lang;

const FW: &str = r#"
version = 1
id = "t"
[[nodes]]
id = "index"
name = { zh = "指数", en = "The index" }
[[nodes]]
id = "dim"
parent = "index"
name = { zh = "维度", en = "Dimension" }
[[nodes]]
id = "a"
parent = "dim"
kind = "indicator"
name = { zh = "甲", en = "A" }
[[nodes]]
id = "b"
parent = "dim"
kind = "indicator"
direction = "cost"
name = { zh = "乙", en = "B" }
[[nodes]]
id = "c"
parent = "index"
kind = "indicator"
name = { zh = "丙", en = "C" }
"#;

/// Units named to break writers: a formula, a comma, quotes, a newline, Chinese.
const NAMES: [&str; 5] = ["=cmd|' /C calc'!A0", "Li, \"Ming\"", "+SUM(1)", "昆明\n市", "-3.5"];

fn setup() -> (Framework, Dataset, Run) {
    let fw = Framework::from_toml_str(FW).expect("framework");
    let x = array![
        [1.0, 5.0, 0.1],
        [2.5, 4.0, 0.7],
        [3.0, 1.0 / 3.0, 0.2],
        [f64::NAN, 2.0, 0.9],
        [7.0, 1e-7, 1e17]
    ];
    let ids: Vec<String> = ["u1", "@u2", "u,3", "u\"4", "-u5"].iter().map(|s| (*s).to_owned()).collect();
    let data = Dataset::new(ids, vec!["a".into(), "b".into(), "c".into()], x)
        .expect("data")
        .with_unit_names(NAMES.iter().map(|s| (*s).to_owned()).collect())
        .expect("names");
    let run = Pipeline::default().run(&fw, &data).expect("run");
    (fw, data, run)
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    r.records()
        .map(|x| x.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range(name).expect("sheet")
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.sheet_names()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        Data::Empty => f64::NAN,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn csv_and_workbook_agree_bit_for_bit() {
    let (fw, data, run) = setup();
    let g = GradingSpec::three_colour().expect("grading");
    let x = ResultsExport::from_run(&fw, &run, &data, Lang::En)
        .with_grading(Some(&g))
        .with_columns(Columns::All);
    let mut out = Vec::new();
    x.write_csv(&mut out, &CsvOptions { bom: false, guard: true }).expect("csv");
    let rows = csv_rows(&out);
    assert_eq!(rows[0], ["unit", "name", "rank", "grade", "index", "dim", "a", "b", "c"]);
    let xlsx = x.xlsx_bytes().expect("xlsx");
    let scores = sheet(&xlsx, "scores");
    let ranking = sheet(&xlsx, "ranking");
    assert_eq!(scores.height(), rows.len());
    let res = &run.results;
    for (k, row) in rows.iter().enumerate().skip(1) {
        let xs: Vec<&Data> = scores.rows().nth(k).expect("row").iter().collect();
        // ids and names: the CSV guards formulas, the workbook stores them as plain text
        assert_eq!(zhili_io::write::guard(&text(xs[0])), row[0]);
        assert_eq!(zhili_io::write::guard(&text(xs[1])), row[1]);
        let i = res.unit_ids().iter().position(|u| *u == text(xs[0])).expect("unit");
        for (m, cell) in row[4..].iter().enumerate() {
            let want: f64 = if cell.is_empty() { f64::NAN } else { cell.parse().expect("number") };
            let got = num(xs[2 + m]);
            assert!(
                want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                "{row:?} col {m}: {got} vs {cell}"
            );
            // and both are the engine's value, exactly
            let j = res.node_ids().iter().position(|n| *n == rows[0][4 + m]).expect("node");
            let v = res.scores()[[i, j]];
            assert!(v.to_bits() == got.to_bits() || (v.is_nan() && got.is_nan()));
        }
        let rk: Vec<&Data> = ranking.rows().nth(k).expect("row").iter().collect();
        assert_eq!(num(rk[0]).to_string(), row[2], "rank");
        assert_eq!(text(rk[1]), text(xs[0]));
        assert_eq!(num(rk[3]).to_bits(), row[4].parse::<f64>().expect("index").to_bits());
        assert_eq!(text(rk[4]), row[3], "grade");
    }
    // ranks follow the index, best first
    let idx: Vec<f64> = rows[1..].iter().map(|r| r[4].parse().expect("index")).collect();
    assert!(idx.windows(2).all(|w| w[0] >= w[1]), "{idx:?}");
    assert_eq!(rows[1][2], "1");
}

#[test]
fn formula_injection_is_neutralised() {
    let (fw, data, run) = setup();
    let x = ResultsExport::from_run(&fw, &run, &data, Lang::En);
    let mut out = Vec::new();
    x.write_csv(&mut out, &CsvOptions::default()).expect("csv");
    assert!(out.starts_with("\u{feff}".as_bytes()), "BOM by default");
    let text_out = String::from_utf8(out[3..].to_vec()).expect("utf-8");
    assert!(text_out.contains("'=cmd|' /C calc'!A0"), "{text_out}");
    assert!(
        text_out.contains("'+SUM(1)") && text_out.contains("'@u2") && text_out.contains("'-u5"),
        "{text_out}"
    );
    // a negative number written as a name is not a formula; quoting keeps commas and quotes
    assert!(
        text_out.contains(",-3.5,") && text_out.contains("\"Li, \"\"Ming\"\"\""),
        "{text_out}"
    );
    let rows = csv_rows(&out[3..]);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    assert!(rows.iter().any(|r| r[0] == "u,3") && rows.iter().any(|r| r[0] == "u\"4") && rows.iter().any(|r| r[1] == "昆明\n市"));
    // without the guard, the text is written as it is
    let mut raw = Vec::new();
    x.write_csv(&mut raw, &CsvOptions::DOCUMENT).expect("csv");
    assert!(!raw.starts_with("\u{feff}".as_bytes()));
    assert!(csv_rows(&raw).iter().any(|r| r[1] == NAMES[0]));

    // the workbook stores every name as a string, never a formula
    let xlsx = x.xlsx_bytes().expect("xlsx");
    let ranking = sheet(&xlsx, "ranking");
    let names: Vec<String> = ranking.rows().skip(1).map(|r| text(&r[2])).collect();
    for n in NAMES {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("xlsx");
    let formulas = wb.worksheet_formula("ranking").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cells");
}

#[test]
fn sheets_in_order_headers_in_both_languages() {
    let (fw, data, run) = setup();
    let g = GradingSpec::score_grades().expect("grading");
    let ua = zhili_core::analysis::uncertainty::uncertainty(
        &fw,
        &data,
        &Pipeline::default(),
        &[zhili_core::analysis::uncertainty::Factor::Weights {
            spread: 0.2,
            levels: vec![],
            nodes: vec![],
        }],
        &zhili_core::analysis::uncertainty::UncertaintyOptions {
            runs: 20,
            ..Default::default()
        },
        zhili_core::analysis::uncertainty::Monitor::default(),
    )
    .expect("uncertainty");
    let export = |lang| {
        ResultsExport::from_run(&fw, &run, &data, lang)
            .with_grading(Some(&g))
            .with_stage_sheets(true)
            .with_uncertainty(Some(UncertaintyExport {
                unit_ids: &ua.unit_ids,
                stats: vec![&ua.index],
                runs: ua.runs,
            }))
    };
    let en = export(Lang::En).xlsx_bytes().expect("xlsx");
    assert_eq!(
        sheet_names(&en),
        [
            "ranking",
            "scores",
            "weights",
            "stage raw",
            "stage denominated",
            "stage imputed",
            "stage normalised",
            "log",
            "framework",
            "uncertainty"
        ]
    );
    let zh = export(Lang::Zh).xlsx_bytes().expect("xlsx");
    assert_eq!(
        sheet_names(&zh),
        [
            "排名",
            "得分",
            "权重",
            "阶段 原始值",
            "阶段 分母化",
            "阶段 插补后",
            "阶段 标准化",
            "日志",
            "框架",
            "不确定性"
        ]
    );
    let header = |bytes: &[u8], name: &str| -> Vec<String> { sheet(bytes, name).rows().next().expect("header").iter().map(text).collect() };
    assert_eq!(header(&en, "ranking"), ["Rank", "Unit", "Name", "The index", "Grade"]);
    assert_eq!(header(&zh, "排名"), ["排名", "单位代码", "名称", "指数", "等级"]);
    assert_eq!(header(&zh, "得分")[2..], ["指数", "维度", "甲", "乙", "丙"]);
    assert_eq!(header(&en, "framework")[..4], ["iCode", "iName", "Level", "Parent"]);
    // grade labels follow the language
    let grades_en: Vec<String> = sheet(&en, "ranking").rows().skip(1).map(|r| text(&r[4])).collect();
    let grades_zh: Vec<String> = sheet(&zh, "排名").rows().skip(1).map(|r| text(&r[4])).collect();
    assert!(
        grades_en
            .iter()
            .all(|x| ["excellent", "good", "fair", "poor", ""].contains(&x.as_str())),
        "{grades_en:?}"
    );
    assert!(
        grades_zh.iter().all(|x| ["优秀", "良好", "一般", "较差", ""].contains(&x.as_str())),
        "{grades_zh:?}"
    );
    // uncertainty: nominal ranks equal the ranking's
    let u = sheet(&en, "uncertainty");
    let r = sheet(&en, "ranking");
    for row in u.rows().skip(1) {
        let unit = text(&row[0]);
        let rk = r.rows().find(|x| text(&x[1]) == unit).expect("unit in ranking");
        assert_eq!(num(&row[3]), num(&rk[0]), "{unit}");
    }
    // weights: effective weights of the indicators sum to 1
    let w = sheet(&en, "weights");
    let total: f64 = w
        .rows()
        .skip(1)
        .filter(|r| ["a", "b", "c"].contains(&text(&r[0]).as_str()))
        .map(|r| num(&r[5]))
        .sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
}

#[test]
fn grade_cells_are_filled_with_their_band_colour() {
    let (fw, data, run) = setup();
    let g = GradingSpec::three_colour().expect("grading");
    let xlsx = ResultsExport::from_run(&fw, &run, &data, Lang::En)
        .with_grading(Some(&g))
        .xlsx_bytes()
        .expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("xlsx");
    let values = wb.worksheet_range("ranking").expect("values");
    let styles = wb.worksheet_style("ranking").expect("styles");
    let mut seen = 0;
    for (r, row) in values.rows().enumerate().skip(1) {
        let label = text(&row[4]);
        let Some(k) = g.bands.iter().position(|b| b.name.en.as_deref() == Some(label.as_str())) else {
            continue;
        };
        let style = styles.get((u32::try_from(r).expect("row"), 4)).expect("styled grade cell");
        let fill = style.fill.as_ref().expect("fill");
        let c = fill.foreground_color.expect("colour");
        assert_eq!(c.to_argb() & 0xFF_FF_FF, band_colour(&g, k), "{label}");
        seen += 1;
    }
    assert!(seen >= 3, "graded rows: {seen}");
    // red / yellow / green are what the names say
    assert_eq!(band_colour(&g, 0) >> 16, 0xF4);
}

#[test]
fn top_and_default_columns_in_every_format() {
    let (fw, data, run) = setup();
    let x = ResultsExport::from_run(&fw, &run, &data, Lang::En).with_top(Some(2));
    let mut csv_out = Vec::new();
    x.write_csv(&mut csv_out, &CsvOptions::DOCUMENT).expect("csv");
    let rows = csv_rows(&csv_out);
    assert_eq!(rows[0], ["unit", "name", "rank", "index", "dim"], "default: index and aggregates");
    assert_eq!(rows.len(), 3);
    let mut json = Vec::new();
    x.write_json(&mut json).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(v["units"].as_array().expect("units").len(), 2);
    assert_eq!(v["units"][0].as_str(), Some(rows[1][0].as_str()));
    assert_eq!(v["names"][0].as_str(), Some(rows[1][1].as_str()));
    assert_eq!(v["nodes"], serde_json::json!(["index", "dim"]));
    let ranks: Vec<f64> = v["rank"]
        .as_array()
        .expect("ranks")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    assert_eq!(ranks, [1.0, 2.0]);
    let idx: f64 = rows[1][3].parse().expect("number");
    assert_eq!(v["scores"]["index"][0].as_f64().map(f64::to_bits), Some(idx.to_bits()));
    let xlsx = x.xlsx_bytes().expect("xlsx");
    assert_eq!(sheet(&xlsx, "ranking").height(), 3);
    let mut stage = Vec::new();
    x.write_stage_csv("normalised", &mut stage, &CsvOptions::DOCUMENT).expect("stage");
    let s = csv_rows(&stage);
    assert_eq!(s[0], ["unit", "name", "a", "b", "c"]);
    assert_eq!(s.len(), 3);
    assert_eq!(s[1][0], rows[1][0]);
    let e = x
        .write_stage_csv("nonsense", Vec::new(), &CsvOptions::DOCUMENT)
        .expect_err("unknown stage");
    assert!(e.to_string().contains("nonsense") && e.to_string().contains("normalised"), "{e}");
}

/// `zhili score --format parquet|arrow`: read back with the readers, every column equals
/// the CSV export's (numbers parsed from the CSV text, compared bit for bit; NaN = empty).
#[test]
fn parquet_and_arrow_equal_the_csv_bit_for_bit() {
    use zhili_io::{read_table, Column, DataOptions};
    let (fw, data, _) = setup();
    // no imputation: the unit missing `a` keeps a NaN normalised score to carry through
    let pipe = Pipeline::from_toml_str(
        "version = 1\n[[steps]]\ntype = \"normalise\"\nmethod = \"minmax\"\nlo = 0.0\nhi = 100.0\n\
         [[steps]]\ntype = \"aggregate\"\nmethod = \"arithmetic\"\n",
    )
    .expect("pipeline");
    let run = pipe.run(&fw, &data).expect("run");
    let g = GradingSpec::three_colour().expect("grading");
    let x = ResultsExport::from_run(&fw, &run, &data, Lang::Zh)
        .with_grading(Some(&g))
        .with_columns(Columns::All);
    let mut out = Vec::new();
    x.write_csv(&mut out, &CsvOptions { bom: false, guard: false }).expect("csv");
    let rows = csv_rows(&out);
    assert_eq!(rows[0], ["unit", "name", "rank", "grade", "index", "dim", "a", "b", "c"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("r.parquet");
    let ar = dir.path().join("r.arrow");
    let mut bytes = Vec::new();
    x.write_parquet(&mut bytes).expect("parquet");
    std::fs::write(&pq, &bytes).expect("write");
    let mut bytes = Vec::new();
    x.write_arrow(&mut bytes).expect("arrow");
    std::fs::write(&ar, &bytes).expect("write");
    for p in [&pq, &ar] {
        let t = read_table(p, &DataOptions::default()).expect("read back");
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, rows[0], "{}", p.display());
        assert_eq!(t.n_rows(), rows.len() - 1);
        let mut nan = 0;
        for (j, (name, col)) in t.columns.iter().enumerate() {
            for (r, row) in rows[1..].iter().enumerate() {
                let cell = row[j].as_str();
                match col {
                    Column::Numbers(v) => {
                        let want = if cell.is_empty() {
                            f64::NAN
                        } else {
                            cell.parse::<f64>().expect("csv number")
                        };
                        nan += usize::from(want.is_nan());
                        // any NaN payload is "missing"; every other value identical in bits
                        let same = (v[r].is_nan() && want.is_nan()) || v[r].to_bits() == want.to_bits();
                        assert!(same, "{} {name} row {r}: {} vs {cell}", p.display(), v[r]);
                    }
                    Column::Text(v) => assert_eq!(v[r].as_deref().unwrap_or(""), cell, "{} {name} row {r}", p.display()),
                }
            }
        }
        // the unit with a missing indicator has missing scores: NaN must survive
        assert!(nan > 0, "no missing value exercised");
        assert!(matches!(t.columns[2].1, Column::Numbers(_)) && matches!(t.columns[0].1, Column::Text(_)));
    }
}
