//! TOPSIS (Hwang & Yoon 1981): relative closeness to the ideal solution.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::method::Method;
use super::whole::{col_range, Fail, KResult};

/// TOPSIS relative closeness to the ideal solution (see [`topsis`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Topsis {
    /// Normalisation (default vector).
    #[serde(default)]
    pub normalisation: TopsisNormalisation,
}

impl Method for Topsis {
    fn about(&self) -> &'static str {
        "TOPSIS closeness to the ideal (option `normalisation`; Hwang & Yoon 1981) · TOPSIS 逼近理想解"
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        topsis(x, w, self.normalisation)
    }
}

/// Column normalisation before weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TopsisNormalisation {
    /// r_ij = x_ij / √(Σ_i x_ij²) (Hwang & Yoon's original; the default, as pyDecision
    /// does). pyrepo-mcda defaults to min-max, and scikit-criteria does not normalise inside
    /// TOPSIS (it expects a separate scaler): choose [`TopsisNormalisation::Minmax`] or
    /// [`TopsisNormalisation::None`] to follow them. Checked by hand in
    /// tests/aggregate_methods.rs (`topsis_vector_by_hand`); no peer output is tested.
    #[default]
    Vector,
    /// r_ij = (x_ij − min_j)/(max_j − min_j) (pymcdm's default).
    Minmax,
    /// The values as given (already normalised upstream).
    None,
}

/// TOPSIS relative closeness C_i ∈ [0, 1] (higher is better).
///
/// ```text
/// r_ij  = normalised x_ij (vector, min-max or none)
/// v_ij  = w_j r_ij                          (weights sum to 1)
/// A⁺_j  = max_i v_ij,   A⁻_j = min_i v_ij   (every child is benefit-oriented)
/// D⁺_i  = √ Σ_j (v_ij − A⁺_j)²,   D⁻_i = √ Σ_j (v_ij − A⁻_j)²
/// C_i   = D⁻_i / (D⁺_i + D⁻_i)
/// ```
/// A constant child (or an all-zero one under vector normalisation) contributes nothing.
///
/// # Errors
/// When every child is constant (D⁺ = D⁻ = 0 for every unit, so closeness is undefined).
#[allow(clippy::needless_range_loop)]
pub(crate) fn topsis(x: ArrayView2<'_, f64>, w: &[f64], norm: TopsisNormalisation) -> KResult<Array1<f64>> {
    let (n, k) = x.dim();
    let mut v = Array2::<f64>::zeros((n, k).f());
    for j in 0..k {
        let col = x.column(j);
        let (lo, hi) = col_range(col);
        let mut out = v.column_mut(j);
        match norm {
            TopsisNormalisation::Vector => {
                let s = col.dot(&col).sqrt();
                if s > 0.0 {
                    out.iter_mut().zip(col).for_each(|(o, &x)| *o = w[j] * x / s);
                }
            }
            TopsisNormalisation::Minmax => {
                if hi > lo {
                    out.iter_mut().zip(col).for_each(|(o, &x)| *o = w[j] * (x - lo) / (hi - lo));
                }
            }
            TopsisNormalisation::None => out.iter_mut().zip(col).for_each(|(o, &x)| *o = w[j] * x),
        }
    }
    // Distances accumulated column by column (contiguous in column-major).
    let mut dp = Array1::<f64>::zeros(n);
    let mut dm = Array1::<f64>::zeros(n);
    for j in 0..k {
        let col = v.column(j);
        let (lo, hi) = col_range(col);
        for ((a, p), m) in col.iter().zip(dp.iter_mut()).zip(dm.iter_mut()) {
            *p += (a - hi) * (a - hi);
            *m += (a - lo) * (a - lo);
        }
    }
    let mut c = Array1::<f64>::zeros(n);
    for ((o, &p), &m) in c.iter_mut().zip(&dp).zip(&dm) {
        let (p, m) = (p.sqrt(), m.sqrt());
        if !(p + m > 0.0) {
            return Err(Fail::new(
                "every child is constant across units (or weighted 0): the ideal and anti-ideal coincide and TOPSIS closeness is undefined",
            ));
        }
        *o = m / (p + m);
    }
    Ok(c)
}
