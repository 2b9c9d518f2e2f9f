//! Minimum (Leontief) aggregation.

use ndarray::{Array1, ArrayView2};

use super::method::Method;
use super::whole::KResult;

/// The minimum over present children with positive weight (see [`minimum`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Minimum;

impl Method for Minimum {
    fn about(&self) -> &'static str {
        "minimum of the children with positive weight (Leontief) · 最小值（短板）"
    }
    fn per_unit(&self) -> bool {
        true
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        Ok(minimum(x, w))
    }
}

/// The smallest present child score among the children with positive weight.
///
/// ```text
/// y_i = min { x_ij : w_j > 0, x_ij present }
/// ```
/// Fully non-compensatory: no surplus elsewhere makes up for the weakest child. Weights only
/// select (a zero weight excludes a child). A unit with no present child scores NaN
/// (missing), like the weighted means.
pub fn minimum(x: ArrayView2<'_, f64>, w: &[f64]) -> Array1<f64> {
    let mut out = Array1::from_elem(x.nrows(), f64::INFINITY);
    for (col, &wj) in x.columns().into_iter().zip(w) {
        if wj > 0.0 {
            for (o, &v) in out.iter_mut().zip(col) {
                if !v.is_nan() && v < *o {
                    *o = v;
                }
            }
        }
    }
    out.mapv_inplace(|v| if v == f64::INFINITY { f64::NAN } else { v });
    out
}
