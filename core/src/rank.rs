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
    // (score, unit) pairs sorted best first, ties in unit order (needed by `First`):
    // contiguous keys sort much faster than indices into the scores.
    let mut pairs: Vec<(f64, usize)> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_nan())
        .map(|(i, &s)| (s, i))
        .collect();
    pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let idx: Vec<usize> = pairs.iter().map(|p| p.1).collect();
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
