//! Large zeroed matrices with few page faults.
//!
//! A fresh 50 MB matrix costs ~13,000 page faults on its first write with 4 KiB pages —
//! measured at 20 ms here, more than the arithmetic of a whole pipeline at 100,000 × 67.
//! On Linux we ask for transparent huge pages (`madvise(MADV_HUGEPAGE)`, honoured when the
//! system's THP mode is `madvise` or `always`): 2 MiB pages, a few dozen faults (7 ms).
//! Elsewhere, and for small matrices, this is a plain zeroed allocation.
//!
//! Every allocation here is fallible: a request the system cannot serve is an
//! [`Error::Memory`], never an abort (`vec![0; n]` would abort the process — and a Jupyter kernel).

use ndarray::{Array2, ShapeBuilder};

use crate::error::{Error, Result};

/// Types whose all-zero bit pattern is the value zero.
///
/// # Safety
/// Implement only for types for which all-zero bytes are a valid value.
pub(crate) unsafe trait ZeroBits: Copy {}
// SAFETY: all-zero bytes are 0.0 / 0 for these types.
unsafe impl ZeroBits for f64 {}
// SAFETY: as above.
unsafe impl ZeroBits for u16 {}
// SAFETY: as above.
unsafe impl ZeroBits for u32 {}

/// A zeroed vector of `len` values (calloc: untouched pages cost nothing until written).
///
/// # Errors
/// [`Error::Memory`] when the size overflows or the allocator refuses.
pub(crate) fn try_zeroed<T: ZeroBits>(len: usize) -> Result<Vec<T>> {
    let size = std::mem::size_of::<T>();
    let fail = || Error::Memory {
        what: format!("a buffer of {len} values"),
        why: "the computation's data".into(),
        needed: (len as u64).saturating_mul(size as u64),
        limit: crate::memory::physical_memory(),
    };
    if len == 0 || size == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| fail())?;
    // SAFETY: `layout` has non-zero size; the pointer, when non-null, is a fresh allocation of
    // `len` zeroed `T`s with `T`'s alignment from the global allocator, which is exactly what
    // `Vec::from_raw_parts` needs, and all-zero bytes are valid `T`s (`ZeroBits`).
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout).cast::<T>();
        if ptr.is_null() {
            return Err(fail());
        }
        Ok(Vec::from_raw_parts(ptr, len, len))
    }
}

/// Below this size the hint is not worth a system call.
const HUGE_MIN_BYTES: usize = 4 << 20;

/// A zeroed column-major `rows × cols` matrix.
///
/// # Errors
/// [`Error::Memory`] when it cannot be allocated.
pub(crate) fn zeros_f(rows: usize, cols: usize) -> Result<Array2<f64>> {
    let len = rows.saturating_mul(cols);
    let v = huge(try_zeroed::<f64>(len)?);
    Array2::from_shape_vec((rows, cols).f(), v).map_err(|e| Error::Shape {
        what: "a zeroed matrix".into(),
        expected: format!("{rows} × {cols}"),
        found: e.to_string(),
    })
}

/// A zeroed vector of `len` values backed by huge pages where the system allows.
///
/// # Errors
/// [`Error::Memory`] when it cannot be allocated.
pub(crate) fn huge_zeros<T: ZeroBits>(len: usize) -> Result<Vec<T>> {
    try_zeroed(len).map(huge)
}

/// `v` (fresh from a zeroed allocation, not yet touched) backed by huge pages where the
/// system allows.
fn huge<T>(mut v: Vec<T>) -> Vec<T> {
    advise_huge(&mut v);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge<T>(v: &mut [T]) {
    let bytes = std::mem::size_of_val(v);
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    const HUGE: usize = 2 << 20;
    let start = v.as_mut_ptr() as usize;
    let aligned = (start + HUGE - 1) & !(HUGE - 1);
    let end = (start + bytes) & !(HUGE - 1);
    if end > aligned {
        // SAFETY: [aligned, end) lies inside `v`'s allocation, which is live and not yet
        // touched; MADV_HUGEPAGE only changes how the kernel backs these pages and never
        // their contents. A failure (e.g. THP disabled) leaves ordinary pages.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, end - aligned, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge<T>(_: &mut [T]) {
    let _ = HUGE_MIN_BYTES;
}

#[cfg(test)]
mod tests {
    #[test]
    fn zeroed_column_major_of_the_right_shape() {
        for (r, c) in [(0, 0), (3, 2), (1000, 700)] {
            let m = super::zeros_f(r, c).expect("small");
            assert_eq!(m.dim(), (r, c));
            assert!(m.iter().all(|&x| x == 0.0));
            assert!(m.t().is_standard_layout());
        }
    }

    #[test]
    fn an_impossible_size_is_an_error_not_an_abort() {
        let e = super::zeros_f(usize::MAX / 4, 3).expect_err("too big");
        assert!(matches!(e, crate::Error::Memory { .. }), "{e}");
        assert!(super::try_zeroed::<f64>(usize::MAX / 16).is_err());
        assert_eq!(super::try_zeroed::<u16>(5).expect("small"), vec![0u16; 5]);
    }
}
