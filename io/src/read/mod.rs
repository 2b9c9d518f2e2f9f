//! Files → [`Dataset`]: CSV (any encoding), Excel (`.xlsx` `.xlsm` `.xls` `.ods`),
//! Parquet and Arrow IPC (`.arrow` `.feather` `.ipc`). One module per source; all share
//! [`layout`], which resolves the header into roles and builds the dataset, so every
//! source has the same column rules and the same errors.
//!
//! Column rules: the unit column is `--unit-column`, else the first of `unit`, `unit_id`,
//! `uCode`, `code`, `id`, else the first column; names come from `name` / `unit_name` /
//! `uName`; time (integers) from `year` / `Year` / `Time` / `time`. Every framework
//! indicator must have a numeric column (empty, `NA`, `N/A`, `#N/A`, `NaN`, `nan`, `-`
//! = missing), as must every denominator; any other column is kept, as numbers if every
//! cell is a number, else as a group (text) column. Text cells are trimmed and a leading
//! U+FEFF (a byte-order mark inside a field) is removed.

use std::path::Path;

use zhili_core::{Dataset, Error, Framework, Result};

mod arrow;
mod csv;
mod excel;
mod fast_line;
mod layout;
mod parquet;
#[cfg(test)]
mod roundtrip_tests;
mod tokenize;

pub use excel::{read_excel_framework, sheet_names};
pub use layout::{Column, Table};

use layout::{Mode, Output};

/// How to read a data file. Every field has a sensible default.
#[derive(Debug, Clone, Default)]
pub struct DataOptions {
    /// The unit id column. Default: the first of `unit`, `unit_id`, `uCode`, `code`, `id`
    /// present, else the first column.
    pub unit_column: Option<String>,
    /// The unit name column. Default: `name`, `unit_name` or `uName` if present.
    pub name_column: Option<String>,
    /// The time column (integers, e.g. years). Default: `year` or `Time` if present.
    pub time_column: Option<String>,
    /// The worksheet of a workbook. Default: the first sheet.
    pub sheet: Option<String>,
    /// The text encoding of a CSV file (a label such as `gbk`, `utf-8`, `utf-16le`,
    /// `latin1`). Default: detected (see [`crate::decode_with`]).
    pub encoding: Option<String>,
}

/// The kinds of data file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// Delimited text (`.csv`, `.txt` and anything unknown).
    Csv,
    /// A workbook: `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`.
    Excel,
    /// Apache Parquet: `.parquet`, `.pq`.
    Parquet,
    /// Arrow IPC file or stream: `.arrow`, `.feather`, `.ipc`, `.arrows`.
    Arrow,
}

impl DataFormat {
    /// The format of a path, by its extension (case-insensitive); CSV when unknown.
    pub fn of(path: &Path) -> Self {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => DataFormat::Excel,
            "parquet" | "pq" => DataFormat::Parquet,
            "arrow" | "feather" | "ipc" | "arrows" => DataFormat::Arrow,
            _ => DataFormat::Csv,
        }
    }
}

/// Read a data file for a framework, by extension: CSV (UTF-8, GBK / GB18030, UTF-16
/// or `opts.encoding`), a workbook sheet (`opts.sheet`, default the first), Parquet or
/// Arrow IPC.
///
/// Indicator columns are those named like the framework's indicators and must be
/// numeric (empty, `NA`, `NaN` = missing). Denominator columns the framework names
/// must exist and be numeric. Every other column is kept: numeric ones as numeric
/// columns (usable as denominators), the rest as group columns.
///
/// # Errors
/// [`Error::Parse`] naming file, line (sheet, row and column letter for workbooks) and
/// column for a malformed row, a non-numeric indicator value (every bad cell is
/// counted, the first few named), an empty or duplicate unit id, an undecidable text
/// encoding; [`Error::MissingColumn`] for an indicator or denominator the file lacks.
pub fn read_dataset(path: &Path, fw: &Framework, opts: &DataOptions) -> Result<Dataset> {
    match read(path, Mode::Dataset(fw), opts)? {
        Output::Dataset(d) => Ok(d),
        Output::Table(_) => Err(Error::spec("reader", "a table where a dataset was asked for")),
    }
}

/// Read any data file (as [`read_dataset`] does, same sources and cell rules) into a
/// plain table of every named column: numbers where every cell is a number (or missing),
/// else text. Used where no framework is at hand (Python's `read_csv` / `read_excel` /
/// `read_parquet`). `unit_column`, `name_column` and `time_column` are ignored.
///
/// # Errors
/// As [`read_dataset`], without the framework's column checks.
pub fn read_table(path: &Path, opts: &DataOptions) -> Result<Table> {
    match read(path, Mode::Table, opts)? {
        Output::Table(t) => Ok(t),
        Output::Dataset(_) => Err(Error::spec("reader", "a dataset where a table was asked for")),
    }
}

/// Refuse a file whose reading would need more memory than the budget: its bytes, the
/// decoded text and the parsed values are held together (about 3 × the file for CSV; a
/// compressed workbook or Parquet file expands, counted as 8 ×).
fn check_size(path: &Path, format: DataFormat) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(()); // the read itself reports a missing file
    };
    let factor = if format == DataFormat::Csv { 3 } else { 8 };
    zhili_core::memory::check(
        format!("reading {}", zhili_core::text::cut(&path.display().to_string())),
        format!(
            "a {format:?} file of {} (held as bytes, text and values)",
            zhili_core::memory::show(meta.len())
        ),
        u128::from(meta.len()) * factor,
    )
}

fn read(path: &Path, mode: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let file = path.display().to_string();
    check_size(path, DataFormat::of(path))?;
    match DataFormat::of(path) {
        DataFormat::Csv => csv::read_file(path, &file, mode, opts, csv::SIZES),
        DataFormat::Excel => excel::read(path, &file, mode, opts),
        DataFormat::Parquet => parquet::read(path, &file, mode, opts),
        DataFormat::Arrow => arrow::read(path, &file, mode, opts),
    }
}

/// As [`read_dataset`], from CSV text already decoded; `file` names the source in errors.
///
/// # Errors
/// As [`read_dataset`].
pub fn read_dataset_str(text: &str, file: &str, fw: &Framework, opts: &DataOptions) -> Result<Dataset> {
    match csv::read(text.as_bytes(), file, Mode::Dataset(fw), opts)? {
        Output::Dataset(d) => Ok(d),
        Output::Table(_) => Err(Error::spec("reader", "a table where a dataset was asked for")),
    }
}

/// As [`read_table`], from CSV text already decoded; `file` names the source in errors.
///
/// # Errors
/// As [`read_table`].
pub fn read_table_str(text: &str, file: &str, opts: &DataOptions) -> Result<Table> {
    match csv::read(text.as_bytes(), file, Mode::Table, opts)? {
        Output::Table(t) => Ok(t),
        Output::Dataset(_) => Err(Error::spec("reader", "a dataset where a table was asked for")),
    }
}

/// A record table (event log, household table, population) as CSV text, for parsers that
/// take text: a CSV file decoded (`encoding` given or detected), or a workbook sheet
/// (`sheet`, default the first) rendered as CSV whose line numbers are the sheet's rows.
/// Returns the text and the name of the source for errors (`file` or `file, sheet S`).
///
/// # Errors
/// [`Error::Parse`] if the file cannot be read or decoded; [`Error::Spec`] for an unknown
/// encoding label; [`Error::Unknown`] for a sheet the workbook lacks.
pub fn read_table_text(path: &Path, sheet: Option<&str>, encoding: Option<&str>) -> Result<(String, String)> {
    let file = path.display().to_string();
    check_size(path, DataFormat::of(path))?;
    match DataFormat::of(path) {
        DataFormat::Excel => excel::sheet_as_csv(path, sheet),
        DataFormat::Csv => {
            let bytes = read_bytes(path)?;
            let forced = encoding.map(crate::encoding_for_label).transpose()?;
            let (text, _) = crate::decode_with(&bytes, &file, forced)?;
            Ok((text.into_owned(), file))
        }
        DataFormat::Parquet | DataFormat::Arrow => Err(Error::parse(
            file,
            None,
            None,
            "record tables are read from CSV or a workbook sheet, not Parquet / Arrow",
        )),
    }
}

/// The whole file, with a clear error.
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::parse(path.display().to_string(), None, None, format!("cannot read: {e}")))
}
