//! The one pass a [`Dataset`](super::Dataset) makes over its values when it is built: any
//! infinity (refused), the missing cells per column (kept), and a checksum that
//! [`Dataset::values_unchanged`](super::Dataset::values_unchanged) compares later.
//!
//! The checksum is position-sensitive (a Fletcher sum over mixed bits), so a swap of two
//! different values is noticed wherever the two rows are. Large datasets are scanned on
//! every core, a column per task; the result does not depend on the number of threads.

use rayon::prelude::*;

use super::storage::Columns;

/// What one pass over the values finds.
pub(super) struct Scan {
    /// Any infinite value.
    pub(super) any_inf: bool,
    /// NaN cells per column.
    pub(super) missing: Vec<usize>,
    /// The columns' checksums (see [`column`]), folded in column order.
    pub(super) checksum: u64,
}

/// Below this many values one thread scans (a task costs more than it saves).
const PARALLEL_MIN: usize = 1 << 18;

/// Scan every column (see the module docs).
pub(super) fn columns(values: &Columns) -> Scan {
    let cells = values.nrows().saturating_mul(values.ncols());
    let per_column: Vec<Column> = if cells >= PARALLEL_MIN && values.ncols() > 1 {
        (0..values.ncols()).into_par_iter().map(|j| column(values.column(j))).collect()
    } else {
        (0..values.ncols()).map(|j| column(values.column(j))).collect()
    };
    let mut checksum = 0u64;
    let mut any_inf = false;
    let missing = per_column
        .iter()
        .map(|c| {
            any_inf |= c.inf;
            checksum = checksum.rotate_left(7) ^ c.sum;
            c.nan
        })
        .collect();
    Scan {
        any_inf,
        missing,
        checksum,
    }
}

/// One column's findings.
struct Column {
    inf: bool,
    nan: usize,
    sum: u64,
}

/// Independent accumulators (vector lanes): value `k` goes to lane `k % LANES`.
const LANES: usize = 4;

/// The bits of a value with its upper half folded into its lower half: two numbers that
/// differ only in sign, exponent or leading digits then differ in a low bit, which keeps the
/// Fletcher sum below sensitive to swaps of rows far apart.
#[inline(always)]
fn mix(b: u64) -> u64 {
    b ^ (b >> 32)
}

/// One branch-free pass over a column. Per lane, Fletcher's two sums (wrapping):
/// `s1 = Σ m(x)` and `s2 = Σ s1`, i.e. `s2 = Σ (K − k) · m(x_k)` over the lane's `K`
/// values — so exchanging two different values `a`, `b` at lane steps `k₁ ≠ k₂` changes
/// `s2` by `(m(a) − m(b)) · (k₂ − k₁)`, missed only when that product is 0 mod 2⁶⁴ (for
/// numbers that differ only in their upper 32 bits, rows 2³⁵ or more apart), and
/// exchanging values between lanes changes both lanes' `s1`. The counts are kept as `f64`
/// (exact below 2⁵³), which vectorises where 64-bit integer compares do not (SSE2): the
/// pass takes about two thirds of the former rotate-by-row checksum's time (one thread).
fn column(col: &[f64]) -> Column {
    let mut s1 = [0u64; LANES];
    let mut s2 = [0u64; LANES];
    let mut nan = [0.0f64; LANES];
    let mut inf = [0.0f64; LANES];
    let mut step = |lane: usize, v: f64| {
        s1[lane] = s1[lane].wrapping_add(mix(v.to_bits()));
        s2[lane] = s2[lane].wrapping_add(s1[lane]);
        nan[lane] += if v.is_nan() { 1.0 } else { 0.0 };
        inf[lane] += if v.abs() == f64::INFINITY { 1.0 } else { 0.0 };
    };
    let chunks = col.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (lane, &v) in c.iter().enumerate() {
            step(lane, v);
        }
    }
    for (lane, &v) in rest.iter().enumerate() {
        step(lane, v);
    }
    let mut sum = col.len() as u64;
    for (a, b) in s1.iter().zip(&s2) {
        sum = sum.rotate_left(13) ^ a ^ b.rotate_left(31);
    }
    let nan = nan.iter().sum::<f64>() as usize;
    Column {
        inf: inf.iter().sum::<f64>() > 0.0,
        nan,
        sum,
    }
}

#[cfg(test)]
mod tests {
    use super::column;

    /// Distinct whole numbers (for `n` ≤ 100,003): bit patterns with many trailing zeros.
    fn values(n: usize) -> Vec<f64> {
        (0..n).map(|i| ((i * 7919) % 100_003) as f64).collect()
    }

    #[test]
    fn swaps_are_noticed_however_far_apart_the_rows() {
        let v = values(100_003);
        let base = column(&v).sum;
        for (r, d) in [(0, 1), (3, 4), (5, 64), (7, 128), (1, 4096), (2, 65_536), (10, 99_990)] {
            let mut w = v.clone();
            assert_ne!(w[r], w[r + d], "test values differ");
            w.swap(r, r + d);
            assert_ne!(column(&w).sum, base, "swap of rows {r} and {}", r + d);
        }
        // values that differ only in sign, 64 · 2^k rows apart
        let mut s = vec![1.0; 70_000];
        s[10] = -1.0;
        let signed = column(&s).sum;
        s.swap(10, 10 + 65_536);
        assert_ne!(column(&s).sum, signed);
    }

    #[test]
    fn any_changed_value_is_noticed_and_counts_are_exact() {
        let v = values(1001);
        let base = column(&v);
        for r in [0, 500, 1000] {
            let mut w = v.clone();
            w[r] = f64::from_bits(w[r].to_bits() ^ 1);
            assert_ne!(column(&w).sum, base.sum);
        }
        let mut w = v.clone();
        w[3] = f64::NAN;
        w[1000] = f64::NAN;
        let c = column(&w);
        assert_eq!((c.nan, c.inf), (2, false));
        w[998] = f64::NEG_INFINITY;
        assert!(column(&w).inf);
        assert_eq!(column(&[]).nan, 0);
    }
}
