//! Passes over a column that vectorise (reductions and maps); NaN is missing. The maps are
//! compiled for AVX-512, AVX2 and the baseline, and the best one the CPU has is chosen at
//! run time. Rust never fuses `a · x + y` into one rounding, so every target gives the
//! same bits.

/// Independent running minima / maxima: enough to hide the latency of the vector min / max
/// instructions (4 lanes left the loop latency-bound at one value per cycle).
const MINMAX_LANES: usize = 16;

/// Smallest and largest non-missing value, `None` if every value is missing. (Compiled
/// for the baseline only: LLVM's AVX-512 form of this loop measured slower.)
pub(crate) fn min_max(x: &[f64]) -> Option<(f64, f64)> {
    // `if v < lo { v } else { lo }` skips NaN (comparisons with NaN are false) and compiles
    // to one vector min / max instruction per lane group.
    let mut lo = [f64::INFINITY; MINMAX_LANES];
    let mut hi = [f64::NEG_INFINITY; MINMAX_LANES];
    let chunks = x.chunks_exact(MINMAX_LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..MINMAX_LANES {
            let v = c[k];
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
        }
    }
    let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
    for (&l, &h) in lo.iter().zip(&hi) {
        mn = if l < mn { l } else { mn };
        mx = if h > mx { h } else { mx };
    }
    for &v in rest {
        mn = if v < mn { v } else { mn };
        mx = if v > mx { v } else { mx };
    }
    // Any observed value v gives mn ≤ v ≤ mx; none leaves mn = +∞ > mx = −∞.
    (mn <= mx).then_some((mn, mx))
}

/// Whether some value is missing (NaN); reads every value, so it vectorises.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub(crate) fn has_nan(x: &[f64]) -> bool {
    x.iter().fold(false, |nan, v| nan | v.is_nan())
}

/// `x[i] = f(x[i])` for every value; returns whether a result is missing (NaN), noted in
/// the same pass.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub(crate) fn map_noting_nan(x: &mut [f64], f: impl Fn(f64) -> f64) -> bool {
    let mut nan = false;
    for v in x.iter_mut() {
        *v = f(*v);
        nan |= v.is_nan();
    }
    nan
}

/// `y[i] += a · x[i]`.
///
/// # Panics
/// If the lengths differ.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub(crate) fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    assert_eq!(y.len(), x.len(), "axpy: lengths differ");
    for (o, &v) in y.iter_mut().zip(x) {
        *o += a * v;
    }
}

/// `y[i] += a · l[i]` for logarithms `l`; returns whether some `l[i]` is not above −∞
/// (the log of a value ≤ 0, or of NaN), noted in the same pass.
///
/// # Panics
/// If the lengths differ.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
// `!(v > −∞)` is one compare that also catches NaN, and keeps the loop vectorised.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub(crate) fn axpy_logs(y: &mut [f64], a: f64, l: &[f64]) -> bool {
    assert_eq!(y.len(), l.len(), "axpy_logs: lengths differ");
    let mut bad = false;
    for (o, &v) in y.iter_mut().zip(l) {
        bad |= !(v > f64::NEG_INFINITY);
        *o += a * v;
    }
    bad
}

/// `out[i] = x[i] / d`.
///
/// # Panics
/// If the lengths differ.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub(crate) fn div_into(out: &mut [f64], x: &[f64], d: f64) {
    assert_eq!(out.len(), x.len(), "div_into: lengths differ");
    for (o, &v) in out.iter_mut().zip(x) {
        *o = v / d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_missing_values() {
        let mut x: Vec<f64> = (0..40).map(|i| f64::from(i % 13) - 3.0).collect();
        x[7] = f64::NAN;
        x[39] = f64::NAN;
        assert_eq!(min_max(&x), Some((-3.0, 9.0)));
        assert_eq!(min_max(&[f64::NAN; 20]), None);
        assert_eq!(min_max(&[]), None);
        assert_eq!(min_max(&[f64::NEG_INFINITY, 2.0]), Some((f64::NEG_INFINITY, 2.0)));
    }

    #[test]
    fn notes_missing_values() {
        let mut x: Vec<f64> = (0..37).map(f64::from).collect();
        assert!(!has_nan(&x));
        assert!(!map_noting_nan(&mut x, |v| 2.0 * v + 1.0));
        assert_eq!(x[36], 73.0);
        x[35] = f64::NAN;
        assert!(has_nan(&x));
        assert!(map_noting_nan(&mut x, |v| v - 1.0));
        // a NaN made by the map itself is noted too
        assert!(map_noting_nan(&mut x[..3], |v| if v == 0.0 { f64::NAN } else { v }));
    }

    #[test]
    fn maps_by_hand() {
        let x: Vec<f64> = (0..21).map(|i| f64::from(i) - 4.0).collect();
        let mut y = vec![1.0; 21];
        axpy(&mut y, 0.5, &x);
        assert_eq!((y[0], y[4], y[20]), (-1.0, 1.0, 9.0));
        let mut q = vec![0.0; 21];
        div_into(&mut q, &x, 4.0);
        assert_eq!((q[0], q[6], q[20]), (-1.0, 0.5, 4.0));
        let mut l = x.clone();
        assert!(!axpy_logs(&mut y, 1.0, &l));
        assert_eq!(y[20], 25.0);
        for bad in [f64::NEG_INFINITY, f64::NAN] {
            l[13] = bad;
            assert!(axpy_logs(&mut [0.0; 21], 1.0, &l));
        }
    }
}
