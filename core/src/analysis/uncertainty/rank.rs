//! Integer ranks of one run's scores, with reusable scratch space.

use crate::error::{Error, Result};
use crate::rank::{ordered_bits, radix_sort, Ties};

/// Check that a tie rule gives integer ranks (all but `average`).
///
/// # Errors
/// [`Error::Spec`] for [`Ties::Average`].
pub(crate) fn check_ties(ties: Ties) -> Result<()> {
    if ties == Ties::Average {
        return Err(Error::spec(
            "uncertainty analysis",
            "rank statistics need integer ranks: use ties = \"min\" (default), \"max\", \"dense\" or \"first\"",
        ));
    }
    Ok(())
}

/// Rank `scores` (higher is better) into `out`: 1 = best, 0 = missing (NaN score).
/// `scratch` is reused between calls. Ties as [`crate::rank::rank`]; `average` is not
/// supported (the analyses refuse it up front) and is treated as `min`.
pub fn rank_into(scores: &[f64], ties: Ties, scratch: &mut Vec<(u64, u32)>, out: &mut [u32]) {
    scratch.clear();
    for (i, &s) in scores.iter().enumerate() {
        if s.is_nan() {
            out[i] = 0;
        } else {
            // descending by score, then ascending by unit (stable order for `first`)
            scratch.push((!ordered_bits(s), i as u32));
        }
    }
    radix_sort(scratch);
    let m = scratch.len();
    let mut start = 0;
    let mut dense = 0u32;
    while start < m {
        let key = scratch[start].0;
        let mut end = start + 1;
        while end < m && scratch[end].0 == key {
            end += 1;
        }
        dense += 1;
        for (k, &(_, i)) in scratch[start..end].iter().enumerate() {
            out[i as usize] = match ties {
                Ties::Max => end as u32,
                Ties::Dense => dense,
                Ties::First => (start + k + 1) as u32,
                _ => (start + 1) as u32,
            };
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::rank;

    #[test]
    fn radix_sort_sorts() {
        let mut state = 12345u64;
        let mut v: Vec<(u64, u32)> = (0..5000u32)
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (!ordered_bits(((state >> 40) % 300) as f64 - 150.0), i)
            })
            .collect();
        let mut w = v.clone();
        radix_sort(&mut v);
        w.sort_unstable();
        assert_eq!(v, w);
    }

    #[test]
    fn agrees_with_core_rank() {
        let mut s = vec![3.0, 5.0, 5.0, f64::NAN, 1.0, 0.0, -2.5, 5.0, 1.0];
        s.extend((0..600).map(|i| f64::from((i * 37) % 101) - 50.0));
        for ties in [Ties::Min, Ties::Max, Ties::Dense, Ties::First] {
            let mut out = vec![0; s.len()];
            rank_into(&s, ties, &mut Vec::new(), &mut out);
            let r = rank(ndarray::ArrayView1::from(&s[..]), ties);
            for (a, b) in out.iter().zip(r.iter()) {
                if b.is_nan() {
                    assert_eq!(*a, 0);
                } else {
                    assert_eq!(f64::from(*a), *b, "{ties:?}");
                }
            }
        }
    }
}
