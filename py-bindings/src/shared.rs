//! numpy memory handed to the engine without a copy: a float64 array's buffer becomes a
//! [`SharedValues`] that keeps the array object alive for as long as any dataset uses it.

use std::sync::Arc;

use ndarray::Dimension;
use numpy::{Element, PyReadonlyArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use zhili_core::SharedValues;

/// A contiguous float64 numpy buffer, borrowed.
struct NumpyBuffer {
    /// Keeps the array (and so its buffer, or its base's) alive.
    _array: Py<PyAny>,
    ptr: *const f64,
    len: usize,
}

// SAFETY: the buffer is plain memory owned by the numpy array `_array` holds a strong
// reference to (`Py` is Send + Sync; the last reference may be dropped on any thread, PyO3
// defers the decref to when the GIL is next held). The engine only reads it. The contract,
// as for numpy's own functions that release the GIL, is that the caller does not write into
// the array while the engine uses it.
unsafe impl Send for NumpyBuffer {}
// SAFETY: see `Send`: shared reads only.
unsafe impl Sync for NumpyBuffer {}

impl SharedValues for NumpyBuffer {
    fn as_slice(&self) -> &[f64] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` is the start of `len` contiguous, aligned, initialised float64 values
        // (checked in `borrow`), alive as long as `_array` is, i.e. as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// The buffer of a float64 array whose values lie contiguously in memory order — C order
/// for 1-D, F (column-major) order for 2-D — shared without a copy; `None` otherwise.
pub(crate) fn borrow<D: Dimension>(a: &PyReadonlyArray<'_, f64, D>) -> Option<Arc<dyn SharedValues>>
where
    f64: Element,
{
    // the transpose of a 1-D array is itself; of an F-order 2-D array, a C-order one
    let slice = a.as_array().reversed_axes().to_slice()?;
    let buf = NumpyBuffer {
        _array: a.as_any().clone().unbind(),
        ptr: slice.as_ptr(),
        len: slice.len(),
    };
    debug_assert_eq!(buf.len, a.len());
    Some(Arc::new(buf))
}
