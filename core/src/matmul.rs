//! Weighted sums of data columns for a batch of runs: `out[r][u] = Σᵢ w[r][i] · z[i][u]`,
//! the matrix product the uncertainty engine spends a fifth of its time in.
//!
//! The shapes are lopsided — a few dozen runs, a few to a few dozen columns, thousands of
//! units — and the data `z` is already laid out column by column. A general GEMM
//! (`matrixmultiply`, behind `ndarray`) copies `z` into packed panels and allocates its
//! buffers on every call; here tiles of 8 units × 8 runs are accumulated in registers
//! straight from `z`, unit tiles outermost so that a tile's columns stay in L1 while every
//! run block uses them. In a microbenchmark at 2,844 units × 32 runs this takes 2.8 ns per
//! unit and run against `matrixmultiply`'s 3.7 (k = 67), and 2.6 against 4.6 (five products
//! of k ≈ 13); a whole replay of the numpy benchmark, 4 % less time.
//!
//! Each output is one chain `acc ← w·z + acc` over `i` from 0, in one rounding where the CPU
//! has FMA (the same order `matrixmultiply`'s kernels use), so results do not depend on the
//! batch, the tile or the thread.

use multiversion::{multiversion, target::selected_target};

use crate::vmath::madd;
use crate::prefetch::prefetch;

/// Units per tile (one AVX-512 register of `f64`).
const UNITS: usize = 8;
/// Runs per tile (eight accumulators).
const RUNS: usize = 8;
/// How many tiles ahead the columns are prefetched.
const AHEAD: usize = 8;

/// `out[r · stride + u] = Σᵢ w[r · k + i] · z[i · n + u]` for every run `r < w.len() / k` and
/// unit `u < n`.
///
/// # Panics
/// If `w.len()` is not a multiple of `k`, `z` holds fewer than `k · n` values, or `out` is
/// too short for the last run's row.
pub(crate) fn weighted_sums(w: &[f64], k: usize, z: &[f64], n: usize, out: &mut [f64], stride: usize) {
    assert!(k > 0 && w.len() % k == 0, "weighted_sums: {} weights are not rows of {k}", w.len());
    let m = w.len() / k;
    assert!(z.len() >= k * n, "weighted_sums: the data has fewer than {k} columns of {n}");
    assert!(m == 0 || out.len() >= (m - 1) * stride + n, "weighted_sums: output too short");
    // per block of RUNS runs, column by column, the block's weights side by side (zero for
    // runs past the last): one broadcast per run and column in the kernel
    let mut wt = vec![[0.0; RUNS]; m.div_ceil(RUNS) * k];
    for (r, row) in w.chunks_exact(k).enumerate() {
        for (i, &x) in row.iter().enumerate() {
            wt[(r / RUNS) * k + i][r % RUNS] = x;
        }
    }
    kernel(&wt, m, k, z, n, out, stride);
}

#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
fn kernel(wt: &[[f64; RUNS]], m: usize, k: usize, z: &[f64], n: usize, out: &mut [f64], stride: usize) {
    // a constant: evaluated at run time, the kernel's code (and speed: 4x slower once)
    // depended on how unrelated changes moved the crate's inlining
    const FMA: bool = selected_target!().supports_feature_str("fma");
    let fma = FMA;
    // tiles start where the first run's output row is 64-byte aligned (so are the others',
    // when the stride is a multiple of 8): a store across two cache lines costs two
    let lead = ((64 - out.as_ptr() as usize % 64) % 64 / 8).min(n);
    let full = lead + (n - lead) / UNITS * UNITS;
    // A tile's columns are copied side by side before use: its k loads are far apart in `z`
    // and mostly outside L2, too many streams for the hardware prefetcher. Each run block
    // therefore also prefetches a slice of the columns [`AHEAD`] tiles ahead.
    let blocks = wt.len() / k;
    let mut tile = vec![[0.0f64; UNITS]; k];
    for u0 in (lead..full).step_by(UNITS) {
        for (i, t) in tile.iter_mut().enumerate() {
            *t = z[i * n + u0..i * n + u0 + UNITS].try_into().expect("a tile");
        }
        for (b, block) in wt.chunks_exact(k).enumerate() {
            let mut acc = [[0.0f64; UNITS]; RUNS];
            for (wi, zi) in block.iter().zip(&tile) {
                for r in 0..RUNS {
                    for u in 0..UNITS {
                        acc[r][u] = madd(wi[r], zi[u], acc[r][u], fma);
                    }
                }
            }
            for (r, a) in acc.iter().enumerate().take(m - b * RUNS) {
                let o = (b * RUNS + r) * stride + u0;
                out[o..o + UNITS].copy_from_slice(a);
            }
            if u0 + AHEAD * UNITS < full {
                for i in k * b / blocks..k * (b + 1) / blocks {
                    prefetch(z, i * n + u0 + AHEAD * UNITS);
                }
            }
        }
    }
    // the first and last units, one at a time, in the same order
    for (b, block) in wt.chunks_exact(k).enumerate() {
        for r in 0..RUNS.min(m - b * RUNS) {
            for u in (0..lead).chain(full..n) {
                let mut a = 0.0;
                for (i, wi) in block.iter().enumerate() {
                    a = madd(wi[r], z[i * n + u], a, fma);
                }
                out[(b * RUNS + r) * stride + u] = a;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against sums by hand in exact (integer-valued) arithmetic, every tile and remainder shape.
    #[test]
    fn sums_every_run_and_unit() {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (8, 13, 16), (9, 67, 21), (32, 4, 100), (17, 2, 8)] {
            let w: Vec<f64> = (0..m * k).map(|x| ((x * 7) % 11) as f64 - 3.0).collect();
            let z: Vec<f64> = (0..k * n).map(|x| ((x * 13) % 17) as f64).collect();
            let stride = n + 5;
            let mut out = vec![f64::NAN; m * stride];
            weighted_sums(&w, k, &z, n, &mut out, stride);
            for r in 0..m {
                for u in 0..n {
                    let want: f64 = (0..k).map(|i| w[r * k + i] * z[i * n + u]).sum();
                    assert_eq!(out[r * stride + u], want, "m {m} k {k} n {n}: run {r} unit {u}");
                }
                assert!(
                    out[r * stride + n..(r + 1) * stride].iter().all(|x| x.is_nan()),
                    "wrote past the row"
                );
            }
        }
    }

    /// A unit's sum does not depend on where it falls (a tile or the remainder) or on the batch.
    #[test]
    fn same_bits_in_a_tile_or_alone() {
        let (k, n) = (67, 19);
        let w: Vec<f64> = (0..10 * k).map(|x| (x as f64 * 0.37).sin()).collect();
        let z: Vec<f64> = (0..k * n).map(|x| (x as f64 * 0.11).cos() * 50.0).collect();
        let mut all = vec![0.0; 10 * n];
        weighted_sums(&w, k, &z, n, &mut all, n);
        for r in 0..10 {
            let mut one = vec![0.0; n];
            weighted_sums(&w[r * k..(r + 1) * k], k, &z, n, &mut one, n);
            assert_eq!(one, all[r * n..(r + 1) * n]);
            // unit 18 (the remainder) computed as unit 2 of a shifted copy (inside a tile)
            let z2: Vec<f64> = (0..k)
                .flat_map(|i| z[i * n + 16..i * n + 19].iter().copied().chain([0.0; 5]))
                .collect();
            let mut t = vec![0.0; 8];
            weighted_sums(&w[r * k..(r + 1) * k], k, &z2, 8, &mut t, 8);
            assert_eq!(t[2].to_bits(), all[r * n + 18].to_bits());
        }
    }
}
