//! Column kernels shared by the normalisers: one pass each, no allocation per cell.
//!
//! Every kernel works on one contiguous column (`&[f64]`), treats NaN as missing and
//! multiplies by the direction sign (`+1` benefit, `-1` cost) on the fly, so that the
//! direction-adjusted column is never materialised.

use crate::rank::Ties;

/// Lanes used to break the dependency chain of reductions (lets LLVM vectorise).
const LANES: usize = 4;

/// Minimum and maximum of `sign · x` over the non-missing values, `None` if all are missing.
/// `sign` is ±1 (a direction).
pub(super) fn min_max(x: &[f64], sign: f64) -> Option<(f64, f64)> {
    // The sign is applied to the two results, not to every value: multiplying by −1 is
    // exact and reverses the order, so min(−x) = −max(x).
    let (mn, mx) = crate::kernels::reduce::min_max(x)?;
    Some(if sign < 0.0 {
        (mx * sign, mn * sign)
    } else {
        (mn * sign, mx * sign)
    })
}

/// Number of non-missing values and their sum (of `x`, sign not applied).
fn count_sum(x: &[f64]) -> (usize, f64) {
    let mut s = [0.0; LANES];
    let mut n = [0usize; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            let v = c[k];
            let ok = !v.is_nan();
            s[k] += if ok { v } else { 0.0 };
            n[k] += usize::from(ok);
        }
    }
    let mut sum: f64 = s.iter().sum();
    let mut cnt: usize = n.iter().sum();
    for &v in rest {
        if !v.is_nan() {
            sum += v;
            cnt += 1;
        }
    }
    (cnt, sum)
}

/// Sum of squared deviations from `m` over the non-missing values.
fn sum_sq_dev(x: &[f64], m: f64) -> f64 {
    let mut s = [0.0; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            let d = c[k] - m;
            s[k] += if d.is_nan() { 0.0 } else { d * d };
        }
    }
    let mut sum: f64 = s.iter().sum();
    for &v in rest {
        let d = v - m;
        if !d.is_nan() {
            sum += d * d;
        }
    }
    sum
}

/// Mean and standard deviation of `sign · x` over the non-missing values, with the number of
/// those values; `None` if all are missing. `population` divides by n, otherwise by n − 1
/// (sample sd, as R's `sd`); with a single value the sd is 0 (no spread; R would give NA).
///
/// Two passes (mean, then squared deviations), for accuracy.
pub(super) fn mean_sd(x: &[f64], sign: f64, population: bool) -> Option<(f64, f64, usize)> {
    let (n, sum) = count_sum(x);
    if n == 0 {
        return None;
    }
    let m = sum / n as f64;
    let ss = sum_sq_dev(x, m);
    let sd = match (n, population) {
        (1, _) => 0.0,
        (_, true) => (ss / n as f64).sqrt(),
        (_, false) => (ss / (n - 1) as f64).sqrt(),
    };
    Some((m * sign, sd, n))
}

/// `x ← (sign · x − shift) · scale + offset`, in place, `sign` ±1; NaN stays NaN.
///
/// Computed as `(x − sign · shift) · (sign · scale) + offset`, one multiplication fewer per
/// value and the same bits: negation is exact and commutes with rounding to nearest.
pub(super) fn affine(x: &mut [f64], sign: f64, shift: f64, scale: f64, offset: f64) {
    let (shift, scale) = (sign * shift, sign * scale);
    for v in x.iter_mut() {
        *v = (*v - shift) * scale + offset;
    }
}

/// `x ← c` where `x` is observed, in place; NaN stays NaN.
pub(super) fn fill_observed(x: &mut [f64], c: f64) {
    for v in x.iter_mut() {
        *v = if v.is_nan() { f64::NAN } else { c };
    }
}

/// Clamp the non-missing values of `out` to `[lo, hi]`; returns how many were changed.
pub(super) fn clamp(out: &mut [f64], lo: f64, hi: f64) -> usize {
    let mut changed = 0;
    for o in out.iter_mut() {
        if *o < lo {
            *o = lo;
            changed += 1;
        } else if *o > hi {
            *o = hi;
            changed += 1;
        }
    }
    changed
}

/// Replace `x` by the ascending ranks of `sign · x` (1 = lowest, i.e. worst after the
/// direction is applied) among the non-missing values (NaN where `x` is missing). Returns
/// the number of non-missing values.
///
/// Ties follow `ties` as R's `rank(ties.method = …)`: `min` 1, 2, 2, 4; `max` 1, 3, 3, 4;
/// `average` 1, 2.5, 2.5, 4; `first` by position; `dense` 1, 2, 2, 3.
pub(super) fn ascending_ranks(x: &mut [f64], sign: f64, ties: Ties) -> usize {
    // (value, position) pairs: contiguous keys sort fast; the position breaks ties, which
    // keeps the original order among equal values (needed by `first`).
    let mut keyed: Vec<(f64, usize)> = x
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(i, &v)| (v * sign, i))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let out = x;
    out.fill(f64::NAN);
    let n = keyed.len();
    let mut start = 0;
    let mut dense = 0.0;
    while start < n {
        let v = keyed[start].0;
        let mut end = start + 1;
        // `==` also merges -0.0 and +0.0, which `total_cmp` places next to each other.
        while end < n && keyed[end].0 == v {
            end += 1;
        }
        dense += 1.0;
        for (k, &(_, i)) in keyed[start..end].iter().enumerate() {
            out[i] = match ties {
                Ties::Min => (start + 1) as f64,
                Ties::Max => end as f64,
                Ties::Average => (start + 1 + end) as f64 / 2.0,
                Ties::Dense => dense,
                Ties::First => (start + k + 1) as f64,
            };
        }
        start = end;
    }
    n
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn min_max_skips_nan_and_applies_sign() {
        let x = [3.0, f64::NAN, -1.0, 7.0, 2.0, f64::NAN];
        assert_eq!(min_max(&x, 1.0), Some((-1.0, 7.0)));
        assert_eq!(min_max(&x, -1.0), Some((-7.0, 1.0)));
        assert_eq!(min_max(&[f64::NAN; 5], 1.0), None);
        assert_eq!(min_max(&[], 1.0), None);
    }

    #[test]
    fn mean_sd_is_sample_sd() {
        let x = [1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0];
        let (m, sd, n) = mean_sd(&x, -1.0, false).unwrap();
        assert_eq!(n, 5);
        assert!((m + 3.0).abs() < 1e-15);
        assert!((sd - 2.5f64.sqrt()).abs() < 1e-15);
        let (_, sd1, _) = mean_sd(&[4.0], 1.0, false).unwrap();
        assert_eq!(sd1, 0.0);
        let (_, sdp, _) = mean_sd(&x, 1.0, true).unwrap();
        assert!((sdp - 2f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn ranks_follow_r() {
        let x = [3.0, 1.0, 3.0, f64::NAN, 2.0];
        for (ties, want) in [
            (Ties::Min, [3.0, 1.0, 3.0, 2.0]),
            (Ties::Max, [4.0, 1.0, 4.0, 2.0]),
            (Ties::Average, [3.5, 1.0, 3.5, 2.0]),
            (Ties::First, [3.0, 1.0, 4.0, 2.0]),
            (Ties::Dense, [3.0, 1.0, 3.0, 2.0]),
        ] {
            let mut out = x;
            assert_eq!(ascending_ranks(&mut out, 1.0, ties), 4);
            assert_eq!([out[0], out[1], out[2], out[4]], want, "{ties:?}");
            assert!(out[3].is_nan());
        }
        let mut out = x;
        ascending_ranks(&mut out, -1.0, Ties::Min);
        assert_eq!([out[0], out[1], out[2], out[4]], [1.0, 4.0, 1.0, 3.0]);
    }
}
