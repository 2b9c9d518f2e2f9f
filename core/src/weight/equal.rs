//! Equal weights.

use super::common::{Criteria, WeightResult};
use crate::error::{Error, Result};

/// Equal weights (see [`equal`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Equal;

impl super::method::Weighting for Equal {
    fn about(&self) -> &'static str {
        "equal weights · 等权"
    }
    fn compute(&self, _x: ndarray::ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult> {
        equal(c)
    }
}

/// Equal weights over the criteria.
///
/// ```text
/// w_j = 1 / m
/// ```
///
/// # Errors
/// [`Error::Empty`] if there are no criteria.
pub fn equal(c: &Criteria) -> Result<WeightResult> {
    let m = c.len();
    if m == 0 {
        return Err(Error::Empty("equal weights: no criteria".into()));
    }
    Ok(WeightResult {
        method: "equal".into(),
        criteria: c.names.clone(),
        weights: vec![1.0 / m as f64; m],
        notes: Vec::new(),
    })
}
