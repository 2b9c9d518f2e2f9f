//! Exact sums of floating-point numbers: Shewchuk's non-overlapping expansions, rounded
//! once at the end (the algorithm of Python's `math.fsum`).
//!
//! An [`ExactSum`] holds the exact real value of everything added to it as a list of
//! doubles `p₀, p₁, …, p_k` ("partials") with
//!
//! ```text
//! value = p₀ + p₁ + … + p_k          (exactly, in real arithmetic)
//! |p₀| < |p₁| < … < |p_k|,  the partials non-overlapping (no two share a bit position)
//! ```
//!
//! Adding a double `x` runs Knuth's error-free TwoSum `s = fl(a + b)`, `e = (a + b) − s`
//! (both exact: `e = b − (s − a)` when `|a| ≥ |b|`) against each partial in turn, keeping
//! every non-zero error term (Shewchuk 1997, "Adaptive precision floating-point
//! arithmetic", GROW-EXPANSION; Python's `msum`). Products are exact too: Dekker's TwoProduct
//! `a·b = p + e` with `p = fl(a·b)` and `e = fma(a, b, −p)`, both terms added.
//!
//! [`ExactSum::round`] returns the value correctly rounded to the nearest double (ties to
//! even), by summing the partials from the largest down and correcting a half-way case
//! (Python's `fsum`). The rounded value depends only on the exact value, never on the order
//! or grouping of the additions, so sums of row batches merged in any order and any tree
//! (`merge` is associative and commutative on the exact value) give identical bits.
//!
//! Limits: inputs must be finite and the exact value's partials must not overflow (|sum| and
//! |products| below ~1.8e308); a non-finite input is remembered and [`ExactSum::round`]
//! returns it (NaN for `+∞ + −∞`), so callers can report it.

use serde::{Deserialize, Serialize};

/// The exact sum of the doubles added to it (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Non-overlapping partials, increasing magnitude.
    partials: Vec<f64>,
    /// Sum of the non-finite inputs (0 if none), which poison the result.
    #[serde(default, skip_serializing_if = "is_zero")]
    special: f64,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl ExactSum {
    /// An empty sum (value 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `x` exactly.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        if x != 0.0 {
            self.partials.push(x);
        }
    }

    /// Add the product `a · b` exactly (TwoProduct: `fl(a·b)` and its rounding error).
    pub fn add_product(&mut self, a: f64, b: f64) {
        let p = a * b;
        if !p.is_finite() {
            self.add(p);
            return;
        }
        self.add(p);
        self.add(a.mul_add(b, -p));
    }

    /// Add another exact sum (exactly).
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        self.special += other.special;
    }

    /// `self · k` exactly, as a new sum.
    pub fn scaled(&self, k: f64) -> ExactSum {
        let mut out = ExactSum {
            partials: Vec::new(),
            special: self.special * k,
        };
        for &p in &self.partials {
            out.add_product(p, k);
        }
        out
    }

    /// `self · other` exactly, as a new sum (every pair of partials by TwoProduct).
    pub fn product(&self, other: &ExactSum) -> ExactSum {
        let mut out = ExactSum {
            partials: Vec::new(),
            special: self.special * other.round() + other.special * self.round(),
        };
        for &a in &self.partials {
            for &b in &other.partials {
                out.add_product(a, b);
            }
        }
        out
    }

    /// `self − other` exactly, as a new sum.
    pub fn minus(&self, other: &ExactSum) -> ExactSum {
        let mut out = self.clone();
        for &p in &other.partials {
            out.add(-p);
        }
        out.special -= other.special;
        out
    }

    /// The exact value rounded to the nearest double, ties to even (`math.fsum`).
    pub fn round(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Half-way case: the rest has the sign of `lo`, so round away from `hi` if `lo` is
        // exactly half an ulp (then `hi + 2·lo` is exactly representable only in that case).
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }

    /// Whether a non-finite value was added.
    pub fn is_finite(&self) -> bool {
        self.special == 0.0
    }
}

/// A fast exact accumulator for one batch of values (a Kulisch accumulator): every finite
/// double is an integer `m < 2⁵³` times `2^q` (`q ≥ −1074`), added as three 32-bit chunks into
/// signed 64-bit limbs that each stand for 32 bit positions of one fixed-point number
/// covering the whole double range. Each addition touches three limbs (no loop over
/// partials, no branches on the data), so summing a column costs a few nanoseconds a value;
/// [`FixedSum::into_exact`] hands the exact value to an [`ExactSum`] once per batch.
///
/// ```text
/// x = ±m · 2^q,  p = q + 1074 ∈ [0, 2045],  m · 2^(p mod 32) = c₀ + c₁·2³² + c₂·2⁶⁴
/// limb[p / 32 + i] += ±cᵢ          value = Σ_k limb[k] · 2^(32k − 1074)
/// ```
///
/// A limb gains less than 2³² per addition; carries are pushed up every 2³⁰ additions, so no
/// limb overflows. Non-finite values are kept apart, as by [`ExactSum`].
#[derive(Debug, Clone)]
pub(crate) struct FixedSum {
    limbs: [i64; LIMBS],
    /// Additions since the carries were last pushed up.
    pending: u32,
    /// Sum of the non-finite inputs.
    special: f64,
}

const LIMBS: usize = 67;

impl Default for FixedSum {
    fn default() -> Self {
        FixedSum {
            limbs: [0; LIMBS],
            pending: 0,
            special: 0.0,
        }
    }
}

/// `2^e` for `e` in the double range (subnormal powers included).
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

impl FixedSum {
    /// Add `x` exactly.
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let bits = x.to_bits();
        let field = ((bits >> 52) & 0x7ff) as usize;
        let frac = bits & ((1u64 << 52) - 1);
        let (m, p) = if field == 0 { (frac, 0) } else { (frac | (1u64 << 52), field - 1) };
        let v = u128::from(m) << (p % 32);
        let k = p / 32;
        let chunks = [(v & 0xFFFF_FFFF) as i64, ((v >> 32) & 0xFFFF_FFFF) as i64, (v >> 64) as i64];
        if bits >> 63 == 0 {
            for (i, c) in chunks.into_iter().enumerate() {
                self.limbs[k + i] += c;
            }
        } else {
            for (i, c) in chunks.into_iter().enumerate() {
                self.limbs[k + i] -= c;
            }
        }
        self.pending += 1;
        if self.pending == 1 << 30 {
            self.carry();
        }
    }

    /// Push each limb's bits above 32 into the next limb (the value is unchanged), rounding
    /// the carry toward zero: a small negative limb stays as it is instead of borrowing from
    /// every limb above it.
    fn carry(&mut self) {
        for k in 0..LIMBS - 1 {
            let c = self.limbs[k] / (1 << 32);
            self.limbs[k] -= c << 32;
            self.limbs[k + 1] += c;
        }
        self.pending = 0;
    }

    /// Add the exact value to `out`: each limb as two doubles of at most 32 significant
    /// bits, each exactly representable.
    pub(crate) fn into_exact(self, out: &mut ExactSum) {
        for (k, &l) in self.limbs.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let e = 32 * k as i32 - 1074;
            // magnitude split (a negative top limb must not borrow a power beyond the range)
            let sign = if l < 0 { -1.0 } else { 1.0 };
            let a = l.unsigned_abs();
            let (hi, lo) = ((a >> 32) as f64, (a & 0xFFFF_FFFF) as f64);
            if lo != 0.0 {
                out.add(sign * lo * pow2(e));
            }
            if hi != 0.0 {
                let e = e + 32;
                // a power above the range: the value itself is beyond it (∞, as a plain sum)
                out.add(sign * if e > 1023 { hi * pow2(e - 64) * pow2(64) } else { hi * pow2(e) });
            }
        }
        if self.special != 0.0 || self.special.is_nan() {
            out.add(self.special);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)]
    use super::*;
    use proptest::prelude::*;

    fn sum_of(xs: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        xs.iter().for_each(|&x| s.add(x));
        s.round()
    }

    #[test]
    fn cancellation_that_naive_sums_lose() {
        // Naive left-to-right summation gives 0 here; the exact sum is 2.
        let xs = [1e100, 1.0, -1e100, 1.0];
        assert_eq!(xs.iter().sum::<f64>(), 1.0);
        assert_eq!(sum_of(&xs), 2.0);
        assert_eq!(sum_of(&[0.1; 10]), 1.0);
        assert_eq!(sum_of(&[]), 0.0);
        // Python: math.fsum([1e16, 1.0, 1e-16]) == 1.0000000000000002e16
        assert_eq!(sum_of(&[1e16, 1.0, 1e-16]), 10000000000000002.0);
    }

    #[test]
    fn half_way_rounds_to_even() {
        // 2^53 + 1 is half-way between 2^53 and 2^53 + 2: ties to even → 2^53.
        let two53 = 9007199254740992.0;
        assert_eq!(sum_of(&[two53, 1.0]), two53);
        // ... but a tiny extra pushes it up.
        assert_eq!(sum_of(&[two53, 1.0, 1e-30]), two53 + 2.0);
        // 2^53 + 3 is half-way between +2 and +4: ties to even → +4.
        assert_eq!(sum_of(&[two53, 3.0]), two53 + 4.0);
    }

    #[test]
    fn products_are_exact() {
        // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60: the last term is lost by a plain product.
        let a = 1.0 + 2f64.powi(-30);
        let mut s = ExactSum::new();
        s.add_product(a, a);
        s.add(-1.0);
        s.add(-(2f64.powi(-29)));
        assert_eq!(s.round(), 2f64.powi(-60));
        // (sum)² against the exact square of a two-term sum: (1 + 2^-60)² − 1 − 2^-59 = 2^-120
        let mut t = ExactSum::new();
        t.add(1.0);
        t.add(2f64.powi(-60));
        let mut sq = t.product(&t);
        sq.add(-1.0);
        sq.add(-(2f64.powi(-59)));
        assert_eq!(sq.round(), 2f64.powi(-120));
        assert_eq!(t.scaled(3.0).minus(&t).round(), t.scaled(2.0).round());
    }

    #[test]
    fn non_finite_inputs_poison_the_sum() {
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(f64::INFINITY);
        assert!(!s.is_finite());
        assert_eq!(s.round(), f64::INFINITY);
        s.add(f64::NEG_INFINITY);
        assert!(s.round().is_nan());
    }

    fn fixed_of(xs: &[f64]) -> f64 {
        let mut f = FixedSum::default();
        xs.iter().for_each(|&x| f.add(x));
        let mut s = ExactSum::new();
        f.into_exact(&mut s);
        s.round()
    }

    #[test]
    fn fixed_sum_equals_the_expansion() {
        let tiny = f64::from_bits(1); // the smallest subnormal
        for xs in [
            vec![1e100, 1.0, -1e100, 1.0],
            vec![0.1; 10],
            vec![],
            vec![1e16, 1.0, 1e-16],
            vec![tiny, tiny, -tiny, 3.0 * tiny, f64::MIN_POSITIVE, -0.0],
            vec![f64::MAX, -f64::MAX, 1.5, f64::MAX / 2.0, -f64::MAX / 2.0],
            vec![-f64::MAX, 1.0],
            vec![-f64::MAX / 3.0, -1e300, 7.0],
            vec![9007199254740992.0, 1.0, 1e-30],
        ] {
            assert_eq!(fixed_of(&xs).to_bits(), sum_of(&xs).to_bits(), "{xs:?}");
        }
        // carries pushed up many times over: 3·2³⁰ + 5 additions of the largest chunk pattern
        let mut f = FixedSum {
            pending: (1 << 30) - 2,
            ..FixedSum::default()
        };
        (0..5).for_each(|_| f.add(-4294967295.0 * 2f64.powi(31)));
        let mut s = ExactSum::new();
        f.into_exact(&mut s);
        assert_eq!(s.round(), -5.0 * 4294967295.0 * 2f64.powi(31));
        let mut g = FixedSum::default();
        g.add(f64::INFINITY);
        let mut s = ExactSum::new();
        g.into_exact(&mut s);
        assert!(!s.is_finite());
    }

    proptest! {
        /// Any split into batches, merged in any order, gives the same bits as one batch,
        /// and that equals an independent exact reference (i128 fixed point on integers
        /// scaled by 2^-20, where every sum is exact).
        #[test]
        fn partitioning_and_order_never_change_the_bits(
            ints in proptest::collection::vec(-(1i64 << 40)..(1i64 << 40), 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            scale_exp in -60i32..60,
            seed in any::<u64>(),
        ) {
            let scale = 2f64.powi(scale_exp);
            let xs: Vec<f64> = ints.iter().map(|&i| i as f64 * scale).collect();
            let whole = sum_of(&xs);
            let reference = ints.iter().map(|&i| i128::from(i)).sum::<i128>() as f64 * scale;
            prop_assert_eq!(whole, reference);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(xs.len())).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut start = 0;
            for c in cuts.into_iter().chain(std::iter::once(xs.len())) {
                let mut s = ExactSum::new();
                xs[start..c].iter().for_each(|&x| s.add(x));
                parts.push(s);
                start = c;
            }
            // A deterministic shuffle of the merge order.
            let mut order: Vec<usize> = (0..parts.len()).collect();
            let mut r = seed;
            for i in (1..order.len()).rev() {
                r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (r >> 33) as usize % (i + 1));
            }
            let mut merged = ExactSum::new();
            for k in order {
                merged.merge(&parts[k]);
            }
            prop_assert_eq!(merged.round().to_bits(), whole.to_bits());
        }

        /// The fixed-point accumulator holds the same exact value as the expansion, for
        /// doubles of any exponent, sign and cancellation.
        #[test]
        fn fixed_sum_is_exact(
            mant in proptest::collection::vec(-(1i64 << 53)..(1i64 << 53), 0..120),
            exps in proptest::collection::vec(-1074i32..970, 0..120),
        ) {
            let xs: Vec<f64> = mant.iter().zip(&exps).map(|(&m, &e)| m as f64 * pow2(e.max(-1074 + 53) - 53)).collect();
            prop_assert_eq!(fixed_of(&xs).to_bits(), sum_of(&xs).to_bits());
            let squares: Vec<f64> = xs.iter().map(|x| x * 1e-3).collect();
            prop_assert_eq!(fixed_of(&squares).to_bits(), sum_of(&squares).to_bits());
        }

        /// Arbitrary doubles (wide exponent range): merged batches give the bits of one batch.
        #[test]
        fn wide_range_merge(xs in proptest::collection::vec(-1e30f64..1e30, 0..100), cut in 0usize..100) {
            let cut = cut.min(xs.len());
            let mut a = ExactSum::new();
            let mut b = ExactSum::new();
            xs[..cut].iter().for_each(|&x| a.add(x));
            xs[cut..].iter().for_each(|&x| b.add(x));
            let mut ab = a.clone();
            ab.merge(&b);
            let mut ba = b.clone();
            ba.merge(&a);
            prop_assert_eq!(ab.round().to_bits(), sum_of(&xs).to_bits());
            prop_assert_eq!(ba.round().to_bits(), sum_of(&xs).to_bits());
        }
    }
}
