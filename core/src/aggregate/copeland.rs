//! Copeland's non-compensatory multi-criteria score.

use ndarray::{Array1, ArrayView2};

use super::method::Method;
use super::whole::KResult;

/// Copeland's weighted majority count of wins minus losses against every other unit (see
/// [`copeland`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Copeland;

impl Method for Copeland {
    fn about(&self) -> &'static str {
        "Copeland: pairwise weighted majority, wins − losses (OECD/JRC 2008) · Copeland 非补偿法"
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        Ok(copeland(x, w))
    }
}

/// Copeland scores (OECD/JRC Handbook 2008, section 6.2.3).
///
/// ```text
/// e_ik = Σ_j w_j [ 1(x_ij > x_kj) + ½ · 1(x_ij = x_kj) ]     (weights sum to 1; e_ik + e_ki = 1)
/// c_i  = #{k ≠ i : e_ik > ½} − #{k ≠ i : e_ik < ½}
/// ```
/// Each pair of units is compared by the weight of the children each is better on (a
/// weighted majority vote); the score counts wins minus losses, so it lies in [−(n−1), n−1].
/// Magnitudes of differences do not matter (non-compensatory). Cost O(n² m): meant for the
/// tens to thousands of units of a ranking, not for 10⁵.
pub fn copeland(x: ArrayView2<'_, f64>, w: &[f64]) -> Array1<f64> {
    let n = x.nrows();
    let mut out = Array1::<f64>::zeros(n);
    for i in 0..n {
        if i % 64 == 0 && crate::cancel::requested() {
            break; // the caller reports the cancellation
        }
        for k in (i + 1)..n {
            let mut e = 0.0;
            for (j, &wj) in w.iter().enumerate() {
                let (a, b) = (x[[i, j]], x[[k, j]]);
                if a > b {
                    e += wj;
                } else if a == b {
                    e += 0.5 * wj;
                }
            }
            // Ties of e at ½ (within rounding) count as neither win nor loss.
            if e > 0.5 + 1e-12 {
                out[i] += 1.0;
                out[k] -= 1.0;
            } else if e < 0.5 - 1e-12 {
                out[i] -= 1.0;
                out[k] += 1.0;
            }
        }
    }
    out
}
