//! The standard-deviation method (标准差法).

use ndarray::ArrayView2;

use super::common::{check_matrix, constant_note, minmax_into, sample_sd, to_weights, Criteria, WeightResult};
use crate::error::Result;

/// The standard-deviation method (see [`standard_deviation`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StandardDeviation;

impl super::method::Weighting for StandardDeviation {
    fn about(&self) -> &'static str {
        "standard deviation of the min-max data · 标准差法"
    }
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        standard_deviation(x, c)
    }
}

/// Standard-deviation weights, on direction-aware min-max data.
///
/// ```text
/// r_ij = min-max of x_ij (direction-aware)
/// w_j  = s_j / Σ_j s_j        s_j = standard deviation of r_·j
/// ```
/// The n − 1 or n divisor cancels in the ratio. A constant criterion gets weight 0
/// (recorded in `notes`).
///
/// # Errors
/// [`Error::Method`](crate::Error::Method) naming unit and criterion for a missing value; fewer than 2 units;
/// every criterion constant.
pub fn standard_deviation(x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
    check_matrix(SD, x, c, 2)?;
    let mut r = vec![0.0; x.nrows()];
    let sds: Vec<Option<f64>> = x
        .columns()
        .into_iter()
        .enumerate()
        .map(|(j, col)| minmax_into(col, c.directions[j], &mut r).then(|| sample_sd(&r)))
        .collect();
    sd_from(c, &sds)
}

const SD: &str = "standard deviation";

/// Standard-deviation weights from each criterion's standard deviation of its min-max
/// values (`None`: a constant criterion, weight 0, in `notes`): `w_j = s_j / Σ_j s_j`.
pub(crate) fn sd_from(c: &Criteria, sds: &[Option<f64>]) -> Result<WeightResult> {
    let mut notes = Vec::new();
    let raw = sds
        .iter()
        .enumerate()
        .map(|(j, s)| {
            s.unwrap_or_else(|| {
                notes.push(constant_note(&c.names[j]));
                0.0
            })
        })
        .collect();
    to_weights(SD, raw, c, notes)
}
