//! Grey relational analysis (Deng 1982): grey relational grade to the ideal sequence.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};

use serde::{Deserialize, Serialize};

use super::method::Method;
use super::whole::{col_range, Fail, KResult};

/// Grey relational grade to the ideal sequence (see [`grey_relational`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GreyRelational {
    /// Distinguishing coefficient ρ ∈ (0, 1] (default 0.5).
    #[serde(default = "half")]
    pub rho: f64,
}

fn half() -> f64 {
    0.5
}

impl Default for GreyRelational {
    fn default() -> Self {
        GreyRelational { rho: half() }
    }
}

impl Method for GreyRelational {
    fn about(&self) -> &'static str {
        "grey relational grade (option `rho`; Deng 1982) · 灰色关联度"
    }
    fn check(&self) -> Result<(), String> {
        if self.rho > 0.0 && self.rho <= 1.0 {
            Ok(())
        } else {
            Err(format!("grey relational ρ = {} is outside (0, 1]", self.rho))
        }
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        grey_relational(x, w, self.rho)
    }
}

/// Grey relational grade γ_i ∈ (0, 1] (higher is better).
///
/// ```text
/// x⁰_j  = max_i x_ij                       reference (ideal) sequence
/// Δ_ij  = |x⁰_j − x_ij|,   Δmin = min_ij Δ_ij,   Δmax = max_ij Δ_ij
/// ξ_ij  = (Δmin + ρ Δmax) / (Δ_ij + ρ Δmax)     ρ = distinguishing coefficient (0.5)
/// γ_i   = Σ_j w_j ξ_ij                    (weights sum to 1)
/// ```
/// Children should share one scale (normalised scores); Δ is taken over the whole matrix.
/// When every Δ is 0 (all units identical) every ξ is 1.
///
/// # Errors
/// ρ outside (0, 1].
pub(crate) fn grey_relational(x: ArrayView2<'_, f64>, w: &[f64], rho: f64) -> KResult<Array1<f64>> {
    if !(rho > 0.0 && rho <= 1.0) {
        return Err(Fail::new(format!("distinguishing coefficient ρ = {rho} is outside (0, 1]")));
    }
    let (n, k) = x.dim();
    let best: Vec<f64> = (0..k).map(|j| col_range(x.column(j)).1).collect();
    let (mut dmin, mut dmax) = (f64::INFINITY, 0.0f64);
    for j in 0..k {
        for i in 0..n {
            let d = best[j] - x[[i, j]];
            dmin = dmin.min(d);
            dmax = dmax.max(d);
        }
    }
    let mut g = Array1::<f64>::zeros(n);
    if dmax == 0.0 {
        g.fill(1.0);
        return Ok(g);
    }
    for j in 0..k {
        for i in 0..n {
            let d = best[j] - x[[i, j]];
            g[i] += w[j] * (dmin + rho * dmax) / (d + rho * dmax);
        }
    }
    Ok(g)
}
