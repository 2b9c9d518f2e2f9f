//! The adjusted Mazziotta-Pareto index (AMPI).

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::method::Method;
use super::mpi::{combine, Penalty};
use super::whole::{col_range, Fail, KResult};

/// Adjusted Mazziotta-Pareto index (see [`ampi`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ampi {
    /// Penalty direction (default negative).
    #[serde(default)]
    pub penalty: Penalty,
    /// Goalposts (default: data range).
    #[serde(default)]
    pub goalposts: AmpiGoalposts,
}

impl Method for Ampi {
    fn about(&self) -> &'static str {
        "adjusted Mazziotta-Pareto index (options `penalty`, `goalposts`) · 调整 MPI 指数"
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        ampi(x, w, self.penalty, &self.goalposts)
    }
}

/// Goalposts of the AMPI re-scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AmpiGoalposts {
    /// Min_j and Max_j are the data's minimum and maximum of each child (the default;
    /// De Muro, Mazziotta & Pareto 2011).
    #[default]
    DataRange,
    /// Centred on a reference value per child (e.g. a base year's mean or a national
    /// value): Min_j = Ref_j − Δ_j, Max_j = Ref_j + Δ_j, Δ_j = (max_j − min_j)/2, so that
    /// the reference maps to 100 (Mazziotta & Pareto 2016).
    Reference {
        /// One reference value per child.
        values: Vec<f64>,
    },
    /// Fixed goalposts `[min, max]` per child.
    Fixed {
        /// One pair per child.
        values: Vec<[f64; 2]>,
    },
}

/// Adjusted Mazziotta-Pareto index (Mazziotta & Pareto 2016), weighted.
///
/// ```text
/// r_ij = 70 + 60 (x_ij − Min_j) / (Max_j − Min_j)      goalposts Min_j, Max_j (see AmpiGoalposts)
/// M_i, S_i, cv_i as in the MPI, on r
/// AMPI_i = M_i − S_i cv_i  (negative penalty)   or   M_i + S_i cv_i  (positive penalty)
/// ```
/// The penalty argument is honoured (Compind's `ci_ampi` ignores it).
///
/// # Errors
/// Goalposts of the wrong length or with Max ≤ Min, naming the child; a constant child under
/// the data range.
pub(crate) fn ampi(x: ArrayView2<'_, f64>, w: &[f64], penalty: Penalty, goalposts: &AmpiGoalposts) -> KResult<Array1<f64>> {
    let k = x.ncols();
    let mut gp = Vec::with_capacity(k);
    for (j, col) in x.columns().into_iter().enumerate() {
        let (lo, hi) = col_range(col);
        let (a, b) = match goalposts {
            AmpiGoalposts::DataRange => (lo, hi),
            AmpiGoalposts::Reference { values } => {
                let r = *values
                    .get(j)
                    .ok_or_else(|| Fail::new(format!("{} reference values for {k} children", values.len())))?;
                let d = (hi - lo) / 2.0;
                (r - d, r + d)
            }
            AmpiGoalposts::Fixed { values } => {
                let p = values
                    .get(j)
                    .ok_or_else(|| Fail::new(format!("{} goalpost pairs for {k} children", values.len())))?;
                (p[0], p[1])
            }
        };
        if !(b > a) || !a.is_finite() || !b.is_finite() {
            return Err(Fail::new(format!(
                "goalposts [{a}, {b}] are empty (a constant child under the data range, or max ≤ min)"
            ))
            .at(None, Some(j)));
        }
        gp.push((a, b));
    }
    combine(x, w, penalty, |j, v| 70.0 + 60.0 * (v - gp[j].0) / (gp[j].1 - gp[j].0))
}
