//! Combined weights (组合赋权): subjective and objective weight vectors into one.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::common::WeightResult;
use crate::error::{Error, Result};

/// How to combine weight vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Combination {
    /// Multiplicative synthesis: w_j ∝ Π_k w_j^(k).
    Multiplicative,
    /// Linear: w = α·w⁽¹⁾ + (1 − α)·w⁽²⁾ (exactly two vectors; α ∈ [0, 1]).
    Linear {
        /// Share of the first vector.
        alpha: f64,
    },
    /// Game-theory combination (博弈论组合赋权).
    GameTheory,
}

/// Combine weight vectors over the same criteria (each first normalised to sum 1).
///
/// ```text
/// multiplicative:  w_j = Π_k u_kj / Σ_j Π_k u_kj
/// linear:          w_j = α u_1j + (1 − α) u_2j
/// game theory:     solve Σ_k a_k (u_l · u_k) = u_l · u_l  for l = 1..K   (minimises
///                  ‖Σ_k a_k u_k − u_l‖ for every l), then a*_k = |a_k| / Σ|a|,
///                  w = Σ_k a*_k u_k
/// ```
/// The game-theory system is solved by SVD pseudo-inverse, so identical vectors (a singular
/// system) give that same vector.
///
/// # Errors
/// [`Error::Empty`] for no vectors; [`Error::Shape`] if they differ in criteria;
/// [`Error::Spec`] for α outside [0, 1] or a linear combination of other than two vectors;
/// [`Error::Method`] for a negative or non-finite weight, a vector summing to 0, or a
/// multiplicative combination where no criterion has weight in every vector.
pub fn combine(sets: &[&WeightResult], rule: &Combination) -> Result<WeightResult> {
    const M: &str = "combined weights";
    let first = sets
        .first()
        .ok_or_else(|| Error::Empty("combined weights: no weight vectors".into()))?;
    let m = first.weights.len();
    let mut us: Vec<Vec<f64>> = Vec::with_capacity(sets.len());
    for s in sets {
        if s.criteria != first.criteria {
            return Err(Error::Shape {
                what: M.into(),
                expected: format!("criteria [{}]", first.criteria.join(", ")),
                found: format!("[{}] ({})", s.criteria.join(", "), s.method),
            });
        }
        if let Some(j) = s.weights.iter().position(|w| !(*w >= 0.0) || !w.is_finite()) {
            return Err(Error::Method {
                method: M.into(),
                message: format!("weight {} from `{}` is negative or not finite", s.weights[j], s.method),
                unit: None,
                node: Some(s.criteria[j].clone()),
            });
        }
        let t: f64 = s.weights.iter().sum();
        if !(t > 0.0) {
            return Err(Error::method(M, format!("the `{}` weights sum to 0", s.method)));
        }
        us.push(s.weights.iter().map(|w| w / t).collect());
    }
    let methods: Vec<&str> = sets.iter().map(|s| s.method.as_str()).collect();
    let weights = match rule {
        Combination::Multiplicative => {
            let prod: Vec<f64> = (0..m).map(|j| us.iter().map(|u| u[j]).product()).collect();
            let t: f64 = prod.iter().sum();
            if !(t > 0.0) {
                return Err(Error::method(M, "no criterion has a positive weight in every vector"));
            }
            prod.into_iter().map(|p| p / t).collect()
        }
        Combination::Linear { alpha } => {
            if us.len() != 2 {
                return Err(Error::spec(
                    M,
                    format!("a linear combination takes 2 weight vectors, got {}", us.len()),
                ));
            }
            if !(0.0..=1.0).contains(alpha) {
                return Err(Error::spec(M, format!("alpha = {alpha} is outside [0, 1]")));
            }
            (0..m).map(|j| alpha * us[0][j] + (1.0 - alpha) * us[1][j]).collect()
        }
        Combination::GameTheory => {
            let k = us.len();
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
            let g = DMatrix::from_fn(k, k, |l, i| dot(&us[l], &us[i]));
            let rhs = DVector::from_fn(k, |l, _| dot(&us[l], &us[l]));
            let a = g
                .svd(true, true)
                .solve(&rhs, 1e-12)
                .map_err(|e| Error::method(M, format!("game-theory system could not be solved: {e}")))?;
            let asum: f64 = a.iter().map(|v| v.abs()).sum();
            if !(asum > 0.0) || !asum.is_finite() {
                return Err(Error::method(M, "game-theory coefficients are all zero"));
            }
            (0..m).map(|j| (0..k).map(|i| a[i].abs() / asum * us[i][j]).sum()).collect()
        }
    };
    Ok(WeightResult {
        method: format!("combined({})", methods.join(", ")),
        criteria: first.criteria.clone(),
        weights,
        notes: Vec::new(),
    })
}
