//! Software prefetch: a hint that a cache line is about to be read.
//!
//! Used where the hardware prefetcher does not follow the access pattern (many streams, or
//! strides across pages) and measurements showed the loads waiting on memory.

/// Ask for the cache line holding `x[at]` (no-op if `at` is out of range or off x86-64).
#[inline(always)]
pub(crate) fn prefetch<T>(x: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = x.get(at) {
        // SAFETY: a prefetch only moves a cache line; it reads nothing into the program and
        // cannot fault, and the address is inside `x`.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(std::ptr::from_ref(p).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (x, at);
}

/// Ask for every cache line of `x`.
pub(crate) fn prefetch_all<T>(x: &[T]) {
    let per_line = (64 / std::mem::size_of::<T>().max(1)).max(1);
    (0..x.len()).step_by(per_line).for_each(|at| prefetch(x, at));
}
