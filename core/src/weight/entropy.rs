//! The entropy weight method (熵权法).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::common::{check_matrix, constant_note, min_max, minmax_into, to_weights, Criteria, WeightResult};
use crate::error::{Error, Result};

/// How the data are turned into proportions before the entropy is taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntropyInput {
    /// Direction-aware min-max (the default): the worst unit of every criterion gets 0, and
    /// 0·ln 0 = 0. Reproduces the numpy reference in tests/fixtures/mcdm/weights_reference.csv
    /// (`entropy_matches_reference` in tests/weights_mcdm.rs). pymcdm and pyrepo-mcda take raw
    /// proportions instead — [`EntropyInput::Raw`]; issue 21 found the default 0.257 away
    /// from them (no test here holds zhili to their output).
    #[default]
    Minmax,
    /// Direction-aware min-max, then `+ shift` on every value (the "平移" variant of the
    /// Chinese literature, e.g. shift = 0.0001 or 0.01), so no proportion is 0.
    Shift {
        /// The amount added after min-max (must be > 0).
        shift: f64,
    },
    /// Raw proportions p = x / Σx of the data as given (no normalisation, direction ignored);
    /// values must be ≥ 0.
    Raw,
}

/// Options of [`entropy`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EntropyOptions {
    /// The data treatment (default: direction-aware min-max).
    #[serde(default)]
    pub input: EntropyInput,
}

/// Entropy weights.
///
/// ```text
/// r_ij = (x_ij − min_j)/(max_j − min_j)        benefit   (input = minmax; shift adds s)
///      = (max_j − x_ij)/(max_j − min_j)        cost
/// p_ij = r_ij / Σ_i r_ij
/// e_j  = −k Σ_i p_ij ln p_ij,   k = 1/ln n,   0·ln 0 = 0
/// d_j  = 1 − e_j
/// w_j  = d_j / Σ_j d_j
/// ```
/// A constant criterion (max = min, or Σ_i r_ij = 0 under raw proportions) carries no
/// information: its d_j is 0 and so its weight is 0 (recorded in `notes`).
///
/// # Errors
/// [`Error::Method`] naming unit and criterion for a missing or non-finite value, or (raw
/// proportions) a negative value; naming the criteria if every one is constant; fewer than
/// 2 units; a shift ≤ 0.
pub fn entropy(x: ArrayView2<'_, f64>, c: &Criteria, opts: &EntropyOptions) -> Result<WeightResult> {
    const M: &str = "entropy";
    check_matrix(M, x, c, 2)?;
    let n = x.nrows();
    let k = 1.0 / (n as f64).ln();
    let mut notes = Vec::new();
    let mut raw = Vec::with_capacity(x.ncols());
    let mut r = vec![0.0; n];
    for (j, col) in x.columns().into_iter().enumerate() {
        let informative = match opts.input {
            EntropyInput::Minmax => minmax_into(col, c.directions[j], &mut r),
            EntropyInput::Shift { shift } => {
                if !(shift > 0.0) || !shift.is_finite() {
                    return Err(Error::spec("entropy weights", format!("shift {shift} must be a positive number")));
                }
                let ok = minmax_into(col, c.directions[j], &mut r);
                r.iter_mut().for_each(|v| *v += shift);
                ok
            }
            EntropyInput::Raw => {
                if let Some(i) = col.iter().position(|&v| v < 0.0) {
                    return Err(Error::Method {
                        method: M.into(),
                        message: format!("value {} < 0 cannot be a proportion (use the min-max input)", col[i]),
                        unit: Some(c.unit(i)),
                        node: Some(c.names[j].clone()),
                    });
                }
                r.iter_mut().zip(col).for_each(|(o, &v)| *o = v);
                let (lo, hi) = min_max(col);
                !super::common::is_constant(lo, hi)
            }
        };
        if !informative {
            notes.push(constant_note(&c.names[j]));
            raw.push(0.0);
            continue;
        }
        let total: f64 = r.iter().sum();
        let h: f64 = r
            .iter()
            .filter(|&&v| v > 0.0)
            .map(|&v| {
                let p = v / total;
                p * p.ln()
            })
            .sum();
        let e = -k * h;
        // e ∈ [0, 1]; guard rounding just above 1.
        raw.push((1.0 - e).max(0.0));
    }
    to_weights(M, raw, c, notes)
}

impl super::method::Weighting for EntropyOptions {
    fn about(&self) -> &'static str {
        "entropy weights (options `shift`, `input`) · 熵权法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        entropy(x, c, self)
    }
}
