//! Seeded random numbers: every replicate's generator derives from (seed, replicate index).
//!
//! ```text
//! generator(seed, r) = ChaCha8(key = seed, stream = r)
//! ```
//! ChaCha's 64-bit stream id gives 2⁶⁴ independent sequences per seed, so replicate `r`
//! draws the same numbers whichever thread computes it and however the runs are chunked.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The generator of replicate `r` under `seed`.
pub fn replicate_rng(seed: u64, r: u64) -> ChaCha8Rng {
    let mut g = ChaCha8Rng::seed_from_u64(seed);
    g.set_stream(r);
    g
}

/// A uniform number in [0, 1) with 53 random bits.
#[inline]
pub fn uniform(g: &mut ChaCha8Rng) -> f64 {
    (g.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform choice among `k` options (k ≥ 1), unbiased by rejection.
#[inline]
pub fn choice(g: &mut ChaCha8Rng, k: usize) -> usize {
    if k <= 1 {
        return 0;
    }
    let k = k as u64;
    let zone = u64::MAX - (u64::MAX % k);
    loop {
        let v = g.next_u64();
        if v < zone {
            return (v % k) as usize;
        }
    }
}

/// Map a number `u` in [0, 1) to one of `k` options (used by Sobol designs).
#[inline]
pub fn pick(u: f64, k: usize) -> usize {
    ((u * k as f64) as usize).min(k.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| replicate_rng(7, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(replicate_rng(7, 3).next_u64(), replicate_rng(7, 4).next_u64());
        assert_ne!(replicate_rng(7, 3).next_u64(), replicate_rng(8, 3).next_u64());
    }

    #[test]
    fn uniform_and_choice_in_range() {
        let mut g = replicate_rng(1, 0);
        for _ in 0..1000 {
            let u = uniform(&mut g);
            assert!((0.0..1.0).contains(&u));
            assert!(choice(&mut g, 3) < 3);
        }
        assert_eq!(pick(0.999_999, 4), 3);
        assert_eq!(pick(0.0, 4), 0);
    }
}
