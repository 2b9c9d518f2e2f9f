//! The Mazziotta-Pareto index (MPI); its penalised mean is shared with the AMPI (`ampi.rs`).

// Comparisons written `!(x > 0.0)` deliberately reject NaN as well.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::method::Method;
use super::whole::{Fail, KResult};

/// Mazziotta-Pareto index (see [`mpi`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Mpi {
    /// Penalty direction (default negative).
    #[serde(default)]
    pub penalty: Penalty,
    /// Standard deviation of the standardisation (default population).
    #[serde(default)]
    pub sd: SdKind,
}

impl Method for Mpi {
    fn about(&self) -> &'static str {
        "Mazziotta-Pareto index (options `penalty`, `sd`) · MPI 指数"
    }
    fn score(&self, x: ArrayView2<'_, f64>, w: &[f64]) -> KResult<Array1<f64>> {
        mpi(x, w, self.penalty, self.sd)
    }
}


/// Direction of the penalty for unbalanced children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    /// M − S·cv: for indices where higher is better (the default here, as every aggregated
    /// score is benefit-oriented).
    #[default]
    Negative,
    /// M + S·cv: for indices where higher is worse (e.g. deprivation).
    Positive,
}

impl Penalty {
    pub(super) fn sign(self) -> f64 {
        match self {
            Penalty::Negative => -1.0,
            Penalty::Positive => 1.0,
        }
    }
}

/// Divisor of the standard deviations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SdKind {
    /// Population (÷ n): the published formula and the default.
    #[default]
    Population,
    /// Sample (÷ (n − 1)) in the standardisation of each child only; each unit's sd across
    /// its children stays ÷ n. This is the change Compind's `ci_mpi` makes, but its output is
    /// not reproduced: issue 21 measured 0.226 between the two on the OECD BLI data, and no
    /// test holds zhili to Compind's MPI (`mpi_by_hand` in tests/aggregate_methods.rs checks
    /// this variant by hand).
    Sample,
}

/// Penalised weighted mean of the rescaled children, column by column (contiguous in
/// column-major): two passes, mean then squared deviations.
pub(super) fn combine(x: ArrayView2<'_, f64>, w: &[f64], penalty: Penalty, rescale: impl Fn(usize, f64) -> f64) -> KResult<Array1<f64>> {
    let n = x.nrows();
    let mut m = Array1::<f64>::zeros(n);
    for (j, col) in x.columns().into_iter().enumerate() {
        for (o, &v) in m.iter_mut().zip(col) {
            *o += w[j] * rescale(j, v);
        }
    }
    let mut var = Array1::<f64>::zeros(n);
    for (j, col) in x.columns().into_iter().enumerate() {
        for ((o, &v), &mi) in var.iter_mut().zip(col).zip(&m) {
            let d = rescale(j, v) - mi;
            *o += w[j] * d * d;
        }
    }
    let mut out = Array1::<f64>::zeros(n);
    for (i, ((o, &mi), &vi)) in out.iter_mut().zip(&m).zip(&var).enumerate() {
        if !(mi > 0.0) {
            return Err(Fail::new(format!(
                "the mean of the rescaled values is {mi} ≤ 0, so the coefficient of variation is undefined"
            ))
            .at(Some(i), None));
        }
        // S · cv = S² / M
        *o = mi + penalty.sign() * vi.max(0.0) / mi;
    }
    Ok(out)
}

/// Mazziotta-Pareto index (De Muro, Mazziotta & Pareto 2011), weighted.
///
/// ```text
/// z_ij = 100 + 10 (x_ij − M_j) / S_j           M_j, S_j: mean and sd of child j over units
///                                              (population sd by default)
/// M_i  = Σ_j w_j z_ij                          (weights sum to 1; equal weights = the MPI)
/// S_i  = √( Σ_j w_j (z_ij − M_i)² )            (population sd across children)
/// cv_i = S_i / M_i
/// MPI_i = M_i − S_i cv_i  (negative penalty)   or   M_i + S_i cv_i  (positive penalty)
/// ```
///
/// Not Compind's `ci_mpi`, which uses the sample sd in the standardisation. `SdKind::Sample`
/// makes the same change but does not reproduce `ci_mpi`'s numbers (see [`SdKind::Sample`]);
/// both variants are checked by hand in tests/aggregate_methods.rs (`mpi_by_hand`).
///
/// # Errors
/// A constant child (S_j = 0), naming it; fewer than 2 units; M_i ≤ 0 (only with extreme
/// outliers), naming the unit.
pub(crate) fn mpi(x: ArrayView2<'_, f64>, w: &[f64], penalty: Penalty, sd: SdKind) -> KResult<Array1<f64>> {
    let n = x.nrows();
    if n < 2 {
        return Err(Fail::new("MPI standardises over units: needs at least 2"));
    }
    let mut mu = Vec::with_capacity(x.ncols());
    let mut sdv = Vec::with_capacity(x.ncols());
    for (j, col) in x.columns().into_iter().enumerate() {
        let m = col.sum() / n as f64;
        let ss: f64 = col.iter().map(|v| (v - m) * (v - m)).sum();
        let d = match sd {
            SdKind::Population => n as f64,
            SdKind::Sample => (n - 1) as f64,
        };
        let s = (ss / d).sqrt();
        if !(s > 0.0) {
            return Err(Fail::new("the child is constant across units, so it cannot be standardised").at(None, Some(j)));
        }
        mu.push(m);
        sdv.push(s);
    }
    combine(x, w, penalty, |j, v| 100.0 + 10.0 * (v - mu[j]) / sdv[j])
}
