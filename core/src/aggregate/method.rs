//! What an aggregation method declares about itself. Each method's file implements
//! [`Method`] for its struct; the registry in `mod.rs` lists the struct on one line, and
//! every driver (`run`, the streamed `score`, uncertainty, sensitivity, fit) asks the method
//! through this trait — none of them names a method.

use ndarray::{Array1, ArrayView2};

use super::means::Mean;
use super::whole::{Fail, KResult};

/// One aggregation method.
pub(crate) trait Method: Sync {
    /// One line for method lists (`zhili methods`, Python, the workbench): English · 中文.
    fn about(&self) -> &'static str;

    /// The weighted mean's kernel (`term` / `finish` sums) if the method is a weighted mean:
    /// drivers stream it column by column and the uncertainty engine has fast paths for it.
    /// `None` for every other method, scored by [`Method::score`] on a units × children
    /// matrix.
    fn mean(&self) -> Option<Mean> {
        None
    }

    /// Whether a unit's score depends on its own children only: missing children are skipped
    /// (weights re-normalised over the present ones, `min_coverage` applies) and a fitted
    /// pipeline can apply the method to new data. `false`: a whole-matrix method, which
    /// compares units with each other and needs complete data.
    fn per_unit(&self) -> bool {
        self.mean().is_some()
    }

    /// The method's options checked; the message names the option and its valid range.
    ///
    /// # Errors
    /// The message, when an option is out of range.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// Scores of every unit (row of `x`, one column per child, NaN = missing for per-unit
    /// methods) under weights `w` (non-negative, summing to 1). Weighted means need not
    /// implement it: their kernel scores the rows.
    ///
    /// # Errors
    /// Where (unit row, child column) and why the method cannot take a value.
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        match self.mean() {
            Some(mean) => {
                let children: Vec<usize> = (0..x.ncols()).collect();
                super::means::aggregate_columns(mean, x, &children, w, 0.0).map_err(|(row, message)| Fail::new(message).at(Some(row), None))
            }
            None => Err(Fail::new("internal: the method has neither a weighted mean nor a score")),
        }
    }
}
