//! The coefficient-of-variation method (变异系数法).

use ndarray::ArrayView2;

use super::common::{check_matrix, constant_note, mean, sample_sd, to_weights, Criteria, WeightResult};
use crate::error::{Error, Result};

/// The coefficient-of-variation method (see [`coefficient_of_variation`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CoefficientOfVariation;

impl super::method::Weighting for CoefficientOfVariation {
    fn about(&self) -> &'static str {
        "coefficient of variation of the raw data · 变异系数法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        coefficient_of_variation(x, c)
    }
}

/// Coefficient-of-variation weights, on the raw data (direction plays no role).
///
/// ```text
/// v_j = s_j / |x̄_j|      s_j = sample standard deviation (n − 1)
/// w_j = v_j / Σ_j v_j
/// ```
/// A constant criterion has v_j = 0 and weight 0 (recorded in `notes`).
///
/// # Errors
/// [`Error::Method`] naming unit and criterion for a missing value; naming the criterion
/// when its mean is 0 while it varies (the coefficient is undefined: shift or normalise the
/// data first); fewer than 2 units; every criterion constant.
pub fn coefficient_of_variation(x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
    check_matrix(CV, x, c, 2)?;
    let mut stats = Vec::with_capacity(x.ncols());
    let mut buf = Vec::with_capacity(x.nrows());
    for col in x.columns() {
        buf.clear();
        buf.extend(col.iter().copied());
        let (lo, hi) = super::common::min_max(col);
        stats.push(CvStats {
            lo,
            hi,
            mean: mean(&buf),
            sd: sample_sd(&buf),
        });
    }
    cv_from(c, &stats)
}

const CV: &str = "coefficient of variation";

/// One criterion's range, mean and sample standard deviation (n − 1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CvStats {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) mean: f64,
    pub(crate) sd: f64,
}

/// Coefficient-of-variation weights from each criterion's statistics: `v_j = s_j / |x̄_j|`,
/// 0 for a constant criterion (in `notes`).
///
/// # Errors
/// As [`coefficient_of_variation`] for a zero mean or every criterion constant.
pub(crate) fn cv_from(c: &Criteria, stats: &[CvStats]) -> Result<WeightResult> {
    let mut notes = Vec::new();
    let mut raw = Vec::with_capacity(stats.len());
    for (j, st) in stats.iter().enumerate() {
        let (s, m) = (st.sd, st.mean);
        if super::common::is_constant(st.lo, st.hi) {
            notes.push(constant_note(&c.names[j]));
            raw.push(0.0);
            continue;
        }
        if m.abs() <= f64::EPSILON * s {
            return Err(Error::Method {
                method: CV.into(),
                message: format!("the mean is 0 (sd {s}), so the coefficient of variation is undefined"),
                unit: None,
                node: Some(c.names[j].clone()),
            });
        }
        raw.push(s / m.abs());
    }
    to_weights(CV, raw, c, notes)
}
