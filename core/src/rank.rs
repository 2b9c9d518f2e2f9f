//! Ranking: 1 = best (highest score), with a selectable tie rule.
//!
//! One sorting mechanism serves every ranking in zhili (results, uncertainty runs): the
//! scores are mapped to short integer keys by a monotone map, `key = round((max − s) · K)`
//! (non-increasing in s under IEEE rounding, so a higher score never gets a larger key), the
//! keys are radix-sorted together with the unit index, and the rare groups of distinct
//! scores that share a key are finished by comparing the scores themselves. Equal scores
//! always share a key, so ties are found by comparing neighbours. The key width is
//! ⌈log₂ n⌉ + 5 to ⌈log₂ n⌉ + 8 bits (the most that two 11-bit passes cover), which leaves
//! at most one collision per 32 units for evenly spread scores; sorting costs two or three
//! passes of at most 11-bit digits.
//!
//! The same mechanism ranks scores known only approximately ([`rank_into_bounded`]): the
//! approximations are sorted as above, and only the units whose approximations lie within
//! twice the error bound of a neighbour's are put in order by their exact scores, computed
//! on demand. Units whose keys are further apart than the bound can span are ordered by the
//! sort alone.

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::kernels::radix::RadixSorter;

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
    ranked(scores, ties, false).1
}

/// The units best first and their ranks, from one sort: `order` holds the units with a
/// score best first (ties in unit order; `+0.0` and `−0.0` tie), then the units with a
/// missing score in unit order; `ranks` is [`rank`]'s.
///
/// ```
/// use zhili_core::rank::{order_and_rank, Ties};
/// let (order, ranks) = order_and_rank(ndarray::array![3.0, 5.0, 5.0, f64::NAN, 1.0].view(), Ties::Min);
/// assert_eq!(order, [1, 2, 0, 4, 3]);
/// assert_eq!(ranks.to_vec()[..3], [3.0, 1.0, 1.0]);
/// ```
pub fn order_and_rank(scores: ArrayView1<'_, f64>, ties: Ties) -> (Vec<usize>, Array1<f64>) {
    ranked(scores, ties, true)
}

/// [`rank`], and with `with_order` the best-first order of [`order_and_rank`].
fn ranked(scores: ArrayView1<'_, f64>, ties: Ties, with_order: bool) -> (Vec<usize>, Array1<f64>) {
    let owned;
    let s: &[f64] = match scores.as_slice() {
        Some(s) => s,
        None => {
            owned = scores.to_vec();
            &owned
        }
    };
    let mut out = Array1::from_elem(s.len(), f64::NAN);
    let mut order = Vec::with_capacity(if with_order { s.len() } else { 0 });
    let mut scratch = RankScratch::default();
    scratch.sort_best_first(s, None);
    scratch.for_each_group(s, 0.0, &mut |i| s[i], false, |start, end, dense, group| {
        for (k, &e) in group.iter().enumerate() {
            let unit = (e & 0xFFFF_FFFF) as usize;
            if with_order {
                order.push(unit);
            }
            out[unit] = match ties {
                Ties::Min => (start + 1) as f64,
                Ties::Max => end as f64,
                Ties::Average => (start + 1 + end) as f64 / 2.0,
                Ties::Dense => f64::from(dense),
                Ties::First => (start + k + 1) as f64,
            };
        }
    });
    if with_order {
        order.extend((0..s.len()).filter(|&i| s[i].is_nan()));
    }
    (order, out)
}

/// Integer ranks of `scores` (higher is better) into `out`: 1 = best, 0 = missing (NaN).
/// `scratch` keeps its buffers between calls, so ranking many runs allocates nothing.
/// Ties as [`rank`]; `average` has no integer rank and is treated as `min` (the analyses
/// that use integer ranks refuse it up front).
///
/// # Panics
/// If `out` is shorter than `scores`.
pub fn rank_into(scores: &[f64], ties: Ties, scratch: &mut RankScratch, out: &mut [u32]) {
    rank_into_bounded(scores, 0.0, |i| scores[i], ties, scratch, out);
}

/// Integer ranks, as [`rank_into`], of exact scores known through approximations: `approx[i]`
/// stands for unit `i`'s exact score `exact(i)`, and the caller guarantees that
/// `approx[i] − approx[j] > 2·eps` implies `exact(i) > exact(j)` (for instance, every
/// approximation is within `eps` of a value that the exact score is a strictly increasing
/// function of), and that `approx[i]` is NaN exactly when the exact score is missing. The ranks
/// are those of the exact scores; `exact` is called only for units whose approximation lies
/// within `2·eps` of a neighbour's.
///
/// ```
/// use zhili_core::rank::{rank_into_bounded, RankScratch, Ties};
/// let exact = [3.0, 2.0000001, 2.0, 1.0];
/// // approximations within 1e-3: units 1 and 2 cannot be told apart without their exact scores
/// let approx = [3.0004, 1.9999, 2.0003, 0.9995];
/// let mut out = [0; 4];
/// rank_into_bounded(&approx, 1e-3, |i| exact[i], Ties::Min, &mut RankScratch::default(), &mut out);
/// assert_eq!(out, [1, 2, 3, 4]);
/// ```
///
/// # Panics
/// If `out` is shorter than `approx`, or `eps` is negative or NaN.
pub fn rank_into_bounded(
    approx: &[f64],
    eps: f64,
    mut exact: impl FnMut(usize) -> f64,
    ties: Ties,
    scratch: &mut RankScratch,
    out: &mut [u32],
) {
    assert!(eps >= 0.0, "the error bound must be a non-negative number");
    let scores = approx;
    let out = &mut out[..scores.len()];
    let tol = 2.0 * eps;
    if ties == Ties::Dense {
        scratch.sort_best_first(scores, None);
        out.fill(0); // missing scores keep 0; the rest is written below
        scratch.for_each_group(scores, tol, &mut exact, false, |_, _, dense, group| {
            group.iter().for_each(|&e| out[(e & 0xFFFF_FFFF) as usize] = dense);
        });
        return;
    }
    // The sort writes each unit's position + 1: the rank under every other rule of a
    // unit whose key is far from every other unit's. Only the near keys' groups are rewritten.
    scratch.sort_best_first(scores, Some(out));
    scratch.for_each_group(scores, tol, &mut exact, true, |start, end, _, group| {
        for (k, &e) in group.iter().enumerate() {
            out[(e & 0xFFFF_FFFF) as usize] = match ties {
                Ties::Max => end as u32,
                Ties::First => (start + k + 1) as u32,
                Ties::Min | Ties::Average | Ties::Dense => (start + 1) as u32,
            };
        }
    });
}

/// Reusable buffers for ranking: the sorted (key, unit) words and the radix sort's spare.
#[derive(Debug, Clone)]
pub struct RankScratch {
    /// `key << 32 | unit`, best first after [`RankScratch::sort_best_first`].
    order: Vec<u64>,
    radix: RadixSorter,
    /// Keys per unit of score in the last sort (0: every key was 0).
    scale: f64,
    /// (exact score, word) of a cluster of near approximations.
    cluster: Vec<(f64, u64)>,
    /// Whether each sorted word's successor has a near key.
    near: Vec<u8>,
}

impl Default for RankScratch {
    fn default() -> Self {
        RankScratch {
            order: Vec::new(),
            radix: RadixSorter::default(),
            scale: 0.0,
            cluster: Vec::new(),
            near: Vec::new(),
        }
    }
}

impl RankScratch {
    /// Sort the units with a score best first; ties (equal scores) in unit order. Groups of
    /// distinct scores that share a key are left for [`RankScratch::for_each_group`].
    /// With `pos`, each unit's position + 1 in the sorted order goes to `pos[unit]`
    /// (0 for a missing score).
    fn sort_best_first(&mut self, scores: &[f64], mut pos: Option<&mut [u32]>) {
        assert!(u32::try_from(scores.len()).is_ok(), "at most 2³² units can be ranked");
        let Some((lo, hi)) = crate::kernels::reduce::min_max(scores) else {
            self.order.clear();
            if let Some(pos) = pos {
                pos.fill(0); // no score at all
            }
            return;
        };
        // ⌈log₂ n⌉ + 5 bits at least; up to 3 more while two 11-bit passes still cover them
        // (fewer units share a key or sit one key apart: the group scan does less)
        let lg = usize::BITS - scores.len().leading_zeros();
        let bits = (lg + 8).min(22).max(lg + 5).clamp(8, 31);
        // keys 0 ..= top for scores, top + 1 for a missing score (sorted last, then cut)
        let top = ((1u64 << bits) - 2) as f64;
        let span = hi - lo;
        // An infinite or zero span gives every unit key 0: one group, sorted by comparison.
        let scale = if span > 0.0 && span.is_finite() { top / span } else { 0.0 };
        self.scale = scale;
        // every word is written by `keys`: resizing zeroes only what is new
        self.order.resize(scores.len(), 0);
        let missing = keys(scores, hi, scale, top, &mut self.order);
        self.radix.sort(&mut self.order, bits, pos.as_deref_mut());
        let m = scores.len() - missing;
        if let Some(pos) = pos {
            self.order[m..].iter().for_each(|&e| pos[(e & 0xFFFF_FFFF) as usize] = 0);
        }
        self.order.truncate(m);
    }

    /// Call `f(start, end, dense, units)` for each group of tied units, best group first:
    /// positions `start..end` (0-based) of the sorted order, `dense` = the group's number.
    /// A group's words hold the unit in their low 32 bits.
    ///
    /// `scores` are approximations whose order is certain only where they differ by more
    /// than `tol` (0: they are the exact scores). Units whose keys are close enough for
    /// their scores to be within `tol` form a block, put in order by comparing the scores
    /// (best first, ties in unit order); within a block, a chain of neighbours within `tol`
    /// of each other is a cluster, put in order by `exact` (ties in unit order). Groups of
    /// equal exact scores are ties.
    /// `only_shared`: visit only the blocks of several units (`dense` is then meaningless).
    fn for_each_group(
        &mut self,
        scores: &[f64],
        tol: f64,
        exact: &mut dyn FnMut(usize) -> f64,
        only_shared: bool,
        mut f: impl FnMut(usize, usize, u32, &[u64]),
    ) {
        // Keys `reach` or more apart belong to scores more than `tol` apart: the key is
        // y = (hi − s)·scale rounded, so keys d apart have y at least d − 1 apart, and scores
        // at least (d − 1)/scale apart less the rounding of y (below 2⁻⁵⁰ of the span, i.e.
        // 1e-6 keys of the at most 2³¹).
        let reach: u64 = if tol == 0.0 {
            1 // equal scores share a key
        } else if self.scale > 0.0 {
            let d = (tol * self.scale + 1e-5).floor() + 2.0;
            if d < 1e15 {
                d as u64
            } else {
                u64::MAX
            }
        } else {
            u64::MAX // every key is 0: a single block
        };
        let o = &mut self.order;
        let unit = |e: u64| (e & 0xFFFF_FFFF) as usize;
        let score = |e: u64| scores[unit(e)];
        let best_first = |a: f64, b: f64, ua: u64, ub: u64| {
            // no NaN here; `partial_cmp` makes −0.0 and +0.0 equal (a tie)
            b.partial_cmp(&a)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then((ua & 0xFFFF_FFFF).cmp(&(ub & 0xFFFF_FFFF)))
        };
        let cluster = &mut self.cluster;
        let near = &mut self.near;
        if only_shared {
            near_flags(o, reach, near);
        }
        let mut start = 0;
        let mut dense = 0u32;
        while start < o.len() {
            if only_shared {
                start = next_block(near, start);
                if start >= o.len() {
                    break;
                }
            }
            let mut j = start + 1;
            while j < o.len() && (o[j] >> 32) - (o[j - 1] >> 32) < reach {
                j += 1;
            }
            if j == start + 1 {
                dense += 1;
                if !only_shared {
                    f(start, j, dense, &o[start..j]);
                }
                start = j;
                continue;
            }
            if j - start == 2 {
                // most blocks are a pair: no call into the sort
                if best_first(score(o[start]), score(o[start + 1]), o[start], o[start + 1]).is_gt() {
                    o.swap(start, start + 1);
                }
            } else {
                o[start..j].sort_unstable_by(|&a, &b| best_first(score(a), score(b), a, b));
            }
            while start < j {
                let mut end = start + 1;
                // (`==` first: ∞ − ∞ is NaN)
                while end < j && (score(o[end - 1]) == score(o[end]) || score(o[end - 1]) - score(o[end]) <= tol) {
                    end += 1;
                }
                let resolved = tol > 0.0 && end > start + 1;
                if resolved {
                    cluster.clear();
                    cluster.extend(o[start..end].iter().map(|&e| (exact(unit(e)), e)));
                    cluster.sort_unstable_by(|a, b| best_first(a.0, b.0, a.1, b.1));
                    o[start..end].iter_mut().zip(cluster.iter()).for_each(|(w, c)| *w = c.1);
                }
                // emit the groups of equal (exact) scores
                let base = start;
                let group_score = |k: usize| if resolved { cluster[k - base].0 } else { score(o[k]) };
                while start < end {
                    let mut g = start + 1;
                    while g < end && group_score(g) == group_score(start) {
                        g += 1;
                    }
                    dense += 1;
                    f(start, g, dense, &o[start..g]);
                    start = g;
                }
            }
        }
    }
}

/// `near[p] = 1` where the key of word `p + 1` is less than `reach` above word `p`'s (a
/// branch-free pass that vectorises; most neighbours are far apart).
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
fn near_flags(o: &[u64], reach: u64, near: &mut Vec<u8>) {
    near.clear();
    near.extend(o.windows(2).map(|w| u8::from((w[1] >> 32) - (w[0] >> 32) < reach)));
}

/// The first `p ≥ from` with `near[p] = 1`, or `near.len() + 1` (the number of words) if
/// none: eight flags at a time.
fn next_block(near: &[u8], from: usize) -> usize {
    let mut p = from;
    while p + 8 <= near.len() {
        let eight = u64::from_le_bytes(near[p..p + 8].try_into().expect("eight flags"));
        if eight != 0 {
            return p + eight.trailing_zeros() as usize / 8;
        }
        p += 8;
    }
    near[p.min(near.len())..]
        .iter()
        .position(|&x| x != 0)
        .map_or(near.len() + 1, |k| p + k)
}

/// `out[i] = key(scores[i]) << 32 | i`, with `key = round((hi − s) · scale)` capped at `top`
/// (a monotone map: a higher score never gets a larger key) and `top + 1` for NaN; returns
/// the number of NaN scores. Branch-free, so it vectorises.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
fn keys(scores: &[f64], hi: f64, scale: f64, top: f64, out: &mut [u64]) -> usize {
    // adding 2⁵² rounds a value in [0, 2³²) to an integer held in the low mantissa bits
    const ROUND: f64 = 4_503_599_627_370_496.0;
    let nan_key = top as u64 + 1;
    let mut missing = 0;
    for (i, (o, &s)) in out.iter_mut().zip(scores).enumerate() {
        let x = (hi - s) * scale;
        // NaN (a missing score, or ∞ − ∞ under an infinite span) fails `>=`
        let key = if x >= 0.0 {
            (x.min(top) + ROUND).to_bits() & 0xFFFF_FFFF
        } else {
            0
        };
        let nan = s.is_nan();
        missing += usize::from(nan);
        *o = (if nan { nan_key } else { key }) << 32 | i as u64;
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Ranks by the definition: 1 + the number of better units (min), etc.
    fn by_definition(s: &[f64], ties: Ties) -> Vec<f64> {
        s.iter()
            .enumerate()
            .map(|(i, &x)| {
                if x.is_nan() {
                    return f64::NAN;
                }
                let better = s.iter().filter(|&&y| y > x).count();
                let equal = s.iter().filter(|&&y| y == x).count();
                let equal_before = s[..i].iter().filter(|&&y| y == x).count();
                let mut distinct_better: Vec<f64> = s.iter().copied().filter(|&y| y > x).collect();
                distinct_better.sort_by(f64::total_cmp);
                distinct_better.dedup_by(|a, b| a == b);
                match ties {
                    Ties::Min => (better + 1) as f64,
                    Ties::Max => (better + equal) as f64,
                    Ties::Average => better as f64 + (equal as f64 + 1.0) / 2.0,
                    Ties::Dense => (distinct_better.len() + 1) as f64,
                    Ties::First => (better + equal_before + 1) as f64,
                }
            })
            .collect()
    }

    const ALL: [Ties; 5] = [Ties::Min, Ties::Max, Ties::Average, Ties::Dense, Ties::First];

    fn check(s: &[f64]) {
        let mut scratch = RankScratch::default();
        for ties in ALL {
            let want = by_definition(s, ties);
            let got = rank(ArrayView1::from(s), ties);
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                assert!(a == b || (a.is_nan() && b.is_nan()), "{ties:?} unit {i}: {a} vs {b} in {s:?}");
            }
            if ties != Ties::Average {
                let mut out = vec![99; s.len()];
                rank_into(s, ties, &mut scratch, &mut out);
                for (a, b) in out.iter().zip(&want) {
                    assert_eq!(f64::from(*a), if b.is_nan() { 0.0 } else { *b });
                }
            }
            let (order, ranks) = order_and_rank(ArrayView1::from(s), ties);
            for (i, (a, b)) in ranks.iter().zip(&want).enumerate() {
                assert!(a == b || (a.is_nan() && b.is_nan()), "{ties:?} unit {i}: {a} vs {b}");
            }
            // the order by a comparison sort: best first, ties (+0 = −0) in unit order, NaN last
            let mut by_sort: Vec<usize> = (0..s.len()).collect();
            by_sort.sort_by(|&a, &b| match (s[a].is_nan(), s[b].is_nan()) {
                (false, false) => s[b].partial_cmp(&s[a]).unwrap_or(std::cmp::Ordering::Equal),
                (x, y) => x.cmp(&y),
            });
            assert_eq!(order, by_sort, "{s:?}");
        }
    }

    #[test]
    fn edge_cases() {
        check(&[]);
        check(&[f64::NAN, f64::NAN]);
        check(&[2.0]);
        check(&[1.0; 300]);
        check(&[0.0, -0.0, 0.0, 1.0, -1.0]);
        check(&[f64::INFINITY, 1.0, f64::NEG_INFINITY, f64::NAN, 1.0, f64::INFINITY]);
        // enough units for the radix path, with an infinite score making the span infinite
        let mut v: Vec<f64> = (0..500).map(|i| f64::from((i * 37) % 101) - 50.0).collect();
        check(&v);
        v[7] = f64::INFINITY;
        v[9] = f64::NAN;
        check(&v);
        // scores one ulp apart (same key, distinct scores) and a far outlier
        let mut w: Vec<f64> = (0..200).map(|i| 1.0 + f64::EPSILON * f64::from(i % 7)).collect();
        w.push(1e300);
        check(&w);
    }

    /// `rank_into_bounded` on approximations `exact + noise`, |noise| ≤ eps, gives the ranks
    /// of `exact`, and asks for exact scores only of units near another one.
    fn check_bounded(exact: &[f64], noise: &[f64], eps: f64) {
        let approx: Vec<f64> = exact.iter().zip(noise).map(|(&x, &z)| x + z * 0.999 * eps).collect();
        let mut scratch = RankScratch::default();
        for ties in [Ties::Min, Ties::Max, Ties::Dense, Ties::First] {
            let mut want = vec![0; exact.len()];
            rank_into(exact, ties, &mut scratch, &mut want);
            let mut got = vec![0; exact.len()];
            let mut asked = vec![false; exact.len()];
            rank_into_bounded(
                &approx,
                eps,
                |i| {
                    asked[i] = true;
                    exact[i]
                },
                ties,
                &mut scratch,
                &mut got,
            );
            assert_eq!(got, want, "{ties:?}, eps {eps}");
            for (i, _) in asked.iter().enumerate().filter(|(_, &a)| a) {
                let near = approx
                    .iter()
                    .enumerate()
                    .any(|(j, &y)| j != i && (y - approx[i]).abs() <= 2.0 * eps);
                assert!(near, "exact score of unit {i} asked for, but no approximation is near");
            }
        }
    }

    #[test]
    fn bounded_ranks_are_the_exact_ranks() {
        // ties, near-ties a few eps apart, and one score alone; both sort paths (< 64 and ≥ 64 units)
        for n in [10usize, 300, 3000] {
            let exact: Vec<f64> = (0..n)
                .map(|i| f64::from(((i * 7919) % 211) as u32) * 1e-3 + if i % 5 == 0 { 1e-9 } else { 0.0 })
                .collect();
            let noise: Vec<f64> = (0..n).map(|i| f64::from(((i * 104_729) % 2001) as u32) / 1000.0 - 1.0).collect();
            for eps in [0.0, 1e-10, 2e-9, 1e-4, 0.3] {
                check_bounded(&exact, &noise, eps);
            }
        }
        let mut ex = vec![f64::NAN, 1.0, 1.0, 2.0];
        check_bounded(&ex, &[0.0, 1.0, -1.0, 0.5], 0.01);
        ex = vec![5.0; 100];
        check_bounded(&ex, &vec![0.5; 100], 1.0);
    }

    proptest! {
        #[test]
        fn bounded_ranks_follow_the_exact_scores(
            v in proptest::collection::vec(((-200i32..200).prop_map(|x| f64::from(x) / 64.0), -1.0f64..=1.0), 0..400),
            eps in prop_oneof![Just(0.0), 1e-6f64..0.5],
        ) {
            let (exact, noise): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
            check_bounded(&exact, &noise, eps);
        }

        #[test]
        fn ranks_follow_the_definition(v in proptest::collection::vec(prop_oneof![
            4 => (-1000i32..1000).prop_map(|x| f64::from(x) / 8.0),
            4 => -1e6f64..1e6,
            1 => Just(f64::NAN),
        ], 0..400)) {
            check(&v);
        }
    }
}
