//! Ranking: 1 = best (highest score), with a selectable tie rule.

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

/// How tied scores are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// Tied units share the best rank of the group ("sport" ranks: 1, 2, 2, 4). Default, as COINr.
    #[default]
    Min,
    /// Tied units share the worst rank of the group (1, 3, 3, 4).
    Max,
    /// Tied units share the mean rank (1, 2.5, 2.5, 4).
    Average,
    /// Consecutive ranks without gaps (1, 2, 2, 3).
    Dense,
    /// Ties broken by unit order (1, 2, 3, 4).
    First,
}

/// Rank `scores` (higher is better); missing scores (NaN) get a NaN rank and do not count.
///
/// ```
/// use zhili_core::rank::{rank, Ties};
/// let r = rank(ndarray::array![3.0, 5.0, 5.0, f64::NAN, 1.0].view(), Ties::Min);
/// assert_eq!(r.to_vec()[..3], [3.0, 1.0, 1.0]);
/// assert!(r[3].is_nan());
/// assert_eq!(r[4], 4.0);
/// ```
pub fn rank(scores: ArrayView1<'_, f64>, ties: Ties) -> Array1<f64> {
    // (key, unit) pairs sorted best first, ties in unit order (needed by `First`): a radix
    // sort on order-preserving keys, shared with the uncertainty analysis.
    let mut pairs: Vec<(u64, u32)> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_nan())
        .map(|(i, &s)| (!ordered_bits(s), i as u32))
        .collect();
    radix_sort(&mut pairs);
    let idx: Vec<usize> = pairs.iter().map(|p| p.1 as usize).collect();
    let mut out = Array1::from_elem(scores.len(), f64::NAN);
    let mut start = 0;
    let mut dense = 0.0;
    while start < idx.len() {
        let mut end = start + 1;
        while end < idx.len() && scores[idx[end]] == scores[idx[start]] {
            end += 1;
        }
        dense += 1.0;
        for (k, &i) in idx[start..end].iter().enumerate() {
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
    out
}

/// Map an f64 to a u64 whose unsigned order is the float's total order.
#[inline]
pub(crate) fn ordered_bits(x: f64) -> u64 {
    // −0.0 + 0.0 = +0.0: equal scores get equal keys
    let b = (x + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

const BITS: u32 = 8;
const BUCKETS: usize = 1 << BITS;

thread_local! {
    static SORT_BUF: std::cell::RefCell<Vec<(u64, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sort by (key, index): a stable LSD radix sort on the high 32 bits of the keys (8-bit
/// digits; digits shared by every key are skipped), then the rare groups sharing their high
/// bits are finished by comparison. The input is in index order, so the result equals
/// `sort_unstable()` on the pairs. Small inputs use the comparison sort directly.
pub(crate) fn radix_sort(v: &mut [(u64, u32)]) {
    let n = v.len();
    if n < 256 {
        v.sort_unstable();
        return;
    }
    let mut counts = [[0u32; BUCKETS]; 4];
    for &(k, _) in v.iter() {
        let hi = (k >> 32) as u32;
        for (p, c) in counts.iter_mut().enumerate() {
            c[((hi >> (p as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    SORT_BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        buf.resize(n, (0, 0));
        let mut src_is_v = true;
        for (p, c) in counts.iter_mut().enumerate() {
            if c.iter().any(|&x| x as usize == n) {
                continue; // every key has the same digit here
            }
            let mut sum = 0u32;
            for x in c.iter_mut() {
                let t = *x;
                *x = sum;
                sum += t;
            }
            let shift = 32 + p as u32 * BITS;
            type Pair = (u64, u32);
            let (src, dst): (&[Pair], &mut [Pair]) = if src_is_v { (&v[..], &mut buf[..]) } else { (&buf[..], &mut v[..]) };
            for &e in src {
                let d = ((e.0 >> shift) as usize) & (BUCKETS - 1);
                dst[c[d] as usize] = e;
                c[d] += 1;
            }
            src_is_v = !src_is_v;
        }
        if !src_is_v {
            v.copy_from_slice(&buf[..]);
        }
    });
    // finish groups with equal high bits
    let mut i = 0;
    while i < n {
        let hi = v[i].0 >> 32;
        let mut j = i + 1;
        while j < n && v[j].0 >> 32 == hi {
            j += 1;
        }
        if j - i > 1 {
            v[i..j].sort_unstable();
        }
        i = j;
    }
}
