//! Natural logarithm and exponential over whole slices, vectorised.
//!
//! The uncertainty engine takes millions of logarithms per analysis (a geometric mean of
//! `k` children costs `k` of them per unit and run), and glibc's `log` / `exp` are scalar
//! calls. These kernels evaluate fdlibm's algorithms (both below 1 ulp) lane by lane,
//! without branches or tables, so that the compiler vectorises them; they are compiled for
//! AVX-512, AVX2 and the baseline, and the best one the CPU has is chosen at run time
//! (`multiversion`: no vectorised `f64` log exists in a well-kept crate on stable Rust).
//! Rust never fuses `a · b + c` into one rounding, so every target gives the same bits.
//!
//! **ln** — with `x = 2ᵏ · m`, `m ∈ [√½, √2)`, `f = m − 1`, `s = f / (2 + f)`:
//! `ln x = k·ln2_hi + (f − ½f² + s·(½f² + R(s²)) + k·ln2_lo)`, `R` fdlibm's degree-14
//! even polynomial.
//!
//! **exp** — with `k = round(x / ln 2)`, `r = x − k·ln 2` (in two parts) and
//! `c = r − r²·P(r²)`: `eˣ = 2ᵏ · (1 + r + r·c / (2 − c))`, `P` fdlibm's degree-5
//! polynomial.
//!
//! Inputs outside the kernels' range (ln: not a positive normal number; exp: |x| > 708 or
//! NaN) are evaluated by `f64::ln` / `f64::exp` instead, so every input has the standard
//! library's special-case result (NaN, ±∞, 0).
//!
//! **Approximate ln** ([`axpy_ln_approx`], for ranking only) — the same reduction, then
//! `ln x ≈ k·ln 2 + f·Q(f)` with `Q` the degree-8 polynomial interpolating `ln(1 + f)/f` at
//! the Chebyshev nodes of `[√½ − 1, √2 − 1]`: no division, and within
//! [`LN_APPROX_ERROR`] of [`ln`]. Its users rank by it and resolve near-ties exactly.

// fdlibm's constants are kept as published (more digits than an f64 holds)
#![allow(clippy::excessive_precision)]

use multiversion::multiversion;

const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const LG1: f64 = 6.666_666_666_666_735_130e-1;
const LG2: f64 = 3.999_999_999_940_941_908e-1;
const LG3: f64 = 2.857_142_874_366_239_149e-1;
const LG4: f64 = 2.222_219_843_214_978_396e-1;
const LG5: f64 = 1.818_357_216_161_805_012e-1;
const LG6: f64 = 1.531_383_769_920_937_332e-1;
const LG7: f64 = 1.479_819_860_511_658_591e-1;
const INV_LN2: f64 = std::f64::consts::LOG2_E;
const P1: f64 = 1.666_666_666_666_660_190_37e-1;
const P2: f64 = -2.777_777_777_701_559_338_42e-3;
const P3: f64 = 6.613_756_321_437_934_361_17e-5;
const P4: f64 = -1.653_390_220_546_525_153_90e-6;
const P5: f64 = 4.138_136_797_057_238_460_39e-8;
/// Adding 1.5 · 2⁵² rounds to an integer held in the low mantissa bits.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// Bits of √½ rounded to its high word: the split point of the mantissa range.
const SQRT_HALF_HI: u64 = 0x3fe6_a09e_0000_0000;
/// Largest |x| the exp kernel takes (2ᵏ stays a normal number).
const EXP_LIMIT: f64 = 708.0;

/// Bound on `|ln~(x) − ln(x)|` for the approximation of [`axpy_ln_approx`] on positive
/// normal numbers (the interpolation error is 1.04e-8; the rest covers rounding, ≤ 1e-12).
pub(crate) const LN_APPROX_ERROR: f64 = 2e-8;

/// `Q`'s coefficients, constant term first.
const LN_APPROX: [f64; 9] = [
    0.999_999_974_131_067_6,
    -0.499_999_963_821_240_6,
    0.333_341_932_861_351_9,
    -0.250_013_521_854_883,
    0.199_559_333_583_923_9,
    -0.165_779_928_969_867_65,
    0.149_774_012_802_399_21,
    -0.142_692_582_051_374_8,
    0.085_333_130_817_469_54,
];

/// One function evaluated lane by lane: the branch-free kernel, the inputs it covers, and the
/// standard library's function for the others.
trait Lane {
    fn kernel(x: f64) -> f64;
    fn in_range(x: f64) -> bool;
    fn exact(x: f64) -> f64;
}

struct Ln;
struct Exp;

impl Lane for Ln {
    #[inline(always)]
    fn kernel(x: f64) -> f64 {
        let (k, f) = reduce_ln(x);
        let hfsq = 0.5 * f * f;
        let s = f / (2.0 + f);
        let z = s * s;
        let w = z * z;
        let t1 = w * (LG2 + w * (LG4 + w * LG6));
        let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        s * (hfsq + (t2 + t1)) + k * LN2_LO - hfsq + f + k * LN2_HI
    }

    #[inline(always)]
    fn in_range(x: f64) -> bool {
        (f64::MIN_POSITIVE..=f64::MAX).contains(&x)
    }

    fn exact(x: f64) -> f64 {
        x.ln()
    }
}

impl Lane for Exp {
    #[inline(always)]
    fn kernel(x: f64) -> f64 {
        let t = x * INV_LN2 + ROUND;
        let k = t - ROUND;
        let hi = x - k * LN2_HI;
        let lo = k * LN2_LO;
        let r = hi - lo;
        let rr = r * r;
        let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
        let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
        // the low bits of t hold k; (k + 1023) << 52 is 2ᵏ
        y * f64::from_bits(t.to_bits().wrapping_add(1023) << 52)
    }

    #[inline(always)]
    fn in_range(x: f64) -> bool {
        x.abs() <= EXP_LIMIT
    }

    fn exact(x: f64) -> f64 {
        x.exp()
    }
}

/// `x = 2ᵏ · m` with `m ∈ [√½, √2)`: returns `(k, m − 1)` (as `Ln::kernel`).
#[inline(always)]
fn reduce_ln(x: f64) -> (f64, f64) {
    let ix = x.to_bits().wrapping_sub(SQRT_HALF_HI);
    // k + 1024 without a signed shift or an integer-to-float conversion (none in AVX2)
    let k_biased = ix.wrapping_add(1024 << 52) >> 52;
    let k = f64::from_bits(0x4330_0000_0000_0000 | k_biased) - (4_503_599_627_370_496.0 + 1024.0);
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff) + SQRT_HALF_HI);
    (k, m - 1.0)
}

/// `a · b + c`, in one rounding where the target has FMA (`fma`: the multiversioned
/// caller's target has it), else two: results may differ in their last bits between targets.
#[inline(always)]
pub(crate) fn madd(a: f64, b: f64, c: f64, fma: bool) -> f64 {
    if fma {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// `ln~(x)`, within [`LN_APPROX_ERROR`] of `ln x` for a positive normal `x`.
#[inline(always)]
fn ln_approx(x: f64, fma: bool) -> f64 {
    let (k, f) = reduce_ln(x);
    let mut q = LN_APPROX[8];
    for &c in LN_APPROX[..8].iter().rev() {
        q = madd(q, f, c, fma);
    }
    madd(k, std::f64::consts::LN_2, f * q, fma)
}

/// `y[i] += a · ln~(f(x[i]))` with the division-free approximation `ln~` (within
/// [`LN_APPROX_ERROR`] of `ln`) of each value mapped by `f` (a rescaling, say, or the
/// identity); returns whether some mapped value is not a positive normal number (its term
/// is then meaningless).
///
/// # Panics
/// If the lengths differ.
#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub(crate) fn axpy_ln_approx(y: &mut [f64], a: f64, x: &[f64], f: impl Fn(f64) -> f64) -> bool {
    assert_eq!(y.len(), x.len(), "axpy_ln_approx: lengths differ");
    let fma = multiversion::target::selected_target!().supports_feature_str("fma");
    let mut special = false;
    for (o, &v) in y.iter_mut().zip(x) {
        let v = f(v);
        special |= !Ln::in_range(v);
        *o = madd(a, ln_approx(v, fma), *o, fma);
    }
    special
}

/// `ln x`, bit for bit as [`ln_into`] gives it.
pub(crate) fn ln(x: f64) -> f64 {
    if Ln::in_range(x) {
        Ln::kernel(x)
    } else {
        Ln::exact(x)
    }
}

/// `eˣ`, bit for bit as [`exp_in_place`] gives it.
pub(crate) fn exp(x: f64) -> f64 {
    if Exp::in_range(x) {
        Exp::kernel(x)
    } else {
        Exp::exact(x)
    }
}

/// `out[i] = L(x[i])` by the kernel; returns whether some input was outside its range.
#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
fn kernel_block<L: Lane>(out: &mut [f64], x: &[f64]) -> bool {
    let mut special = false;
    for (o, &v) in out.iter_mut().zip(x) {
        special |= !L::in_range(v);
        *o = L::kernel(v);
    }
    special
}

/// `out[i] = L(x[i])`, inputs outside the kernel's range by the standard library.
fn map_into<L: Lane>(out: &mut [f64], x: &[f64]) {
    assert_eq!(out.len(), x.len(), "input and output lengths differ");
    if kernel_block::<L>(out, x) {
        for (o, &v) in out.iter_mut().zip(x) {
            if !L::in_range(v) {
                *o = L::exact(v);
            }
        }
    }
}

/// Inputs per block of the in-place form (kept on the stack for the special-case pass).
const BLOCK: usize = 512;

fn map_in_place<L: Lane>(x: &mut [f64]) {
    let mut copy = [0.0; BLOCK];
    for chunk in x.chunks_mut(BLOCK) {
        let orig = &mut copy[..chunk.len()];
        orig.copy_from_slice(chunk);
        map_into::<L>(chunk, orig);
    }
}

/// Replace every value by its natural logarithm (as `f64::ln`, within 1 ulp).
pub(crate) fn ln_in_place(x: &mut [f64]) {
    map_in_place::<Ln>(x);
}

/// `out[i] = ln(x[i])` (as `f64::ln`, within 1 ulp).
///
/// # Panics
/// If the lengths differ.
pub(crate) fn ln_into(out: &mut [f64], x: &[f64]) {
    map_into::<Ln>(out, x);
}

/// Replace every value by its exponential (as `f64::exp`, within 1 ulp).
pub(crate) fn exp_in_place(x: &mut [f64]) {
    map_in_place::<Exp>(x);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::{RngCore, SeedableRng};

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a} vs {b}");
        a.to_bits().abs_diff(b.to_bits())
    }

    /// Values spread over every binade and mantissa: random bit patterns of positive finite numbers.
    fn sample(n: usize, seed: u64, keep: impl Fn(f64) -> bool) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut v = Vec::with_capacity(n);
        while v.len() < n {
            let x = f64::from_bits(rng.next_u64() >> 1);
            if keep(x) {
                v.push(x);
            }
        }
        v
    }

    fn check(x: &[f64], f: fn(&mut [f64]), exact: fn(f64) -> f64) -> u64 {
        let mut y = x.to_vec();
        f(&mut y);
        x.iter().zip(&y).map(|(&v, &got)| ulps(got, exact(v))).max().unwrap_or(0)
    }

    #[test]
    fn ln_is_within_one_ulp_everywhere() {
        let all = sample(400_000, 1, |x| x.is_finite());
        assert!(check(&all, ln_in_place, f64::ln) <= 1);
        let mut out = vec![0.0; all.len()];
        ln_into(&mut out, &all);
        assert!(all.iter().zip(&out).all(|(&x, &y)| ulps(y, x.ln()) <= 1));
        // the ranges indices live in: (0, 200], and near 1 where ln is small
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut u = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let near: Vec<f64> = (0..200_000)
            .map(|i| if i % 2 == 0 { 200.0 * u() } else { 1.0 + (u() - 0.5) * 1e-3 })
            .collect();
        assert!(check(&near, ln_in_place, f64::ln) <= 1);
    }

    #[test]
    fn approximate_ln_is_within_its_bound_everywhere() {
        // every binade, then dense grids over the reduced interval's two halves and near 1
        let mut x = sample(400_000, 4, |x| x >= f64::MIN_POSITIVE && x.is_finite());
        x.extend((0..=200_000).map(|i| 0.70 + 0.72 * f64::from(i) / 200_000.0));
        x.extend((0..=200_000).map(|i| 1.0 + (f64::from(i) - 100_000.0) * 1e-12));
        x.extend([f64::MIN_POSITIVE, f64::MAX, 1.0, 2.0, 0.5, 100.0]);
        let mut y = vec![0.0; x.len()];
        assert!(!axpy_ln_approx(&mut y, 1.0, &x, |v| v));
        let worst = x.iter().zip(&y).map(|(&v, &l)| (l - ln(v)).abs()).fold(0.0, f64::max);
        assert!(worst <= LN_APPROX_ERROR, "worst error {worst:e}");
        assert!(worst > 1e-9, "the bound is meant to be tight-ish: {worst:e}");
        // the accumulation, and out-of-range inputs flagged
        let mut acc = vec![1.0; 3];
        assert!(!axpy_ln_approx(&mut acc, 2.0, &[1.0, std::f64::consts::E, 4.0], |v| v));
        assert!((acc[1] - 3.0).abs() < 1e-7 && acc[0] == 1.0);
        // the map applies before the logarithm, and its result is what is checked
        let mut m = vec![0.0; 2];
        assert!(!axpy_ln_approx(&mut m, 1.0, &[0.0, 1.0], |v| 1.0 + (std::f64::consts::E - 1.0) * v));
        assert!(m[0].abs() < 1e-7 && (m[1] - 1.0).abs() < 1e-7);
        assert!(axpy_ln_approx(&mut m, 1.0, &[1.0, 2.0], |v| v - 2.0));
        for bad in [0.0, -1.0, 1e-310, f64::INFINITY, f64::NAN] {
            assert!(axpy_ln_approx(&mut [0.0; 2], 1.0, &[1.0, bad], |v| v), "{bad}");
        }
    }

    #[test]
    fn scalar_forms_match_the_slice_forms_bit_for_bit() {
        let x = sample(20_000, 5, |x| x.is_finite());
        let mut l = vec![0.0; x.len()];
        ln_into(&mut l, &x);
        assert!(x.iter().zip(&l).all(|(&v, &y)| ln(v).to_bits() == y.to_bits()));
        let mut e: Vec<f64> = x.iter().map(|v| v.log2() / 2.0).collect();
        let want: Vec<f64> = e.iter().map(|&v| exp(v)).collect();
        exp_in_place(&mut e);
        assert!(e.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn exp_is_within_one_ulp_everywhere() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut u = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let x: Vec<f64> = (0..400_000)
            .map(|i| match i % 3 {
                0 => (u() - 0.5) * 1420.0,
                1 => (u() - 0.5) * 10.0,
                _ => (u() - 0.5) * 1e-9,
            })
            .collect();
        assert!(check(&x, exp_in_place, f64::exp) <= 1);
    }

    #[test]
    fn exact_points_and_special_values_match_the_standard_library() {
        let mut v = vec![1.0, 2.0, 0.5, std::f64::consts::E];
        ln_in_place(&mut v);
        assert_eq!(v[0], 0.0);
        assert_eq!(v[1], std::f64::consts::LN_2);
        assert_eq!(v[2], -std::f64::consts::LN_2);
        let specials = [
            0.0,
            -0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-310,
            f64::MIN_POSITIVE,
            f64::MAX,
            709.9,
            -745.0,
            -800.0,
            710.0,
        ];
        for f in [(ln_in_place as fn(&mut [f64]), f64::ln as fn(f64) -> f64), (exp_in_place, f64::exp)] {
            // between ordinary values, and across a block boundary
            let mut x: Vec<f64> = (0..BLOCK + 3).map(|i| 1.0 + i as f64 / 100.0).collect();
            let len = x.len();
            for (i, &s) in specials.iter().enumerate() {
                x[i * 41 % len] = s;
            }
            let want: Vec<f64> = x.iter().map(|&v| f.1(v)).collect();
            f.0(&mut x);
            for (a, b) in x.iter().zip(&want) {
                assert!(ulps(*a, *b) <= 1, "{a} vs {b}");
            }
        }
        let mut e = vec![0.0, 1.0];
        exp_in_place(&mut e);
        assert_eq!(e[0], 1.0);
        assert!(ulps(e[1], std::f64::consts::E) <= 1);
    }
}
