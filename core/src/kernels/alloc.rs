//! Large zeroed matrices with few page faults.
//!
//! A fresh 50 MB matrix costs ~13,000 page faults on its first write with 4 KiB pages —
//! measured at 20 ms here, more than the arithmetic of a whole pipeline at 100,000 × 67.
//! On Linux we ask for transparent huge pages (`madvise(MADV_HUGEPAGE)`, honoured when the
//! system's THP mode is `madvise` or `always`): 2 MiB pages, a few dozen faults (7 ms).
//! Elsewhere, and for small matrices, this is a plain zeroed allocation.

use ndarray::{Array2, ShapeBuilder};

/// Below this size the hint is not worth a system call.
const HUGE_MIN_BYTES: usize = 4 << 20;

/// A zeroed column-major `rows × cols` matrix.
pub(crate) fn zeros_f(rows: usize, cols: usize) -> Array2<f64> {
    let len = rows.saturating_mul(cols);
    let mut v = vec![0.0f64; len];
    advise_huge(&mut v);
    // The length matches the shape by construction.
    Array2::from_shape_vec((rows, cols).f(), v).unwrap_or_else(|_| Array2::zeros((rows, cols).f()))
}

/// `v` (fresh from a zeroed allocation, not yet touched) backed by huge pages where the
/// system allows.
pub(crate) fn huge<T>(mut v: Vec<T>) -> Vec<T> {
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
            let m = super::zeros_f(r, c);
            assert_eq!(m.dim(), (r, c));
            assert!(m.iter().all(|&x| x == 0.0));
            assert!(m.t().is_standard_layout());
        }
    }
}
