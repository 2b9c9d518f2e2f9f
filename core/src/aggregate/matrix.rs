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
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use super::copeland::copeland;
use super::gra::grey_relational;
pub use super::minimum::minimum;
use super::mpi::{ampi, mpi};
pub use super::mpi::{AmpiGoalposts, Penalty, SdKind};
use super::topsis::topsis;
pub use super::topsis::TopsisNormalisation;
use super::vikor::vikor;
pub use super::vikor::VikorOutput;

/// A whole-matrix aggregation method and its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatrixMethod {
    /// Copeland's non-compensatory score (OECD/JRC Handbook 2008, section 6.2.3).
    Copeland,
    /// Mazziotta-Pareto index (De Muro, Mazziotta & Pareto 2011).
    Mpi {
        /// Penalty direction (default negative: higher is better).
        #[serde(default)]
        penalty: Penalty,
        /// Standard deviation of the standardisation (default population).
        #[serde(default)]
        sd: SdKind,
    },
    /// Adjusted Mazziotta-Pareto index (Mazziotta & Pareto 2016).
    Ampi {
        /// Penalty direction (default negative: higher is better).
        #[serde(default)]
        penalty: Penalty,
        /// Goalposts of the re-scaling (default: the data range).
        #[serde(default)]
        goalposts: AmpiGoalposts,
    },
    /// TOPSIS relative closeness (Hwang & Yoon 1981).
    Topsis {
        /// Normalisation (default vector).
        #[serde(default)]
        normalisation: TopsisNormalisation,
    },
    /// Grey relational grade (Deng 1982).
    GreyRelational {
        /// Distinguishing coefficient ρ ∈ (0, 1] (default 0.5).
        #[serde(default = "half")]
        rho: f64,
    },
    /// VIKOR (Opricovic 1998).
    Vikor {
        /// Weight of the group utility ("majority") v ∈ [0, 1] (default 0.5).
        #[serde(default = "half")]
        v: f64,
        /// What is returned (default 1 − Q, so that higher is better like every other score).
        #[serde(default)]
        output: VikorOutput,
    },
    /// Minimum over the children with positive weight (Leontief, fully non-compensatory).
    Minimum,
}

fn half() -> f64 {
    0.5
}

impl MatrixMethod {
    /// The method's name as written in documents.
    pub fn name(&self) -> &'static str {
        match self {
            MatrixMethod::Copeland => "copeland",
            MatrixMethod::Mpi { .. } => "mpi",
            MatrixMethod::Ampi { .. } => "ampi",
            MatrixMethod::Topsis { .. } => "topsis",
            MatrixMethod::GreyRelational { .. } => "grey_relational",
            MatrixMethod::Vikor { .. } => "vikor",
            MatrixMethod::Minimum => "minimum",
        }
    }
}

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

fn run(method: &MatrixMethod, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
    let w = unit_weights(w)?;
    if x.ncols() == 0 {
        return Err(Fail::new("no children to aggregate"));
    }
    if !matches!(method, MatrixMethod::Minimum) {
        complete(x)?;
    }
    match method {
        MatrixMethod::Copeland => Ok(copeland(x, &w)),
        MatrixMethod::Mpi { penalty, sd } => mpi(x, &w, *penalty, *sd),
        MatrixMethod::Ampi { penalty, goalposts } => ampi(x, &w, *penalty, goalposts),
        MatrixMethod::Topsis { normalisation } => topsis(x, &w, *normalisation),
        MatrixMethod::GreyRelational { rho } => grey_relational(x, &w, *rho),
        MatrixMethod::Vikor { v, output } => vikor(x, &w, *v, *output),
        MatrixMethod::Minimum => Ok(minimum(x, &w)),
    }
}

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
