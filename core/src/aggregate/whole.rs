//! What every whole-matrix method shares: where it failed, its weights normalised, the
//! completeness of its data, a column's range.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::ArrayView2;

/// Where a kernel failed: row (unit) and/or column (child), and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub(crate) row: Option<usize>,
    pub(crate) col: Option<usize>,
    pub(crate) message: String,
}

impl Fail {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Fail {
            row: None,
            col: None,
            message: message.into(),
        }
    }
    pub(crate) fn at(mut self, row: Option<usize>, col: Option<usize>) -> Self {
        self.row = row;
        self.col = col;
        self
    }
}

pub(crate) type KResult<T> = std::result::Result<T, Fail>;

/// Weights normalised to sum 1.
pub(crate) fn unit_weights(w: &[f64]) -> KResult<Vec<f64>> {
    if let Some(j) = w.iter().position(|v| !(*v >= 0.0) || !v.is_finite()) {
        return Err(Fail::new(format!("weight {} is negative or not finite", w[j])).at(None, Some(j)));
    }
    let t: f64 = w.iter().sum();
    if !(t > 0.0) {
        return Err(Fail::new("the children's weights sum to 0"));
    }
    Ok(w.iter().map(|v| v / t).collect())
}

/// Every value finite.
pub(crate) fn complete(x: ArrayView2<'_, f64>) -> KResult<()> {
    if x.nrows() == 0 {
        return Err(Fail::new("no units"));
    }
    for (j, col) in x.columns().into_iter().enumerate() {
        if let Some(i) = col.iter().position(|v| !v.is_finite()) {
            return Err(Fail::new(format!(
                "value {} is missing or not finite; this method needs complete data (impute first)",
                col[i]
            ))
            .at(Some(i), Some(j)));
        }
    }
    Ok(())
}

/// Min and max of a column.
pub(crate) fn col_range(col: ndarray::ArrayView1<'_, f64>) -> (f64, f64) {
    col.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
}
