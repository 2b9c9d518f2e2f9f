//! Files in (`zhili::io`): text in any detected encoding, data tables for
//! `zhili.read_csv` / `read_excel` / `read_parquet` through the same Rust readers as the
//! CLI, and the reader's own check of a dataset file.

use std::path::PathBuf;

use arrow_array::ffi::to_ffi;
use arrow_array::{Array, StringArray};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList, PyTuple};
use zhili::io::{Column, DataFormat, DataOptions, Table};

use crate::error::guard;
use crate::framework::PyFramework;

/// Read a text file, detecting its encoding (UTF-8 with or without BOM, GBK / GB18030,
/// UTF-16 with BOM). Returns `(text, encoding)` with encoding `utf-8`, `gb18030` or `utf-16`.
#[pyfunction]
pub(crate) fn read_text(path: std::path::PathBuf) -> PyResult<(String, &'static str)> {
    guard(|| {
        let (text, enc) = zhili::io::read_text(&path)?;
        Ok((text, enc.name()))
    })
}

/// Decode bytes as [`read_text`] does; `file` names the source in errors.
#[pyfunction]
#[pyo3(signature = (data, file = "<bytes>"))]
pub(crate) fn decode(data: &[u8], file: &str) -> PyResult<(String, &'static str)> {
    guard(|| {
        let (text, enc) = zhili::io::decode(data, file)?;
        Ok((text, enc.name()))
    })
}

/// Read a data file (CSV in any detected or given encoding, a workbook sheet, Parquet,
/// Arrow IPC) into `(names, columns, encoding)`: one float64 array per numeric column
/// (NaN = missing; the reader's vector itself, not copied) and, per text column, with
/// `arrow_text` an Arrow string array as its PyCapsule pair `(schema, array)` (null = empty
/// cell; no Python object per cell), else a list of `str | None`; `encoding` is the CSV's
/// text encoding (`None` for the binary formats).
#[pyfunction]
#[pyo3(signature = (path, sheet = None, encoding = None, arrow_text = false))]
pub(crate) fn read_table<'py>(
    py: Python<'py>,
    path: PathBuf,
    sheet: Option<String>,
    encoding: Option<String>,
    arrow_text: bool,
) -> PyResult<(Vec<String>, Bound<'py, PyList>, Option<&'static str>)> {
    let opts = DataOptions {
        sheet,
        encoding,
        ..DataOptions::default()
    };
    let (table, enc) = py.detach(|| guard(|| Ok(read(&path, &opts)?)))?;
    let names: Vec<String> = table.columns.iter().map(|(n, _)| n.clone()).collect();
    let cols = PyList::empty(py);
    for (_, c) in table.columns {
        match c {
            Column::Numbers(v) => cols.append(PyArray1::from_vec(py, v))?,
            Column::Text(v) if arrow_text => cols.append(text_capsules(py, &v)?)?,
            Column::Text(v) => cols.append(v)?,
        }
    }
    Ok((names, cols, enc))
}

/// A text column as an Arrow string array, exported as the PyCapsule pair
/// `(arrow_schema, arrow_array)` of the Arrow PyCapsule interface (pyarrow imports it with
/// `pa.Array._import_from_c_capsule`; a capsule never imported releases the array).
fn text_capsules<'py>(py: Python<'py>, v: &[Option<String>]) -> PyResult<Bound<'py, PyTuple>> {
    let array = StringArray::from_iter(v.iter().map(Option::as_deref));
    let (array, schema) = to_ffi(&array.to_data()).map_err(|e| crate::error::internal_error(&format!("Arrow export: {e}")))?;
    let schema = PyCapsule::new(py, schema, Some(c"arrow_schema".to_owned()))?;
    let array = PyCapsule::new(py, array, Some(c"arrow_array".to_owned()))?;
    PyTuple::new(py, [schema.into_any(), array.into_any()])
}

/// The table and, for CSV, the encoding it was decoded from.
fn read(path: &std::path::Path, opts: &DataOptions) -> zhili::Result<(Table, Option<&'static str>)> {
    if DataFormat::of(path) != DataFormat::Csv {
        return Ok((zhili::io::read_table(path, opts)?, None));
    }
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| zhili::Error::parse(&file, None, None, format!("cannot read: {e}")))?;
    let forced = opts.encoding.as_deref().map(zhili::io::encoding_for_label).transpose()?;
    let (text, enc) = zhili::io::decode_with(&bytes, &file, forced)?;
    Ok((zhili::io::read_table_str(&text, &file, opts)?, Some(enc.name())))
}

/// Read a data file for a framework as the CLI does (`zhili_io::read_dataset`) and
/// discard the result: raises the reader's error, which names file, sheet, row and
/// column. `zhili.score(fw, path)` calls it only after its DataFrame path found a bad
/// indicator column, to report where.
#[pyfunction]
#[pyo3(signature = (framework, path, sheet = None, unit = None))]
pub(crate) fn check_dataset(
    py: Python<'_>,
    framework: &PyFramework,
    path: PathBuf,
    sheet: Option<String>,
    unit: Option<String>,
) -> PyResult<()> {
    let opts = DataOptions {
        sheet,
        unit_column: unit,
        ..DataOptions::default()
    };
    let fw = &framework.inner;
    py.detach(|| guard(|| Ok(zhili::io::read_dataset(&path, fw, &opts).map(drop)?)))
}
