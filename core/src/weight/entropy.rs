//! The entropy weight method (熵权法).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::common::{check_matrix, check_rows, constant_note, is_constant, min_max, minmax_value, to_weights, Criteria, WeightResult};
use crate::framework::Direction;
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
    check_matrix(ENTROPY, x, c, 2)?;
    opts.check()?;
    let mut sums = Vec::with_capacity(x.ncols());
    for (j, col) in x.columns().into_iter().enumerate() {
        if opts.input == EntropyInput::Raw {
            if let Some(i) = col.iter().position(|&v| v < 0.0) {
                return Err(raw_negative(col[i], c.unit(i), &c.names[j]));
            }
        }
        let (lo, hi) = min_max(col);
        let Some(f) = opts.value_fn(c.directions[j], lo, hi) else {
            sums.push(None);
            continue;
        };
        let (mut total, mut rlnr) = (0.0, 0.0);
        for &v in col {
            let r = f(v);
            total += r;
            rlnr += r_ln_r(r);
        }
        sums.push(Some((total, rlnr)));
    }
    entropy_from_sums(c, x.nrows(), &sums)
}

const ENTROPY: &str = "entropy";

impl EntropyOptions {
    /// The shift must be a positive number.
    pub(crate) fn check(&self) -> Result<()> {
        if let EntropyInput::Shift { shift } = self.input {
            if !(shift > 0.0) || !shift.is_finite() {
                return Err(Error::spec("entropy weights", format!("shift {shift} must be a positive number")));
            }
        }
        Ok(())
    }

    /// Whether the input needs the column's minimum and maximum before the values (min-max).
    pub(crate) fn needs_range(&self) -> bool {
        self.input != EntropyInput::Raw
    }

    /// The transform `x ↦ r` of a column with range `[lo, hi]`, or `None` for a constant
    /// column (no information).
    pub(crate) fn value_fn(&self, dir: Direction, lo: f64, hi: f64) -> Option<impl Fn(f64) -> f64> {
        if is_constant(lo, hi) {
            return None;
        }
        let input = self.input;
        Some(move |v: f64| match input {
            EntropyInput::Minmax => minmax_value(v, lo, hi, dir),
            EntropyInput::Shift { shift } => minmax_value(v, lo, hi, dir) + shift,
            EntropyInput::Raw => v,
        })
    }
}

/// `r ln r`, 0 for r = 0 (0·ln 0 = 0).
pub(crate) fn r_ln_r(r: f64) -> f64 {
    if r > 0.0 {
        r * r.ln()
    } else {
        0.0
    }
}

/// The error for a negative value under raw proportions.
pub(crate) fn raw_negative(v: f64, unit: String, criterion: &str) -> Error {
    Error::Method {
        method: ENTROPY.into(),
        message: format!("value {v} < 0 cannot be a proportion (use the min-max input)"),
        unit: Some(unit),
        node: Some(criterion.to_owned()),
    }
}

/// Entropy weights from each criterion's sums `(T, S) = (Σ_i r_ij, Σ_i r_ij ln r_ij)` over
/// `n` units (`None`: a constant criterion), the form in which they merge over row batches:
///
/// ```text
/// Σ_i p_ij ln p_ij = S_j / T_j − ln T_j        (p_ij = r_ij / T_j)
/// e_j = −k (S_j / T_j − ln T_j),   k = 1 / ln n,   d_j = 1 − e_j
/// ```
pub(crate) fn entropy_from_sums(c: &Criteria, n: usize, sums: &[Option<(f64, f64)>]) -> Result<WeightResult> {
    check_rows(ENTROPY, n, 2)?;
    let k = 1.0 / (n as f64).ln();
    let mut notes = Vec::new();
    let mut raw = Vec::with_capacity(sums.len());
    for (j, s) in sums.iter().enumerate() {
        match *s {
            None => {
                notes.push(constant_note(&c.names[j]));
                raw.push(0.0);
            }
            Some((total, rlnr)) => {
                let e = -k * (rlnr / total - total.ln());
                // e ∈ [0, 1]; guard rounding just above 1.
                raw.push((1.0 - e).max(0.0));
            }
        }
    }
    to_weights(ENTROPY, raw, c, notes)
}

impl super::method::Weighting for EntropyOptions {
    fn about(&self) -> &'static str {
        "entropy weights (options `shift`, `input`) · 熵权法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        entropy(x, c, self)
    }
}
