//! CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995).

use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::common::{check_matrix, constant_note, mean, minmax_into, sample_sd, to_weights, Criteria, WeightResult};
use crate::error::Result;
use crate::framework::Direction;

/// Options of [`critic`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CriticOptions {
    /// Reverse cost criteria in the min-max step (default `true`, reproducing the numpy
    /// reference in tests/fixtures/mcdm/weights_reference.csv: `critic_matches_reference` in
    /// tests/weights_mcdm.rs). With `false` every criterion is min-maxed as if benefit-type,
    /// which flips the sign of correlations with cost criteria; pymcdm does this (issue 21
    /// found it matches `reverse_cost = false`, 0.117 away from the default; no test here
    /// holds zhili to pymcdm's output).
    #[serde(default = "yes")]
    pub reverse_cost: bool,
}

const CRITIC: &str = "critic";

fn yes() -> bool {
    true
}

impl Default for CriticOptions {
    fn default() -> Self {
        CriticOptions { reverse_cost: true }
    }
}

/// CRITIC weights (Criteria Importance Through Intercriteria Correlation).
///
/// ```text
/// r_ij = min-max of x_ij (direction-aware unless reverse_cost = false)
/// s_j  = sample standard deviation of r_·j (n − 1)
/// ρ_jk = Pearson correlation of r_·j and r_·k
/// C_j  = s_j Σ_k (1 − ρ_jk)
/// w_j  = C_j / Σ_j C_j
/// ```
/// A constant criterion gets weight 0 and is left out of the other criteria's sums (its
/// correlations are undefined); recorded in `notes`.
///
/// # Errors
/// [`Error::Method`](crate::Error::Method) naming unit and criterion for a missing value;
/// fewer than 2 units; every criterion constant (or only one that varies and no conflict).
#[allow(clippy::needless_range_loop)]
pub fn critic(x: ArrayView2<'_, f64>, c: &Criteria, opts: &CriticOptions) -> Result<WeightResult> {
    check_matrix(CRITIC, x, c, 2)?;
    let (n, m) = x.dim();
    let mut r = Array2::<f64>::zeros((n, m).f());
    let mut live = vec![false; m];
    let mut buf = vec![0.0; n];
    for j in 0..m {
        let dir = if opts.reverse_cost { c.directions[j] } else { Direction::Benefit };
        live[j] = minmax_into(x.column(j), dir, &mut buf);
        if live[j] {
            r.column_mut(j).iter_mut().zip(&buf).for_each(|(o, &v)| *o = v);
        }
    }
    // Centred columns and their norms.
    let mut sd = vec![0.0; m];
    let mut norm = vec![0.0; m];
    for j in 0..m {
        if !live[j] {
            continue;
        }
        let col: Vec<f64> = r.column(j).to_vec();
        sd[j] = sample_sd(&col);
        let mu = mean(&col);
        r.column_mut(j).iter_mut().for_each(|v| *v -= mu);
        norm[j] = r.column(j).dot(&r.column(j)).sqrt();
    }
    // Cross products of the centred columns in one matrix product (Xᵀ X, blocked gemm).
    let g = r.t().dot(&r);
    let sds: Vec<Option<f64>> = (0..m).map(|j| live[j].then_some(sd[j])).collect();
    critic_from(c, &sds, &|j, k| g[[j, k]] / (norm[j] * norm[k]))
}

/// CRITIC weights from each criterion's standard deviation of its min-max values `s_j`
/// (`None`: a constant criterion) and the Pearson correlation `ρ_jk` of two varying
/// criteria (clamped to [−1, 1] here): `C_j = s_j Σ_k (1 − ρ_jk)`, `w_j = C_j / Σ_j C_j`.
/// Constant criteria get weight 0 and are left out of the sums (in `notes`).
pub(crate) fn critic_from(c: &Criteria, sd: &[Option<f64>], rho: &dyn Fn(usize, usize) -> f64) -> Result<WeightResult> {
    let notes = (0..sd.len())
        .filter(|&j| sd[j].is_none())
        .map(|j| constant_note(&c.names[j]))
        .collect();
    let mut raw = vec![0.0; sd.len()];
    for (j, s) in sd.iter().enumerate() {
        let Some(s) = s else { continue };
        let mut conflict = 0.0;
        for (k, other) in sd.iter().enumerate() {
            if other.is_none() || k == j {
                continue;
            }
            conflict += 1.0 - rho(j, k).clamp(-1.0, 1.0);
        }
        raw[j] = s * conflict;
    }
    to_weights(CRITIC, raw, c, notes)
}

impl super::method::Weighting for CriticOptions {
    fn about(&self) -> &'static str {
        "CRITIC: contrast and conflict (Diakoulaki 1995) · CRITIC 法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        critic(x, c, self)
    }
}
