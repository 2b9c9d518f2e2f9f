//! Arrow record batches (from Arrow IPC files / streams and from Parquet) → the shared
//! layout. Numeric columns (floats, integers) are taken as they are, nulls are missing;
//! text columns in an indicator or denominator position are parsed like CSV cells.
//! Errors name the file, the 1-based data row and the column.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use ndarray::{Array2, ShapeBuilder};
use zhili_core::{Error, Result};

use super::layout::{self, BadCell, Layout, Locate, Mode, OtherColumn, Output, Parsed, Role, MAX_BAD};
use super::DataOptions;

/// Read an Arrow IPC file (`.arrow`, `.feather` v2), or an IPC stream.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn read(path: &Path, file: &str, fw: Mode<'_>, opts: &DataOptions) -> Result<Output> {
    let open = || std::fs::File::open(path).map_err(|e| Error::parse(file, None, None, format!("cannot read: {e}")));
    match arrow_ipc::reader::FileReader::try_new_buffered(open()?, None) {
        Ok(r) => {
            let schema = r.schema();
            from_batches(schema, r, file, fw, opts)
        }
        Err(first) => {
            let r = arrow_ipc::reader::StreamReader::try_new_buffered(open()?, None)
                .map_err(|_| Error::parse(file, None, None, format!("not an Arrow IPC file or stream: {first}")))?;
            let schema = r.schema();
            from_batches(schema, r, file, fw, opts)
        }
    }
}

/// Batches with one schema → a dataset.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn from_batches(
    schema: SchemaRef,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, ArrowError>>,
    file: &str,
    fw: Mode<'_>,
    opts: &DataOptions,
) -> Result<Output> {
    let header: Vec<String> = schema.fields().iter().map(|f| layout::clean_text(f.name()).to_owned()).collect();
    let lay = Layout::resolve(header, fw, opts, file, &|h| {
        Error::parse(file, None, Some(h.to_owned()), "duplicate column name")
    })?;
    let batches: Vec<RecordBatch> = batches
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::parse(file, None, None, format!("cannot read a record batch: {e}")))?;
    let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut acc = Acc {
        values: Array2::from_elem((n, lay.indicators.len()).f(), f64::NAN),
        denominators: vec![Vec::with_capacity(n); lay.denominators.len()],
        others: vec![Other::default(); lay.others.len()],
        units: Vec::with_capacity(n),
        names: Vec::new(),
        time: Vec::new(),
        bad: Vec::new(),
        n_bad: 0,
    };
    let mut row0 = 0;
    for b in &batches {
        for (j, role) in lay.roles.iter().enumerate() {
            let col = b.column(j);
            match *role {
                Role::Indicator(k) => {
                    let v = numbers(col, row0, j, &mut acc.bad, &mut acc.n_bad, file, &lay.header)?;
                    acc.values
                        .column_mut(k)
                        .slice_mut(ndarray::s![row0..row0 + v.len()])
                        .assign(&ndarray::Array1::from(v));
                }
                Role::Denominator(d) => {
                    let v = numbers(col, row0, j, &mut acc.bad, &mut acc.n_bad, file, &lay.header)?;
                    acc.denominators[d].extend(v);
                }
                Role::Unit => acc.units.extend(texts(col, file, &lay.header[j])?),
                Role::Name => acc.names.extend(texts(col, file, &lay.header[j])?),
                Role::Time => acc.time.extend(texts(col, file, &lay.header[j])?),
                Role::Other(o) => {
                    let other = &mut acc.others[o];
                    if let Some(v) = primitive(col) {
                        other.numbers.extend(v);
                    } else {
                        other.texts.extend(texts(col, file, &lay.header[j])?);
                    }
                }
                Role::Skipped => {}
            }
        }
        row0 += b.num_rows();
    }
    let others = acc
        .others
        .into_iter()
        .map(|o| {
            if o.texts.is_empty() {
                OtherColumn::Numbers(o.numbers)
            } else if o.numbers.is_empty() {
                let nums: Option<Vec<f64>> = o.texts.iter().map(|s| layout::parse_number(s.as_bytes())).collect();
                match nums {
                    Some(v) if o.texts.iter().any(|s| !s.is_empty()) => OtherColumn::Numbers(v),
                    _ => OtherColumn::Text(o.texts.into_iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect()),
                }
            } else {
                // Batches disagree on the type: keep the text of every cell.
                let mut t: Vec<Option<String>> = o.numbers.iter().map(|v| Some(v.to_string())).collect();
                t.extend(o.texts.into_iter().map(Some));
                OtherColumn::Text(t)
            }
        })
        .collect();
    let parsed = Parsed {
        values: acc.values,
        denominators: acc.denominators,
        others,
        units: acc.units,
        names: lay.name.map(|_| acc.names),
        time: lay.time.map(|_| acc.time),
        bad: acc.bad,
        n_bad: acc.n_bad,
    };
    layout::finish(fw, &lay, parsed, file, &RowLoc { file })
}

struct Acc {
    values: Array2<f64>,
    denominators: Vec<Vec<f64>>,
    others: Vec<Other>,
    units: Vec<String>,
    names: Vec<String>,
    time: Vec<String>,
    bad: Vec<BadCell>,
    n_bad: usize,
}

#[derive(Debug, Clone, Default)]
struct Other {
    numbers: Vec<f64>,
    texts: Vec<String>,
}

struct RowLoc<'a> {
    file: &'a str,
}

impl Locate for RowLoc<'_> {
    fn at(&self, row: usize, col: Option<usize>, header: &[String], message: String) -> Error {
        Error::parse(
            format!("{}, row {}", self.file, row + 1),
            None,
            col.map(|c| header[c].clone()),
            message,
        )
    }
}

/// A numeric Arrow column as f64 (nulls NaN); `None` for other types.
fn primitive(a: &ArrayRef) -> Option<Vec<f64>> {
    macro_rules! conv {
        ($t:ty) => {
            a.as_primitive_opt::<$t>()
                .map(|p| p.iter().map(|v| v.map_or(f64::NAN, |x| x as f64)).collect())
        };
    }
    match a.data_type() {
        DataType::Float64 => conv!(Float64Type),
        DataType::Float32 => conv!(Float32Type),
        DataType::Int64 => conv!(Int64Type),
        DataType::Int32 => conv!(Int32Type),
        DataType::Int16 => conv!(Int16Type),
        DataType::Int8 => conv!(Int8Type),
        DataType::UInt64 => conv!(UInt64Type),
        DataType::UInt32 => conv!(UInt32Type),
        DataType::UInt16 => conv!(UInt16Type),
        DataType::UInt8 => conv!(UInt8Type),
        DataType::Null => Some(vec![f64::NAN; a.len()]),
        _ => None,
    }
}

/// A text-like Arrow column as strings (null = empty); integers and floats as text.
fn strings(a: &ArrayRef) -> Option<Vec<String>> {
    let owned = |v: Option<&str>| v.map(|s| layout::clean_text(s).to_owned()).unwrap_or_default();
    match a.data_type() {
        DataType::Utf8 => a.as_string_opt::<i32>().map(|s| s.iter().map(owned).collect()),
        DataType::LargeUtf8 => a.as_string_opt::<i64>().map(|s| s.iter().map(owned).collect()),
        DataType::Utf8View => a.as_string_view_opt().map(|s| s.iter().map(owned).collect()),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let v = primitive(a)?;
            let nulls = a.logical_nulls();
            Some(
                v.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                            String::new()
                        } else {
                            format!("{}", *x as i64)
                        }
                    })
                    .collect(),
            )
        }
        _ => primitive(a).map(|v| v.iter().map(|x| if x.is_nan() { String::new() } else { x.to_string() }).collect()),
    }
}

fn texts(a: &ArrayRef, file: &str, name: &str) -> Result<Vec<String>> {
    strings(a).ok_or_else(|| {
        Error::parse(
            file,
            None,
            Some(name.to_owned()),
            format!("unsupported column type {} (use text or integers)", a.data_type()),
        )
    })
}

fn numbers(
    a: &ArrayRef,
    row0: usize,
    col: usize,
    bad: &mut Vec<BadCell>,
    n_bad: &mut usize,
    file: &str,
    header: &[String],
) -> Result<Vec<f64>> {
    let mut flag = |row: usize, message: String| {
        *n_bad += 1;
        if bad.len() < MAX_BAD {
            bad.push(BadCell {
                row: row0 + row,
                col,
                message,
            });
        }
    };
    if let Some(mut v) = primitive(a) {
        for (i, x) in v.iter_mut().enumerate() {
            if x.is_infinite() {
                flag(i, format!("`{x}` is not a finite number"));
                *x = f64::NAN;
            }
        }
        return Ok(v);
    }
    let Some(s) = strings(a) else {
        return Err(Error::parse(
            file,
            None,
            Some(header[col].clone()),
            format!("column type {} is not numeric", a.data_type()),
        ));
    };
    Ok(s.iter()
        .enumerate()
        .map(|(i, t)| {
            layout::parse_number(t.as_bytes()).unwrap_or_else(|| {
                flag(i, format!("`{}` is not a number", zhili_core::text::cut(t)));
                f64::NAN
            })
        })
        .collect())
}
