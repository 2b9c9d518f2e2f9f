//! Input columns as Python hands them over, read without a detour through Python objects:
//! unit ids from an Arrow string array (the Arrow C data interface, `__arrow_c_array__` /
//! `__arrow_c_stream__`: pandas' `str` columns, polars, pyarrow) or a list of `str`, and
//! indicator columns as float64 numpy arrays shared with the engine as they are (no copy)
//! or int64 ones (cast to float64 as they are copied).

use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use std::sync::Arc;

use arrow_array::{make_array, Array, ArrayRef};
use arrow_schema::DataType;
use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use zhili_core::SharedColumn;

/// Unit ids: a list of `str`, or an Arrow string array read in Rust.
pub(crate) struct UnitIds(pub(crate) Vec<String>);

impl<'py> FromPyObject<'py> for UnitIds {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        if ob.hasattr("__arrow_c_array__")? || ob.hasattr("__arrow_c_stream__")? {
            return arrow_strings(ob).map(UnitIds);
        }
        Ok(UnitIds(ob.extract()?))
    }
}

/// The chunks of an Arrow array or stream exported by `ob` (moved out of its capsules).
fn arrow_chunks(ob: &Bound<'_, PyAny>) -> PyResult<Vec<ArrayRef>> {
    let ffi_err = |e: arrow_schema::ArrowError| PyTypeError::new_err(format!("unit ids: cannot read the Arrow array: {e}"));
    if ob.hasattr("__arrow_c_array__")? {
        let pair = ob.call_method0("__arrow_c_array__")?;
        let pair = pair.downcast::<PyTuple>()?;
        let schema = pair.get_item(0)?;
        let schema = schema.downcast::<PyCapsule>()?;
        let array = pair.get_item(1)?;
        let array = array.downcast::<PyCapsule>()?;
        // SAFETY: the capsules hold an ArrowSchema / ArrowArray (the PyCapsule interface);
        // the array is moved out (its capsule is left released), the schema only borrowed.
        let data = unsafe {
            let a = FFI_ArrowArray::from_raw(array.pointer().cast::<FFI_ArrowArray>());
            from_ffi(a, &*schema.pointer().cast::<FFI_ArrowSchema>())
        }
        .map_err(ffi_err)?;
        return Ok(vec![make_array(data)]);
    }
    let stream = ob.call_method0("__arrow_c_stream__")?;
    let stream = stream.downcast::<PyCapsule>()?;
    // SAFETY: the capsule holds an ArrowArrayStream, moved out here.
    let reader = unsafe { ArrayStreamReader::from_raw(stream.pointer().cast::<FFI_ArrowArrayStream>()) }.map_err(ffi_err)?;
    reader.map(|c| c.map_err(ffi_err)).collect()
}

/// Every string of an Arrow (large / view) string array; a null is an error.
fn arrow_strings(ob: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let chunks = arrow_chunks(ob)?;
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in &chunks {
        if c.null_count() > 0 {
            let k = out.len() + (0..c.len()).find(|&i| c.is_null(i)).unwrap_or(0);
            return Err(crate::error::DataError::new_err(format!("missing unit id in row {}", k + 1)));
        }
        match c.data_type() {
            DataType::Utf8 => out.extend(c.as_string::<i32>().iter().map(|s| s.unwrap_or_default().to_owned())),
            DataType::LargeUtf8 => out.extend(c.as_string::<i64>().iter().map(|s| s.unwrap_or_default().to_owned())),
            DataType::Utf8View => out.extend(c.as_string_view().iter().map(|s| s.unwrap_or_default().to_owned())),
            other => return Err(PyTypeError::new_err(format!("unit ids: expected text, found Arrow {other}"))),
        }
    }
    Ok(out)
}

/// One indicator column: float64 read in place, int64 cast to float64 as it is copied.
#[derive(FromPyObject)]
pub(crate) enum Column<'py> {
    /// float64.
    F64(PyReadonlyArray1<'py, f64>),
    /// int64 (pandas' and numpy's default integers).
    I64(PyReadonlyArray1<'py, i64>),
}

/// A [`Column`] as the engine takes it: float64 in memory order shared as it is, anything
/// else (int64, a strided float64 view) viewed, to be copied with the GIL released.
pub(crate) enum ColumnView<'a> {
    Shared(SharedColumn),
    F64(ndarray::ArrayView1<'a, f64>),
    I64(ndarray::ArrayView1<'a, i64>),
}

impl Column<'_> {
    pub(crate) fn view(&self) -> ColumnView<'_> {
        match self {
            Column::F64(a) => match crate::shared::borrow(a) {
                Some(buf) => ColumnView::Shared(SharedColumn::new(buf)),
                None => ColumnView::F64(a.as_array()),
            },
            Column::I64(a) => ColumnView::I64(a.as_array()),
        }
    }
}

impl ColumnView<'_> {
    /// The column as shared storage: itself, or a float64 copy (int64 cast as numpy's
    /// `astype(float64)`: exact below 2⁵³).
    pub(crate) fn into_shared(self) -> SharedColumn {
        let owned: Vec<f64> = match self {
            ColumnView::Shared(c) => return c,
            ColumnView::F64(a) => a.to_vec(),
            #[allow(clippy::cast_precision_loss)]
            ColumnView::I64(a) => a.iter().map(|&v| v as f64).collect(),
        };
        SharedColumn::new(Arc::new(owned))
    }
}
