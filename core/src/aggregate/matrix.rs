//! Whole-matrix aggregation methods: each unit's score depends on the other units too
//! (ideal points, standardisation, pairwise comparisons), so they take all units' children
//! at once.
//!
//! Inputs are units × children matrices of *normalised, benefit-oriented* scores (higher is
//! better, as every aggregation step sees them) and one weight per child. Weights must be
//! non-negative with a positive sum; they are used normalised to sum 1.
//!
//! Missing values: these methods need complete data (their reference points depend on all
//! units), so a missing value is an error naming unit and child — except the per-unit methods
//! (minimum, median), which skip missing children like the means do.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};

use super::Aggregator;
use crate::error::{Error, Result};

use super::whole::{complete, unit_weights};
pub(crate) use super::whole::{Fail, KResult};

pub use super::ampi::AmpiGoalposts;
pub use super::copeland::copeland;
pub use super::minimum::minimum;
pub use super::mpi::{Penalty, SdKind};
pub use super::topsis::TopsisNormalisation;
pub use super::vikor::VikorOutput;

/// The whole-matrix methods are variants of the one [`Aggregator`] enum; this name is kept
/// so that code written against the former separate enum (`MatrixMethod::Topsis { .. }`)
/// still compiles and reads the same.
pub type MatrixMethod = Aggregator;

/// Scores of every unit (row of `x`) from its children (columns), with child weights `w`.
///
/// Errors name units as `#k` and children as `#j` (0-based); use [`scores_named`] to name
/// them by id.
///
/// # Errors
/// [`Error::Shape`] if `w` does not match the columns; [`Error::Method`] for a bad weight,
/// a missing value (except under the minimum) or a value outside the method's domain.
pub fn scores(method: &MatrixMethod, x: ArrayView2<'_, f64>, w: &[f64]) -> Result<Array1<f64>> {
    let units: Vec<String> = (0..x.nrows()).map(|k| format!("#{k}")).collect();
    let kids: Vec<String> = (0..x.ncols()).map(|j| format!("#{j}")).collect();
    scores_named(method, x, w, &units, &kids)
}

/// [`scores`] with unit and child ids for error messages.
///
/// # Errors
/// As [`scores`], naming unit and child by id.
pub fn scores_named(
    method: &MatrixMethod,
    x: ArrayView2<'_, f64>,
    w: &[f64],
    units: &[String],
    children: &[String],
) -> Result<Array1<f64>> {
    if w.len() != x.ncols() {
        return Err(Error::Shape {
            what: format!("{} aggregation", method.name()),
            expected: format!("{} weights (one per child)", x.ncols()),
            found: w.len().to_string(),
        });
    }
    let name = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
    run(method, x, w).map_err(|f| Error::Method {
        method: method.name().into(),
        message: f.message,
        unit: f.row.map(|r| name(units, r)),
        node: f.col.map(|c| name(children, c)),
    })
}

/// Scores of every unit under `method`: weights normalised to sum 1, complete data checked
/// for whole-matrix methods, then the method's own [`Method::score`](super::method::Method).
pub(crate) fn run(method: &Aggregator, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
    let m = method.method();
    if m.mean().is_some() {
        // a weighted mean, row by row over the present children (its weights as given)
        return m.score(x, w);
    }
    let w = unit_weights(w)?;
    if x.ncols() == 0 {
        return Err(Fail::new("no children to aggregate"));
    }
    if !m.per_unit() {
        complete(x)?;
    }
    let out = m.score(x, &w)?;
    if crate::cancel::requested() {
        // a long comparison stopped early (its partial scores are meaningless)
        return Err(Fail::new("cancelled by the user · 已由用户取消"));
    }
    Ok(out)
}
