//! Streaming rank statistics: per-unit rank histograms.
//!
//! Ranks are integers 1..=n, so a histogram of each unit's ranks gives its exact mean,
//! median and percentiles without keeping the runs. Each unit keeps a dense window of
//! counts over the ranks it has taken (growing as needed), so memory depends on the spread
//! of a unit's ranks (at most n), never on the number of runs. Counts are integers: merging
//! runs in any order or chunking gives identical statistics.
//!
//! Percentiles use linear interpolation between order statistics (R type 7, numpy's default):
//! ```text
//! i = 1 + (N − 1) p,  lo = ⌊i⌋,  h = i − lo      (1-based position among the N sorted ranks)
//! q = (1 − h) x₍lo₎ + h x₍lo+1₎
//! ```

use crate::kernels::prefetch::prefetch;

/// One unit's ranks: the raw ranks while they are fewer than the span of ranks seen, then
/// a dense window of counts over that span (so memory ≤ min(runs, span) words per unit).
/// Count, sum and absolute shift are derived from the window when asked for, so recording
/// a rank inside the window is one increment. Window counts are 16-bit, which halves the
/// window (a block of units' windows then stays in L1); a count that wraps past 65,535
/// carries into a short list of (rank, multiples of 65,536).
#[derive(Debug, Clone, Default)]
pub struct RankHistogram {
    raw: Vec<u32>,
    /// `raw` is sorted.
    sorted: bool,
    dense: bool,
    lo: u32,
    /// Empty until dense: then counts of ranks `lo, lo + 1, …`, modulo 2¹⁶.
    counts: Vec<u16>,
    /// (rank, times its count wrapped past 2¹⁶ − 1).
    carries: Vec<(u32, u64)>,
    min: u32,
    max: u32,
    missing: u64,
    nominal: u32,
}

impl RankHistogram {
    /// Record one run's rank (`0` = missing in that run); `nominal` is the unit's nominal
    /// rank (`0` = none) for the absolute shift, the same in every call.
    #[inline]
    pub fn add(&mut self, rank: u32, nominal: u32) {
        // Hot path: a rank inside the dense window (`lo` ≥ 1, so rank 0 wraps out of it;
        // before the window exists `counts` is empty).
        if let Some(c) = self.counts.get_mut(rank.wrapping_sub(self.lo) as usize) {
            *c = c.wrapping_add(1);
            if *c == 0 {
                self.carry(rank);
            }
            return;
        }
        self.add_slow(rank, nominal);
    }

    /// Count one more rank `rank` (inside the window).
    fn bump(&mut self, rank: u32) {
        let c = &mut self.counts[(rank - self.lo) as usize];
        *c = c.wrapping_add(1);
        if *c == 0 {
            self.carry(rank);
        }
    }

    #[cold]
    fn carry(&mut self, rank: u32) {
        match self.carries.iter_mut().find(|(r, _)| *r == rank) {
            Some((_, k)) => *k += 1,
            None => self.carries.push((rank, 1)),
        }
    }

    #[cold]
    fn add_slow(&mut self, rank: u32, nominal: u32) {
        self.nominal = nominal;
        if rank == 0 {
            self.missing += 1;
            return;
        }
        if !self.dense {
            if self.raw.is_empty() {
                self.min = rank;
                self.max = rank;
            } else {
                self.min = self.min.min(rank);
                self.max = self.max.max(rank);
            }
            self.raw.push(rank);
            self.sorted = false;
            self.densify_if_narrow();
            return;
        }
        if rank < self.lo {
            let slack = (self.counts.len() / 4) as u32;
            let new_lo = rank.saturating_sub(slack).max(1);
            self.counts.splice(0..0, std::iter::repeat_n(0, (self.lo - new_lo) as usize));
            self.lo = new_lo;
        } else {
            let need = (rank - self.lo) as usize + 1;
            self.counts.resize(need + self.counts.len() / 4, 0);
        }
        self.bump(rank);
    }

    /// Once the raw ranks outnumber the span they cover, count them in a dense window.
    fn densify_if_narrow(&mut self) {
        let span = (self.max - self.min) as usize + 1;
        if self.raw.len() >= 16 && self.raw.len() > span {
            self.lo = self.min;
            self.counts = vec![0; span];
            for r in std::mem::take(&mut self.raw) {
                self.bump(r);
            }
            self.dense = true;
        }
    }

    /// Record several runs' ranks, as [`Self::add`] each. While a unit's ranks spread wider
    /// than the runs so far (most units, with many units and few runs) they are appended
    /// as a block: one extrema pass and one copy instead of a call per rank.
    pub(crate) fn add_many(&mut self, ranks: &[u32], nominal: u32) {
        let (lo, hi) = ranks.iter().fold((u32::MAX, 0), |(a, b), &r| (a.min(r), b.max(r)));
        if self.dense || lo == 0 || ranks.is_empty() {
            ranks.iter().for_each(|&r| self.add(r, nominal));
            return;
        }
        self.nominal = nominal;
        if self.raw.is_empty() {
            (self.min, self.max) = (lo, hi);
        } else {
            (self.min, self.max) = (self.min.min(lo), self.max.max(hi));
        }
        self.raw.extend_from_slice(ranks);
        self.sorted = false;
        self.densify_if_narrow();
    }

    /// (rank, runs with that rank) for every rank taken.
    fn ranks(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let window = self.counts.iter().enumerate().map(|(i, &c)| {
            let r = self.lo + i as u32;
            let wraps = self.carries.iter().find(|&&(q, _)| q == r).map_or(0, |&(_, k)| k);
            (r, u64::from(c) + (wraps << 16))
        });
        window.chain(self.raw.iter().map(|&r| (r, 1)))
    }

    /// Runs in which the unit had a rank.
    pub fn count(&self) -> u64 {
        self.ranks().map(|(_, c)| c).sum()
    }

    /// Runs in which the unit had no rank (missing score or screened out).
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// Mean rank (NaN if never ranked).
    pub fn mean(&self) -> f64 {
        self.moments().1
    }

    /// Mean of |rank − nominal rank| over the runs where the unit was ranked.
    pub fn mean_abs_shift(&self) -> f64 {
        self.moments().2
    }

    /// The `k`-th smallest rank (0-based), `k < count()`; `sorted` = the raw ranks sorted.
    fn order_stat(&self, k: u64, sorted: &[u32]) -> f64 {
        if !self.dense {
            return sorted.get(k as usize).map_or(f64::NAN, |&r| f64::from(r));
        }
        let mut acc = 0u64;
        for (r, c) in self.ranks() {
            acc += c;
            if acc > k {
                return f64::from(r);
            }
        }
        f64::NAN
    }

    /// The `p` quantile (0 ≤ p ≤ 1), R type 7; NaN if never ranked. Computed with R's own
    /// arithmetic (`(1 − h) x₍lo₎ + h x₍hi₎`), so values equal R's `quantile()` bit for bit.
    pub fn quantile(&self, p: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let mut copy = Vec::new();
        let sorted: &[u32] = if self.dense || self.sorted {
            &self.raw
        } else {
            copy.clone_from(&self.raw);
            copy.sort_unstable();
            &copy
        };
        let index = 1.0 + (n - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = index.floor();
        let a = self.order_stat(lo as u64 - 1, sorted);
        if index > lo {
            let b = self.order_stat(lo as u64, sorted);
            if b != a {
                let h = index - lo;
                return (1.0 - h) * a + h * b;
            }
        }
        a
    }

    /// Count, mean rank and mean |rank − nominal| over the ranked runs, in one pass (NaN
    /// means if never ranked).
    pub fn moments(&self) -> (u64, f64, f64) {
        let nominal = self.nominal;
        let (n, sum, shift) = self.ranks().fold((0u64, 0u64, 0u64), |(n, s, d), (r, c)| {
            (
                n + c,
                s + u64::from(r) * c,
                d + if nominal > 0 { u64::from(r.abs_diff(nominal)) * c } else { 0 },
            )
        });
        if n == 0 {
            (0, f64::NAN, f64::NAN)
        } else {
            (n, sum as f64 / n as f64, shift as f64 / n as f64)
        }
    }

    /// The quantiles `ps` (ascending), as [`Self::quantile`] gives each, in one walk over
    /// the window.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        self.quantiles_of(self.count(), ps)
    }

    /// [`Self::quantiles`] when the count `n` is known (saves a walk over the window).
    pub(crate) fn quantiles_of(&self, n: u64, ps: &[f64]) -> Vec<f64> {
        if !self.dense || ps.windows(2).any(|w| w[1] < w[0]) {
            return ps.iter().map(|&p| self.quantile(p)).collect();
        }
        quantiles_type7(n, ps, |want| {
            // found in one walk over the window
            let mut found = Vec::with_capacity(want.len());
            let (mut acc, mut next) = (0u64, 0usize);
            for (r, c) in self.ranks() {
                acc += c;
                while next < want.len() && want[next] < acc {
                    found.push((want[next], f64::from(r)));
                    next += 1;
                }
                if next == want.len() {
                    break;
                }
            }
            found
        })
    }

    /// [`Self::quantiles_of`], the same values, but raw ranks are not sorted: each order
    /// statistic is selected among the ranks above the previous one (a few linear passes
    /// instead of a sort; the raw ranks are reordered, which changes nothing they count).
    pub(crate) fn quantiles_selecting(&mut self, n: u64, ps: &[f64]) -> Vec<f64> {
        if self.dense || self.sorted || n != self.raw.len() as u64 || ps.windows(2).any(|w| w[1] < w[0]) {
            return self.quantiles_of(n, ps);
        }
        let raw = &mut self.raw;
        quantiles_type7(n, ps, |want| {
            let mut from = 0usize;
            want.iter()
                .map(|&k| {
                    let k = k as usize;
                    let (_, x, _) = raw[from..].select_nth_unstable(k - from);
                    let x = f64::from(*x);
                    from = k + 1;
                    (k as u64, x)
                })
                .collect()
        })
    }

    /// Sort the raw ranks once, so that later quantiles need no copy.
    pub fn sort(&mut self) {
        if !self.dense && !self.sorted {
            self.raw.sort_unstable();
            self.sorted = true;
        }
    }

    /// Bytes held by the window (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u16>()
            + self.raw.capacity() * std::mem::size_of::<u32>()
            + self.carries.capacity() * std::mem::size_of::<(u32, u64)>()
    }
}

/// The `ps` quantiles (ascending, R type 7) of `n` ranks whose order statistics `find` gives:
/// it is asked for the 0-based positions it must return, ascending, as (position, rank).
fn quantiles_type7(n: u64, ps: &[f64], find: impl FnOnce(&[u64]) -> Vec<(u64, f64)>) -> Vec<f64> {
    if n == 0 {
        return vec![f64::NAN; ps.len()];
    }
    let pos: Vec<(f64, u64)> = ps
        .iter()
        .map(|&p| {
            let index = 1.0 + (n - 1) as f64 * p.clamp(0.0, 1.0);
            (index, index.floor() as u64 - 1)
        })
        .collect();
    let mut want: Vec<u64> = pos.iter().flat_map(|&(_, k)| [k, (k + 1).min(n - 1)]).collect();
    want.sort_unstable();
    want.dedup();
    let found = find(&want);
    let stat = |k: u64| found.iter().find(|&&(q, _)| q == k).map_or(f64::NAN, |&(_, x)| x);
    pos.iter()
        .map(|&(index, k)| {
            let a = stat(k);
            let lo = index.floor();
            if index > lo {
                let b = stat(k + 1);
                if b != a {
                    let h = index - lo;
                    return (1.0 - h) * a + h * b;
                }
            }
            a
        })
        .collect()
}

/// How a chunk of runs stores its ranks until they are recorded: `u16` when every rank
/// fits (fewer than 2¹⁶ units), which halves the memory the ranks pass through, else `u32`.
pub(crate) trait RankCell: Copy + Send + Sync + 'static {
    /// A zeroed buffer of `len` cells.
    fn zeros(len: usize) -> crate::error::Result<Vec<Self>>;
    fn get(self) -> u32;
    /// Let `f` write a run's `u32` ranks, and store them in `dst` (`row` is spare room).
    fn store<T>(dst: &mut [Self], row: &mut Vec<u32>, f: impl FnOnce(&mut [u32]) -> T) -> T;
}

impl RankCell for u32 {
    fn zeros(len: usize) -> crate::error::Result<Vec<Self>> {
        crate::kernels::alloc::huge_zeros(len)
    }
    fn get(self) -> u32 {
        self
    }
    fn store<T>(dst: &mut [Self], _: &mut Vec<u32>, f: impl FnOnce(&mut [u32]) -> T) -> T {
        // ranked straight into the chunk's buffer, which the ranker writes at random: lines
        // not in cache would each hold up its stores
        crate::kernels::prefetch::prefetch_all(dst);
        f(dst)
    }
}

impl RankCell for u16 {
    fn zeros(len: usize) -> crate::error::Result<Vec<Self>> {
        crate::kernels::alloc::huge_zeros(len)
    }
    fn get(self) -> u32 {
        u32::from(self)
    }
    fn store<T>(dst: &mut [Self], row: &mut Vec<u32>, f: impl FnOnce(&mut [u32]) -> T) -> T {
        row.resize(dst.len(), 0);
        let out = f(row);
        for (d, &r) in dst.iter_mut().zip(row.iter()) {
            // chosen only when every rank (at most the number of units) fits
            debug_assert!(r <= u32::from(u16::MAX));
            *d = r as u16;
        }
        out
    }
}

/// Units recorded together by [`record_block`].
pub(crate) const BLOCK: usize = 16;
/// Runs transposed at a time by [`record_block`].
const PASS: usize = 128;
/// Runs ahead whose ranks [`record_block`] prefetches.
const AHEAD: usize = 32;
/// Units whose increments are interleaved by [`record_block`].
const LANES: usize = 4;

/// Record many runs' ranks for a block of at most [`BLOCK`] units: `ranks` holds runs of
/// `stride` ranks each, and run `i`'s ranks of the units of `hs` are `ranks[i · stride + at ..]`,
/// in order; `nominal` are their nominal ranks.
///
/// Ranks are stored run by run, but a histogram window is updated unit by unit. Taking
/// each run's ranks as they come spreads the increments over the windows of the whole
/// block (tens of KB with the stream of ranks) and they fall out of L1. So the ranks of
/// [`PASS`] runs are first transposed into a small buffer, then recorded [`LANES`] units
/// at a time: a few windows at once stay in L1, and a unit whose rank repeats does not
/// wait on its own previous increment. The runs' rows are megabytes apart in all, one
/// page apart each, which the hardware prefetcher does not follow: they are prefetched
/// [`AHEAD`] runs ahead.
pub(crate) fn record_block<R: RankCell>(hs: &mut [RankHistogram], nominal: &[u32], ranks: &[R], stride: usize, at: usize) {
    assert!(
        hs.len() <= BLOCK && nominal.len() == hs.len(),
        "record_block: a block of {} units",
        hs.len()
    );
    assert!(at + hs.len() <= stride, "record_block: units {at}.. past a run of {stride}");
    let runs = ranks.len() / stride;
    let mut buf = [[0u32; PASS]; BLOCK];
    for first in (0..runs).step_by(PASS) {
        let k = PASS.min(runs - first);
        for (j, i) in (first..first + k).enumerate() {
            prefetch(ranks, (i + AHEAD) * stride + at);
            let row = &ranks[i * stride + at..][..hs.len()];
            for (col, &r) in buf.iter_mut().zip(row) {
                col[j] = r.get();
            }
        }
        for ((hl, cols), nl) in hs.chunks_mut(LANES).zip(buf.chunks(LANES)).zip(nominal.chunks(LANES)) {
            if hl.iter().any(|h| !h.dense) {
                // raw ranks: appended a unit at a time
                for ((h, c), &n) in hl.iter_mut().zip(cols).zip(nl) {
                    h.add_many(&c[..k], n);
                }
            } else if let ([h0, h1, h2, h3], [c0, c1, c2, c3], [n0, n1, n2, n3]) = (&mut *hl, cols, nl) {
                for i in 0..k {
                    h0.add(c0[i], *n0);
                    h1.add(c1[i], *n1);
                    h2.add(c2[i], *n2);
                    h3.add(c3[i], *n3);
                }
            } else {
                for ((h, c), &n) in hl.iter_mut().zip(cols).zip(nl) {
                    c[..k].iter().for_each(|&r| h.add(r, n));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type7(mut v: Vec<f64>, p: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        let h = (v.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(v.len() - 1);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    }

    #[test]
    fn matches_sorted_quantiles() {
        let ranks = [5u32, 3, 9, 3, 4, 12, 7, 5, 5, 1, 8];
        let mut h = RankHistogram::default();
        for &r in &ranks {
            h.add(r, 5);
        }
        h.add(0, 5);
        let v: Vec<f64> = ranks.iter().map(|&r| f64::from(r)).collect();
        for p in [0.0, 0.05, 0.25, 0.5, 0.9, 0.95, 1.0] {
            assert!((h.quantile(p) - type7(v.clone(), p)).abs() < 1e-12, "p = {p}");
        }
        assert_eq!(h.count(), 11);
        assert_eq!(h.missing(), 1);
        assert!((h.mean() - v.iter().sum::<f64>() / 11.0).abs() < 1e-12);
        let shift: f64 = v.iter().map(|r| (r - 5.0).abs()).sum::<f64>() / 11.0;
        assert!((h.mean_abs_shift() - shift).abs() < 1e-12);
    }

    proptest::proptest! {
        /// Recording a block of units over many runs at once equals adding rank by rank
        /// (blocks that are not a multiple of the lanes, runs across several passes).
        #[test]
        fn record_block_equals_adding_one_by_one(
            units in 1usize..=BLOCK,
            runs in 0usize..300,
            at in 0usize..5,
            extra in 0usize..7,
            seed in 0u64..1000,
        ) {
            let stride = at + units + extra;
            let ranks: Vec<u32> = (0..runs * stride)
                .map(|i| ((i as u64 * 2_654_435_761 + seed * 97) % 61) as u32) // 0 = missing
                .collect();
            let nominal: Vec<u32> = (0..units as u32).map(|u| 1 + u * 3).collect();
            let mut block = vec![RankHistogram::default(); units];
            record_block(&mut block, &nominal, &ranks, stride, at);
            for (u, h) in block.iter().enumerate() {
                let mut one = RankHistogram::default();
                for run in ranks.chunks_exact(stride) {
                    one.add(run[at + u], nominal[u]);
                }
                proptest::prop_assert_eq!(h.count(), one.count());
                proptest::prop_assert_eq!(h.missing(), one.missing());
                // NaN (never ranked) compares equal through its debug text
                let ps = [0.05, 0.5, 0.95];
                proptest::prop_assert_eq!(format!("{:?}", h.moments()), format!("{:?}", one.moments()));
                proptest::prop_assert_eq!(format!("{:?}", h.quantiles(&ps)), format!("{:?}", one.quantiles(&ps)));
            }
        }
    }

    proptest::proptest! {
        /// Wide spans, few runs (raw ranks appended in blocks, some missing): the same counts
        /// as adding rank by rank, and the selected quantiles equal those of the sorted ranks.
        #[test]
        fn raw_blocks_equal_adding_one_by_one(
            units in 1usize..=BLOCK,
            runs in 0usize..400,
            span in 1u32..100_000,
            missing in proptest::bool::ANY,
            seed in 0u64..1000,
        ) {
            let ranks: Vec<u32> = (0..runs * units)
                .map(|i| {
                    let x = (i as u64 * 2_654_435_761 + seed * 97) % (u64::from(span) + u64::from(missing));
                    x as u32 // 0 = missing only when `missing`
                })
                .map(|r| if missing { r } else { r + 1 })
                .collect();
            let nominal: Vec<u32> = (0..units as u32).map(|u| 1 + u * 3).collect();
            let mut block = vec![RankHistogram::default(); units];
            record_block(&mut block, &nominal, &ranks, units, 0);
            let ps = [0.0, 0.05, 0.5, 0.95, 1.0];
            for (u, h) in block.iter_mut().enumerate() {
                let mut one = RankHistogram::default();
                let mut mine: Vec<f64> = Vec::new();
                for run in ranks.chunks_exact(units) {
                    one.add(run[u], nominal[u]);
                    if run[u] > 0 {
                        mine.push(f64::from(run[u]));
                    }
                }
                proptest::prop_assert_eq!(h.count(), one.count());
                proptest::prop_assert_eq!(h.missing(), one.missing());
                proptest::prop_assert_eq!(format!("{:?}", h.moments()), format!("{:?}", one.moments()));
                let n = h.count();
                let selected = h.quantiles_selecting(n, &ps);
                proptest::prop_assert_eq!(format!("{:?}", &selected), format!("{:?}", one.quantiles(&ps)));
                if !mine.is_empty() {
                    for (&q, &p) in selected.iter().zip(&ps) {
                        proptest::prop_assert!((q - type7(mine.clone(), p)).abs() <= 1e-9 * q.abs().max(1.0));
                    }
                }
            }
        }
    }

    #[test]
    fn raw_and_dense_agree() {
        // many runs over a narrow span (dense) and few runs over a wide span (raw)
        let mut dense = RankHistogram::default();
        let mut v = Vec::new();
        for i in 0..500u32 {
            let r = 40 + (i * 7919) % 23;
            dense.add(r, 45);
            v.push(f64::from(r));
        }
        assert!(dense.dense);
        let mut raw = RankHistogram::default();
        let mut w = Vec::new();
        for i in 0..50u32 {
            let r = 1 + (i * 7919) % 100_000;
            raw.add(r, 10);
            w.push(f64::from(r));
        }
        assert!(!raw.dense);
        let before: Vec<f64> = [0.0, 0.05, 0.5, 0.95, 1.0].iter().map(|&p| raw.quantile(p)).collect();
        raw.sort();
        for (k, p) in [0.0, 0.05, 0.5, 0.95, 1.0].into_iter().enumerate() {
            assert!((dense.quantile(p) - type7(v.clone(), p)).abs() < 1e-9);
            assert!((raw.quantile(p) - type7(w.clone(), p)).abs() < 1e-9);
            assert_eq!(raw.quantile(p), before[k]);
        }
        raw.add(7, 10);
        w.push(7.0);
        assert!((raw.quantile(0.5) - type7(w.clone(), 0.5)).abs() < 1e-9, "adding after sorting");
    }

    #[test]
    fn counts_past_sixteen_bits_carry() {
        // 200,000 runs over three ranks: every window count wraps at least twice
        let mut h = RankHistogram::default();
        let mut want = [0u64; 3];
        for i in 0..200_000u32 {
            let r = 7 + (i * 7) % 10 / 4; // ranks 7, 8, 9 in unequal shares
            want[(r - 7) as usize] += 1;
            h.add(r, 8);
        }
        assert!(h.dense && !h.carries.is_empty());
        assert_eq!(h.count(), 200_000);
        let mean = (7 * want[0] + 8 * want[1] + 9 * want[2]) as f64 / 200_000.0;
        assert!((h.mean() - mean).abs() < 1e-12);
        assert!((h.mean_abs_shift() - (want[0] + want[2]) as f64 / 200_000.0).abs() < 1e-12);
        // the median is the rank holding the 100,000th run
        let med = if want[0] > 100_000 {
            7.0
        } else if want[0] + want[1] > 100_000 {
            8.0
        } else {
            9.0
        };
        assert_eq!(h.quantile(0.5), med);
        assert_eq!(h.quantile(0.0), 7.0);
        assert_eq!(h.quantile(1.0), 9.0);
    }

    #[test]
    fn one_walk_summaries_equal_the_single_ones() {
        let mut h = RankHistogram::default();
        for i in 0..5000u32 {
            h.add(3 + (i * 7919) % 211 + (i % 3) * (i % 5), 40);
        }
        assert!(h.dense);
        let ps = [0.0, 0.05, 0.5, 0.95, 1.0];
        let one: Vec<f64> = ps.iter().map(|&p| h.quantile(p)).collect();
        assert_eq!(h.quantiles(&ps), one);
        let ranks: Vec<u32> = (0..5000u32).map(|i| 3 + (i * 7919) % 211 + (i % 3) * (i % 5)).collect();
        let mean = ranks.iter().map(|&r| f64::from(r)).sum::<f64>() / 5000.0;
        let shift = ranks.iter().map(|&r| f64::from(r.abs_diff(40))).sum::<f64>() / 5000.0;
        let (n, m, d) = h.moments();
        assert_eq!(n, h.count());
        assert!((m - mean).abs() < 1e-9 && (d - shift).abs() < 1e-9, "{m} {d} vs {mean} {shift}");
        assert!(RankHistogram::default().quantiles(&[0.5])[0].is_nan());
    }

    #[test]
    fn empty_is_nan() {
        let h = RankHistogram::default();
        assert!(h.quantile(0.5).is_nan() && h.mean().is_nan());
    }
}
