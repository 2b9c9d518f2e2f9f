//! Whole-matrix aggregation methods: each unit's score depends on the other units too
//! (ideal points, standardisation, pairwise comparisons), so they take all units' children
//! at once.
//!
//! Inputs are units × children matrices of *normalised, benefit-oriented* scores (higher is
//! better, as every aggregation step sees them) and one weight per child. Weights must be
//! non-negative with a positive sum; they are used normalised to sum 1.
//!
//! Missing values: these methods need complete data (their reference points depend on all
//! units), so a missing value is an error naming unit and child — except the minimum, which
//! skips missing children like the means do.

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};

use super::Aggregator;
use crate::error::{Error, Result};

use super::whole::{complete, unit_weights};
pub(crate) use super::whole::{Fail, KResult};

pub use super::copeland::copeland;
use super::gra::grey_relational;
pub use super::minimum::minimum;
use super::mpi::{ampi, mpi};
pub use super::mpi::{AmpiGoalposts, Penalty, SdKind};
use super::topsis::topsis;
pub use super::topsis::TopsisNormalisation;
use super::vikor::vikor;
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

pub(crate) fn run(method: &Aggregator, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
    if !method.is_whole() {
        // a weighted mean, row by row over the present children (no completeness needed)
        let x = x.to_owned();
        let children: Vec<usize> = (0..x.ncols()).collect();
        return super::means::aggregate_columns(method, &x, &children, w, 0.0)
            .map_err(|(row, message, _)| Fail::new(message).at(Some(row), None));
    }
    let w = unit_weights(w)?;
    if x.ncols() == 0 {
        return Err(Fail::new("no children to aggregate"));
    }
    if !matches!(method, Aggregator::Minimum) {
        complete(x)?;
    }
    let out = match method {
        Aggregator::Copeland => copeland(x, &w),
        Aggregator::Mpi { penalty, sd } => mpi(x, &w, *penalty, *sd)?,
        Aggregator::Ampi { penalty, goalposts } => ampi(x, &w, *penalty, goalposts)?,
        Aggregator::Topsis { normalisation } => topsis(x, &w, *normalisation)?,
        Aggregator::GreyRelational { rho } => grey_relational(x, &w, *rho)?,
        Aggregator::Vikor { v, output } => vikor(x, &w, *v, *output)?,
        Aggregator::Minimum => minimum(x, &w),
        Aggregator::Arithmetic | Aggregator::Geometric { .. } | Aggregator::Harmonic | Aggregator::Generalised { .. } => {
            return Err(Fail::new("internal: a weighted mean reached the whole-matrix dispatch"))
        }
    };
    if crate::cancel::requested() {
        // a long comparison stopped early (its partial scores are meaningless)
        return Err(Fail::new("cancelled by the user · 已由用户取消"));
    }
    Ok(out)
}
