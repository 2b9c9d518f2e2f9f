//! Workbooks (`.xlsx` `.xlsm` `.xlsb` `.xls` `.ods`, with `calamine`) → the shared layout.
//!
//! Defined behaviour:
//! - The sheet is `--sheet NAME`, else the first sheet. Leading empty rows are skipped;
//!   the first non-empty row is the header.
//! - Merged header cells: a merged region's value fills every cell it covers. When a
//!   region starting in the header row reaches further down (a two-level header, e.g.
//!   `经济` over B1:D1 and the indicator codes in B2:D2), the header is those rows and a
//!   column's name is its lowest non-empty header cell.
//! - Rows with every cell empty (trailing or not) are skipped; columns with an empty
//!   header are ignored (empty trailing columns).
//! - Numbers are used as stored (a formula's cached value). In an indicator or
//!   denominator column, text that is a number is read as one: thousands separators
//!   (`1,234`), a percentage (`12%` = 0.12), full-width digits and signs (`１２３`, `－5`),
//!   the missing tokens (`NA`, `-`, ...); `#N/A` (as an error cell or text) is missing;
//!   any other error cell (`#DIV/0!`, `#VALUE!`, ...), a date, a boolean or other text is
//!   an error naming file, sheet, row and column letter.
//! - In the time column a date gives its year; in text columns numbers are written
//!   without a trailing `.0` and dates as `YYYY-MM-DD`.

use std::path::Path;

use calamine::{open_workbook_auto, CellErrorType, Data, Dimensions, Range, Reader, Sheets};
use ndarray::{Array2, ShapeBuilder};
use zhili_core::framework::{FrameworkSpec, IMetaRow};
use zhili_core::{Error, Result};

use super::layout::{self, BadCell, Layout, Locate, Mode, OtherColumn, Output, Parsed, Role, Values, MAX_BAD};
use super::DataOptions;

/// A sheet as a header and data rows of cells, with the sheet's row numbers.
struct Grid {
    header: Vec<String>,
    /// (1-based sheet row, cells); cells indexed by column from `col0`.
    rows: Vec<(usize, Vec<Data>)>,
    /// 0-based sheet column of the first column.
    col0: usize,
    /// `file, sheet NAME` for errors.
    place: String,
}

/// The sheet names of a workbook, in order.
///
/// # Errors
/// [`Error::Parse`] if the file is not a readable workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>> {
    Ok(open(path)?.sheet_names())
}

fn open(path: &Path) -> Result<Sheets<std::io::BufReader<std::fs::File>>> {
    open_workbook_auto(path).map_err(|e| Error::parse(path.display().to_string(), None, None, format!("cannot open the workbook: {e}")))
}

fn grid(path: &Path, file: &str, sheet: Option<&str>, prefer: &[&str]) -> Result<Grid> {
    let mut wb = open(path)?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| Error::Unknown {
            what: "sheet",
            id: s.to_owned(),
            context: format!("{file} has: {}", names.join(", ")),
        })?,
        None => names
            .iter()
            .find(|n| prefer.iter().any(|p| n.eq_ignore_ascii_case(p)))
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| Error::Empty(format!("{file}: the workbook has no sheets")))?,
    };
    let place = format!("{file}, sheet {name}");
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::parse(&place, None, None, format!("cannot read the sheet: {e}")))?;
    let merges = match &mut wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(to_grid(range, &merges, place))
}

fn to_grid(range: Range<Data>, merges: &[Dimensions], place: String) -> Grid {
    let (row0, col0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows = range.rows().enumerate().map(|(i, r)| (row0 + i + 1, r.to_vec()));
    let mut header_rows = Vec::new();
    for (n, cells) in rows.by_ref() {
        if cells.iter().any(|c| !is_empty(c)) {
            header_rows.push((n, cells));
            break;
        }
    }
    let Some(&(first, _)) = header_rows.first() else {
        return Grid {
            header: Vec::new(),
            rows: Vec::new(),
            col0,
            place,
        };
    };
    // A merged region starting in the header row that reaches down makes a taller header.
    let last = merges
        .iter()
        .filter(|m| m.start.0 as usize + 1 == first)
        .map(|m| m.end.0 as usize + 1)
        .max()
        .unwrap_or(first);
    while header_rows.last().map_or(0, |h| h.0) < last {
        match rows.next() {
            Some(r) => header_rows.push(r),
            None => break,
        }
    }
    // Fill merged regions inside the header.
    for m in merges {
        let (r0, c0) = (m.start.0 as usize + 1, m.start.1 as usize);
        let Some(v) = header_rows
            .iter()
            .find(|(n, _)| *n == r0)
            .and_then(|(_, cells)| cells.get(c0.wrapping_sub(col0)).cloned())
        else {
            continue;
        };
        for (n, cells) in header_rows.iter_mut() {
            if *n < r0 || *n > m.end.0 as usize + 1 {
                continue;
            }
            for c in c0..=m.end.1 as usize {
                if let Some(cell) = c.checked_sub(col0).and_then(|k| cells.get_mut(k)) {
                    if is_empty(cell) {
                        *cell = v.clone();
                    }
                }
            }
        }
    }
    let width = header_rows[0].1.len();
    let header = (0..width)
        .map(|k| {
            header_rows
                .iter()
                .rev()
                .map(|(_, cells)| cells.get(k).map(text).unwrap_or_default())
                .find(|s| !s.is_empty())
                .unwrap_or_default()
        })
        .collect();
    let rows = rows.filter(|(_, cells)| cells.iter().any(|c| !is_empty(c))).collect();
    Grid { header, rows, col0, place }
}

fn is_empty(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) => layout::clean_text(s).is_empty(),
        _ => false,
    }
}

/// A cell as text (unit ids, names, group labels, header cells).
fn text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => layout::clean_text(s).to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::Error(e) => e.to_string(),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A cell as a number, by the rules in the module docs; `Err` says why not.
fn number(c: &Data) -> std::result::Result<f64, String> {
    match c {
        Data::Empty | Data::Error(CellErrorType::NA) => Ok(f64::NAN),
        Data::Float(f) if f.is_finite() => Ok(*f),
        Data::Float(f) => Err(format!("\"{f}\" is not a finite number")),
        Data::Int(i) => Ok(*i as f64),
        Data::String(s) => text_number(s).ok_or_else(|| format!("\"{}\" is not a number", zhili_core::text::cut(layout::clean_text(s)))),
        Data::Error(e) => Err(format!("the error value {e} is not a number")),
        Data::Bool(b) => Err(format!("the boolean {} is not a number", if *b { "TRUE" } else { "FALSE" })),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Err(format!("the date {} is not a number", text(c))),
    }
}

/// Text that is a number: full-width forms folded, thousands separators, a percentage.
pub(crate) fn text_number(s: &str) -> Option<f64> {
    let folded: String = layout::clean_text(s)
        .chars()
        .map(|ch| match ch {
            '０'..='９' => char::from(b'0' + (ch as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '＋' => '+',
            '％' => '%',
            _ => ch,
        })
        .collect();
    let t = folded.trim();
    if let Some(v) = layout::parse_number(t.as_bytes()) {
        return Some(v);
    }
    // Divided (not multiplied by 0.01) so "12%" is the double nearest 0.12.
    let (body, divisor) = match t.strip_suffix('%') {
        Some(b) => (b.trim(), 100.0),
        None => (t, 1.0),
    };
    let plain = if body.contains(',') { ungroup(body)? } else { body.to_owned() };
    let v = fast_float2::parse::<f64, _>(plain.as_bytes()).ok().filter(|v| v.is_finite())?;
    Some(v / divisor)
}

/// `1,234,567.5` → `1234567.5`, only when the commas group digits by three.
fn ungroup(s: &str) -> Option<String> {
    let (sign, rest) = match s.strip_prefix(['-', '+']) {
        Some(r) => (&s[..1], r),
        None => ("", s),
    };
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(a, b)| (a, Some(b)));
    let groups: Vec<&str> = int.split(',').collect();
    let ok = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| format!("{sign}{}{}", groups.concat(), frac.map(|f| format!(".{f}")).unwrap_or_default()))
}

struct SheetLoc<'a> {
    place: &'a str,
    rows: Vec<usize>,
    col0: usize,
}

impl Locate for SheetLoc<'_> {
    fn at(&self, row: usize, col: Option<usize>, _header: &[String], message: String) -> Error {
        let r = self.rows.get(row).copied().unwrap_or_default();
        let at = match col {
            Some(c) => format!("{}, row {r}, column {}", self.place, layout::column_letter(self.col0 + c)),
            None => format!("{}, row {r}", self.place),
        };
        Error::parse(at, None, None, message)
    }
}

/// Read a sheet of a workbook into a dataset.
///
/// # Errors
/// As [`super::read_dataset`], errors naming file, sheet, row and column letter.
pub(crate) fn read(path: &Path, file: &str, fw: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let g = grid(path, file, opts.sheet.as_deref(), &[])?;
    let header_row = g.rows.first().map_or(1, |r| r.0.saturating_sub(1)).max(1);
    let lay = Layout::resolve(g.header.clone(), fw, opts, &g.place, &|h| {
        Error::parse(
            format!("{}, row {header_row}", g.place),
            None,
            Some(h.to_owned()),
            "duplicate column name",
        )
    })?;
    let n = g.rows.len();
    let mut values = Array2::from_elem((n, lay.indicators.len()).f(), f64::NAN);
    let mut denominators = vec![Vec::with_capacity(n); lay.denominators.len()];
    let mut others: Vec<Vec<Data>> = vec![Vec::with_capacity(n); lay.others.len()];
    let (mut units, mut names, mut time) = (Vec::with_capacity(n), Vec::new(), Vec::new());
    let (mut bad, mut n_bad) = (Vec::new(), 0usize);
    for (r, (_, cells)) in g.rows.iter().enumerate() {
        for (j, role) in lay.roles.iter().enumerate() {
            let cell = cells.get(j).unwrap_or(&Data::Empty);
            let mut num = || {
                number(cell).unwrap_or_else(|message| {
                    n_bad += 1;
                    if bad.len() < MAX_BAD {
                        bad.push(BadCell { row: r, col: j, message });
                    }
                    f64::NAN
                })
            };
            match *role {
                Role::Indicator(k) => values[[r, k]] = num(),
                Role::Denominator(d) => {
                    let v = num();
                    denominators[d].push(v);
                }
                Role::Unit => units.push(text(cell)),
                Role::Name => names.push(text(cell)),
                Role::Time => time.push(match cell {
                    Data::DateTime(d) => d.to_ymd_hms_milli().0.to_string(),
                    other => text(other),
                }),
                Role::Other(o) => others[o].push(cell.clone()),
                Role::Skipped => {}
            }
        }
    }
    let parsed = Parsed {
        values: Values::Matrix(values),
        denominators,
        others: others.into_iter().map(other_column).collect(),
        units,
        names: lay.name.map(|_| names),
        time: lay.time.map(|_| time),
        bad,
        n_bad,
    };
    let loc = SheetLoc {
        place: &g.place,
        rows: g.rows.iter().map(|r| r.0).collect(),
        col0: g.col0,
    };
    layout::finish(fw, &lay, parsed, &g.place, &loc)
}

fn other_column(cells: Vec<Data>) -> OtherColumn {
    let nums: Option<Vec<f64>> = cells.iter().map(|c| number(c).ok()).collect();
    match nums {
        Some(v) if cells.iter().any(|c| !is_empty(c)) => OtherColumn::Numbers(v),
        _ => OtherColumn::Text(cells.iter().map(|c| Some(text(c)).filter(|s| !s.is_empty())).collect()),
    }
}

/// Read a framework from a workbook sheet laid out like a COINr iMeta table: one row per
/// node with a code (`iCode` / `id` / `code` / `代码`), `Parent` (`上级`), `Weight`
/// (`权重`), `Direction` (`方向`: 1 / -1, `benefit` / `cost`, `正向` / `负向`), optional
/// `Type` (`Indicator` / `Aggregate` / `Group` / `Denominator` / `Other`; when absent a
/// node that is some row's parent is an aggregate, the rest indicators), names (`iName`,
/// `name`, `name_zh` / `名称`, `name_en`), `Level`, `Unit` (`单位`), `Target`,
/// `Denominator`. The sheet is `sheet`, else one named `iMeta`, `framework`, `指标体系`
/// or `框架`, else the first.
///
/// # Errors
/// [`Error::Parse`] naming file, sheet, row and column letter for a bad cell;
/// [`Error::MissingColumn`] for a missing code column.
pub fn read_excel_framework(path: &Path, sheet: Option<&str>) -> Result<FrameworkSpec> {
    let file = path.display().to_string();
    let g = grid(path, &file, sheet, &["iMeta", "framework", "指标体系", "框架"])?;
    let col = |names: &[&str]| g.header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let code = col(&["iCode", "id", "code", "代码", "指标代码"]).ok_or_else(|| Error::MissingColumn {
        column: "iCode".into(),
        needed_by: format!("a framework sheet ({}; also accepted: id, code, 代码)", g.place),
    })?;
    let (parent, weight, direction, kind) = (
        col(&["Parent", "上级"]),
        col(&["Weight", "权重"]),
        col(&["Direction", "方向"]),
        col(&["Type", "类型"]),
    );
    let (name, name_zh, name_en) = (col(&["iName", "name"]), col(&["name_zh", "名称"]), col(&["name_en"]));
    let (level, unit, target, denom) = (
        col(&["Level", "层级"]),
        col(&["Unit", "单位"]),
        col(&["Target", "目标"]),
        col(&["Denominator"]),
    );
    if parent.is_none() && g.rows.len() > 1 {
        return Err(Error::MissingColumn {
            column: "Parent".into(),
            needed_by: format!("a framework sheet of more than one node ({}; also accepted: 上级)", g.place),
        });
    }
    let loc = SheetLoc {
        place: &g.place,
        rows: g.rows.iter().map(|r| r.0).collect(),
        col0: g.col0,
    };
    let cell = |r: usize, c: Option<usize>| c.and_then(|c| g.rows[r].1.get(c)).unwrap_or(&Data::Empty);
    let txt = |r: usize, c: Option<usize>| Some(text(cell(r, c))).filter(|s| !s.is_empty() && s != "NA");
    let num = |r: usize, c: Option<usize>| -> Result<Option<f64>> {
        let v = number(cell(r, c)).map_err(|m| loc.at(r, c, &g.header, m))?;
        Ok(Some(v).filter(|v| !v.is_nan()))
    };
    let parents: std::collections::HashSet<String> = (0..g.rows.len()).filter_map(|r| txt(r, parent)).collect();
    let mut rows = Vec::with_capacity(g.rows.len());
    let mut zh = Vec::with_capacity(g.rows.len());
    for r in 0..g.rows.len() {
        let id = txt(r, Some(code)).unwrap_or_default();
        let dir = match txt(r, direction).as_deref() {
            None => None,
            Some("benefit" | "正向" | "正" | "+") => Some(1.0),
            Some("cost" | "负向" | "逆向" | "负" | "-") => Some(-1.0),
            Some(_) => num(r, direction)?,
        };
        let kind = txt(r, kind).unwrap_or_else(|| if parents.contains(&id) { "Aggregate" } else { "Indicator" }.to_owned());
        let plain = txt(r, name);
        let has_cjk = |s: &String| s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
        zh.push(txt(r, name_zh).or_else(|| plain.clone().filter(has_cjk)));
        rows.push(IMetaRow {
            level: num(r, level)?,
            name: txt(r, name_en).or_else(|| plain.filter(|s| !has_cjk(s))),
            code: id,
            direction: dir,
            weight: num(r, weight)?,
            parent: txt(r, parent),
            kind,
            unit: txt(r, unit),
            target: num(r, target)?,
            denominator: txt(r, denom),
        });
    }
    let first_row = g.rows.first().map_or(2, |r| r.0);
    let mut spec = FrameworkSpec::from_coinr(&rows, &g.place, first_row)?;
    let zh: std::collections::HashMap<String, String> = rows
        .iter()
        .zip(zh)
        .filter_map(|(r, z)| z.map(|z| (r.code.trim().to_owned(), z)))
        .collect();
    for n in &mut spec.nodes {
        if let Some(z) = zh.get(&n.id) {
            n.name.zh = Some(z.clone());
        }
    }
    Ok(spec)
}

/// A workbook sheet as CSV text, one line per sheet row (empty rows as empty lines), so
/// a CSV parser's line numbers are the sheet's row numbers; cells as text (numbers in
/// their shortest round-trip form, dates `YYYY-MM-DD`, `#N/A` as text).
///
/// # Errors
/// [`Error::Parse`] if the workbook or sheet cannot be read; [`Error::Unknown`] for a
/// sheet the workbook lacks.
pub(crate) fn sheet_as_csv(path: &Path, sheet: Option<&str>) -> Result<(String, String)> {
    let file = path.display().to_string();
    let mut wb = open(path)?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| Error::Unknown {
            what: "sheet",
            id: s.to_owned(),
            context: format!("{file} has: {}", names.join(", ")),
        })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::Empty(format!("{file}: the workbook has no sheets")))?,
    };
    let place = format!("{file}, sheet {name}");
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::parse(&place, None, None, format!("cannot read the sheet: {e}")))?;
    let (row0, col0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut out = "\n".repeat(row0);
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for r in range.rows() {
        let cells: Vec<String> = std::iter::repeat_n(String::new(), col0).chain(r.iter().map(text)).collect();
        if cells.iter().all(String::is_empty) {
            w.flush().map_err(|e| Error::parse(&place, None, None, e.to_string()))?;
            let mut buf = w.into_inner().map_err(|e| Error::parse(&place, None, None, e.to_string()))?;
            buf.push(b'\n');
            w = csv::WriterBuilder::new().flexible(true).from_writer(buf);
        } else {
            w.write_record(&cells)
                .map_err(|e| Error::parse(&place, None, None, e.to_string()))?;
        }
    }
    let buf = w.into_inner().map_err(|e| Error::parse(&place, None, None, e.to_string()))?;
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok((out, place))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_numbers() {
        assert_eq!(text_number("1,234"), Some(1234.0));
        assert_eq!(text_number("-1,234,567.25"), Some(-1234567.25));
        assert_eq!(text_number("12%"), Some(0.12));
        assert_eq!(text_number("１２３"), Some(123.0));
        assert_eq!(text_number("－5"), Some(-5.0));
        assert_eq!(text_number("１２．５％"), Some(0.125));
        assert!(text_number("NA").is_some_and(f64::is_nan));
        assert_eq!(text_number("—"), None);
        assert_eq!(text_number("1,23"), None);
        assert_eq!(text_number("12,34,567"), None);
        assert_eq!(text_number("abc"), None);
    }
}
