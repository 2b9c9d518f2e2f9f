//! Arrow record batches (from Arrow IPC files / streams and from Parquet) → the shared
//! layout. Numeric columns (floats, integers) are taken as they are, nulls are missing;
//! text columns in an indicator or denominator position are parsed like CSV cells.
//! Errors name the file, the 1-based data row and the column. Each numeric column is
//! appended batch by batch to its own buffer, which the dataset keeps (a `Float64` column
//! is one copy; no matrix is filled first), in parallel over groups of columns where the
//! source can read columns apart (Parquet).

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use rayon::prelude::*;
use zhili_core::{Error, Result, SharedColumn};

use super::layout::{self, BadCell, Layout, Locate, Mode, OtherColumn, Output, Parsed, Role, Values, MAX_BAD};
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

/// Batches with one schema → a dataset (read on one thread).
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
    let batches: Vec<RecordBatch> = batches
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::parse(file, None, None, format!("cannot read a record batch: {e}")))?;
    let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let all: Vec<usize> = (0..schema.fields().len()).collect();
    let open = |cols: &[usize]| -> Result<Batches> {
        let projected: Vec<_> = batches.iter().map(|b| b.project(cols)).collect();
        Ok(Box::new(projected.into_iter()))
    };
    let groups = std::slice::from_ref(&all);
    from_columns(&schema, n, groups, &open, file, fw, opts)
}

/// Record batches of some of a source's columns.
pub(crate) type Batches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

/// A source of `n` rows read column-wise, in parallel over `groups` of columns (each sorted,
/// together every column once): `open(cols)` gives the batches of just those columns, in
/// order. Numeric columns are appended to their own buffers, no value by value conversion
/// for `Float64`; text and ids are taken where they are needed.
///
/// # Errors
/// As [`super::read_dataset`].
pub(crate) fn from_columns(
    schema: &SchemaRef,
    n: usize,
    groups: &[Vec<usize>],
    open: &(dyn Fn(&[usize]) -> Result<Batches> + Sync),
    file: &str,
    fw: Mode<'_>,
    opts: &DataOptions,
) -> Result<Output> {
    let header: Vec<String> = schema.fields().iter().map(|f| layout::clean_text(f.name()).to_owned()).collect();
    let lay = Layout::resolve(header, fw, opts, file, &|h| {
        Error::parse(file, None, Some(h.to_owned()), "duplicate column name")
    })?;
    let n_ind = lay.indicators.len();
    let lay_ref = &lay;
    let outs: Vec<Result<Group>> = groups
        .par_iter()
        .map(|cols| read_group(open(cols)?, cols, n, lay_ref, file))
        .collect();
    let mut acc = Group::default();
    for g in outs {
        let g = g?;
        acc.columns.extend(g.columns);
        acc.bad.extend(g.bad);
        acc.n_bad += g.n_bad;
    }
    let mut by_col: Vec<Option<Cells>> = (0..lay.roles.len()).map(|_| None).collect();
    for (j, c) in acc.columns {
        by_col[j] = Some(c);
    }
    let mut take_texts = |j: usize| match by_col[j].take() {
        Some(Cells::Texts(t)) => t,
        _ => Vec::new(),
    };
    // A plain table has no unit column (`lay.unit` is out of range).
    let units = if lay.unit < lay.roles.len() {
        take_texts(lay.unit)
    } else {
        Vec::new()
    };
    let names = lay.name.map(&mut take_texts);
    let time = lay.time.map(&mut take_texts);
    let mut numbers = |j: usize| match by_col[j].take() {
        Some(Cells::Numbers(v)) => v,
        _ => vec![f64::NAN; n],
    };
    let denominators = lay.denominators.iter().map(|&(_, j)| numbers(j)).collect();
    let mut values = vec![None; n_ind];
    for (j, role) in lay.roles.iter().enumerate() {
        if let Role::Indicator(k) = *role {
            values[k] = Some(SharedColumn::new(Arc::new(numbers(j))));
        }
    }
    let values = values
        .into_iter()
        .map(|c| c.unwrap_or_else(|| SharedColumn::new(Arc::new(vec![f64::NAN; n]))))
        .collect();
    let others = lay.others.iter().map(|&j| other_column(by_col[j].take())).collect();
    let parsed = Parsed {
        values: Values::Columns(values),
        denominators,
        others,
        units,
        names,
        time,
        bad: acc.bad,
        n_bad: acc.n_bad,
    };
    layout::finish(fw, &lay, parsed, file, &RowLoc { file })
}

/// What one group of columns read.
#[derive(Debug, Default)]
struct Group {
    columns: Vec<(usize, Cells)>,
    bad: Vec<BadCell>,
    n_bad: usize,
}

/// A column other than an indicator, as read.
#[derive(Debug)]
enum Cells {
    Numbers(Vec<f64>),
    Texts(Vec<String>),
    /// An other column: numbers while the batches are numeric, text once one is not.
    Other(Other),
}

/// Read one group's batches: each numeric (indicator, denominator) column into its own
/// buffer, appended batch by batch (no fill first), the rest collected.
fn read_group(batches: Batches, cols: &[usize], n: usize, lay: &Layout, file: &str) -> Result<Group> {
    let mut g = Group::default();
    let mut kept: Vec<Cells> = cols
        .iter()
        .map(|&j| match lay.roles[j] {
            Role::Indicator(_) | Role::Denominator(_) => {
                let mut v = Vec::new();
                v.try_reserve_exact(n).map_err(|_| {
                    Error::parse(
                        file,
                        None,
                        None,
                        format!("out of memory for {n} rows × {} indicators", lay.indicators.len()),
                    )
                })?;
                Ok(Cells::Numbers(v))
            }
            Role::Other(_) => Ok(Cells::Other(Other::default())),
            _ => Ok(Cells::Texts(Vec::new())),
        })
        .collect::<Result<_>>()?;
    let mut row0 = 0;
    for b in batches {
        let b = b.map_err(|e| Error::parse(file, None, None, format!("cannot read a record batch: {e}")))?;
        let rows = b.num_rows();
        if row0 + rows > n {
            return Err(Error::parse(
                file,
                None,
                None,
                format!("more rows than the {n} the file's metadata declares"),
            ));
        }
        for (pos, &j) in cols.iter().enumerate() {
            let col = b.column(pos);
            match lay.roles[j] {
                Role::Indicator(_) | Role::Denominator(_) => {
                    if let Cells::Numbers(v) = &mut kept[pos] {
                        push_numbers(col, v, row0, j, &mut g, file, &lay.header)?;
                    }
                }
                Role::Unit | Role::Name | Role::Time => {
                    if let Cells::Texts(t) = &mut kept[pos] {
                        t.extend(texts(col, file, &lay.header[j])?);
                    }
                }
                Role::Other(_) => {
                    if let Cells::Other(other) = &mut kept[pos] {
                        if let Some(v) = primitive(col) {
                            other.numbers.extend(v);
                        } else {
                            other.texts.extend(texts(col, file, &lay.header[j])?);
                        }
                    }
                }
                Role::Skipped => {}
            }
        }
        row0 += rows;
    }
    if row0 != n {
        return Err(Error::parse(
            file,
            None,
            None,
            format!("{row0} rows read, the file's metadata declares {n}"),
        ));
    }
    for (pos, &j) in cols.iter().enumerate() {
        if !matches!(lay.roles[j], Role::Skipped) {
            let c = std::mem::replace(&mut kept[pos], Cells::Texts(Vec::new()));
            g.columns.push((j, c));
        }
    }
    Ok(g)
}

/// Numeric if every cell is a number and one is not missing; otherwise text.
fn other_column(c: Option<Cells>) -> OtherColumn {
    let o = match c {
        Some(Cells::Other(o)) => o,
        _ => Other::default(),
    };
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

/// A numeric (or numeric text) column appended to `out`: `Float64` copied as it is, other
/// numbers converted, nulls NaN; an infinite value or a text that is not a number is a bad
/// cell (NaN here, counted and named by the caller's error).
fn push_numbers(a: &ArrayRef, v: &mut Vec<f64>, row0: usize, col: usize, g: &mut Group, file: &str, header: &[String]) -> Result<()> {
    let mut flag = |row: usize, message: String| {
        g.n_bad += 1;
        if g.bad.len() < MAX_BAD {
            g.bad.push(BadCell {
                row: row0 + row,
                col,
                message,
            });
        }
    };
    let at = v.len();
    if let Some(p) = a.as_primitive_opt::<Float64Type>() {
        v.extend_from_slice(p.values());
    } else if let Some(p) = primitive(a) {
        v.extend_from_slice(&p);
    } else if let Some(s) = strings(a) {
        v.extend(s.iter().enumerate().map(|(i, t)| {
            layout::parse_number(t.as_bytes()).unwrap_or_else(|| {
                flag(i, format!("`{}` is not a number", zhili_core::text::cut(t)));
                f64::NAN
            })
        }));
        return Ok(());
    } else {
        return Err(Error::parse(
            file,
            None,
            Some(header[col].clone()),
            format!("column type {} is not numeric", a.data_type()),
        ));
    }
    let out = &mut v[at..];
    if let Some(nulls) = a.logical_nulls().filter(|n| n.null_count() > 0) {
        for (i, o) in out.iter_mut().enumerate() {
            if nulls.is_null(i) {
                *o = f64::NAN;
            }
        }
    }
    for (i, x) in out.iter_mut().enumerate() {
        if x.is_infinite() {
            flag(i, format!("`{x}` is not a finite number"));
            *x = f64::NAN;
        }
    }
    Ok(())
}
