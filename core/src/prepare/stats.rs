//! Sample statistics used by the preparation steps (and COINr's `stats_*` tables).
//!
//! Every function skips `NaN` (missing) values and returns `NaN` when the statistic
//! is undefined (too few values, zero variance). None of them allocates except
//! [`median`] (which needs a sorted copy).
//!
//! Skewness and kurtosis are the *sample* formulas of Excel's `SKEW` / `KURT`
//! (`e1071` type 2, COINr's `skew()` / `kurt()`). With `n` non-missing values,
//! mean `x̄`, `d_i = x_i − x̄` and `S_k = Σ d_i^k`:
//!
//! ```text
//! skew = √n · S3 / S2^(3/2) · √(n(n−1)) / (n−2)                         (n ≥ 3)
//! r    = n · S4 / S2²
//! kurt = ((n+1)(r−3) + 6) · (n−1) / ((n−2)(n−3))                         (n ≥ 4)
//! ```
//!
//! which equal `n/((n−1)(n−2)) Σ((x−x̄)/s)³` and
//! `n(n+1)/((n−1)(n−2)(n−3)) Σ((x−x̄)/s)⁴ − 3(n−1)²/((n−2)(n−3))` with the sample `s`.

/// Number of non-missing values.
pub fn count(x: &[f64]) -> usize {
    x.iter().filter(|v| !v.is_nan()).count()
}

/// Arithmetic mean of the non-missing values (`NaN` if none).
///
/// ```text
/// mean = Σ x_i / n
/// ```
pub fn mean(x: &[f64]) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for &v in x {
        if !v.is_nan() {
            s += v;
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

/// Median of the non-missing values (`NaN` if none); the mean of the two middle
/// values when `n` is even (R's `median`).
pub fn median(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    median_in_place(&mut v)
}

/// Median of a buffer of non-missing values, reordering it (no allocation).
/// `NaN` if the buffer is empty. The caller must have removed `NaN`s.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let mid = n / 2;
    let (_, &mut hi, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        hi
    } else {
        // the largest of the lower half
        let lo = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    }
}

/// Sample standard deviation (denominator `n − 1`) of the non-missing values
/// (`NaN` if fewer than 2).
///
/// ```text
/// sd = √( Σ (x_i − x̄)² / (n − 1) )
/// ```
pub fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    let (mut s2, mut n) = (0.0, 0usize);
    for &v in x {
        if !v.is_nan() {
            s2 += (v - m) * (v - m);
            n += 1;
        }
    }
    if n < 2 {
        f64::NAN
    } else {
        (s2 / (n - 1) as f64).sqrt()
    }
}

/// Minimum and maximum of the non-missing values (`(NaN, NaN)` if none).
pub fn min_max(x: &[f64]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &v in x {
        if !v.is_nan() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        (f64::NAN, f64::NAN)
    } else {
        (lo, hi)
    }
}

/// Central sums `(n, S2, S3, S4)` of the non-missing values (two passes, no allocation).
fn central_sums(x: &[f64]) -> (usize, f64, f64, f64) {
    let m = mean(x);
    let (mut n, mut s2, mut s3, mut s4) = (0usize, 0.0, 0.0, 0.0);
    for &v in x {
        if !v.is_nan() {
            let d = v - m;
            let d2 = d * d;
            s2 += d2;
            s3 += d2 * d;
            s4 += d2 * d2;
            n += 1;
        }
    }
    (n, s2, s3, s4)
}

/// Sample skewness from the count and the central sums `S2 = Σ(x − x̄)²`, `S3 = Σ(x − x̄)³`.
pub(crate) fn skew_from(n: usize, s2: f64, s3: f64) -> f64 {
    if n < 3 || s2 <= 0.0 {
        return f64::NAN;
    }
    let nf = n as f64;
    nf.sqrt() * s3 / s2.powf(1.5) * (nf * (nf - 1.0)).sqrt() / (nf - 2.0)
}

/// Sample excess kurtosis from the count and the central sums `S2`, `S4 = Σ(x − x̄)⁴`.
pub(crate) fn kurt_from(n: usize, s2: f64, s4: f64) -> f64 {
    if n < 4 || s2 <= 0.0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let r = nf * s4 / (s2 * s2);
    ((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))
}

/// Sample skewness (Excel `SKEW`) of the non-missing values; `NaN` if `n < 3` or
/// all values are equal. Formula in the [module docs](self).
pub fn skew(x: &[f64]) -> f64 {
    let (n, s2, s3, _) = central_sums(x);
    skew_from(n, s2, s3)
}

/// Sample excess kurtosis (Excel `KURT`) of the non-missing values; `NaN` if `n < 4`
/// or all values are equal. Formula in the [module docs](self).
pub fn kurtosis(x: &[f64]) -> f64 {
    let (n, s2, _, s4) = central_sums(x);
    kurt_from(n, s2, s4)
}

/// Skewness and kurtosis together, in one pass over the central sums
/// (what the treatment loop needs at every iteration).
pub fn skew_kurtosis(x: &[f64]) -> (f64, f64) {
    let (n, s2, s3, s4) = central_sums(x);
    (skew_from(n, s2, s3), kurt_from(n, s2, s4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn hand_computed_skew_kurtosis() {
        // x = 1, 2, 3, 10: mean 4, d = -3, -2, -1, 6
        // S2 = 9+4+1+36 = 50, S3 = -27-8-1+216 = 180, S4 = 81+16+1+1296 = 1394
        // skew = √4·180/50^1.5 · √12 / 2 = 2·180/353.5533906 · 1.7320508 = 1.7636...
        let x = [1.0, 2.0, 3.0, 10.0];
        let want_skew = 2.0 * 180.0 / 50f64.powf(1.5) * 12f64.sqrt() / 2.0;
        assert_relative_eq!(skew(&x), want_skew, max_relative = 1e-14);
        assert_relative_eq!(skew(&x), 1.763_632_614_803_888_4, max_relative = 1e-12);
        // r = 4·1394/2500 = 2.2304; kurt = (5·(2.2304−3)+6)·3/(2·1) = (−3.848+6)·1.5 = 3.228
        assert_relative_eq!(kurtosis(&x), 3.228, max_relative = 1e-12);
        let (s, k) = skew_kurtosis(&[f64::NAN, 1.0, 2.0, f64::NAN, 3.0, 10.0]);
        assert_relative_eq!(s, want_skew, max_relative = 1e-14);
        assert_relative_eq!(k, 3.228, max_relative = 1e-12);
    }

    #[test]
    fn symmetric_has_zero_skew() {
        assert_relative_eq!(skew(&[1.0, 2.0, 3.0, 4.0, 5.0]), 0.0, epsilon = 1e-15);
        // Excel KURT(1..5) = -1.2
        assert_relative_eq!(kurtosis(&[1.0, 2.0, 3.0, 4.0, 5.0]), -1.2, max_relative = 1e-12);
    }

    #[test]
    fn undefined_cases() {
        assert!(skew(&[1.0, 2.0]).is_nan());
        assert!(kurtosis(&[1.0, 2.0, 3.0]).is_nan());
        assert!(skew(&[5.0; 10]).is_nan());
        assert!(kurtosis(&[5.0; 10]).is_nan());
        assert!(mean(&[f64::NAN]).is_nan());
        assert!(median(&[]).is_nan());
        assert!(sd(&[1.0]).is_nan());
    }

    #[test]
    fn mean_median_sd() {
        let x = [4.0, f64::NAN, 1.0, 3.0, 2.0];
        assert_eq!(mean(&x), 2.5);
        assert_eq!(median(&x), 2.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_relative_eq!(sd(&x), (5.0f64 / 3.0).sqrt(), max_relative = 1e-15);
        assert_eq!(min_max(&x), (1.0, 4.0));
        assert_eq!(count(&x), 4);
    }
}
