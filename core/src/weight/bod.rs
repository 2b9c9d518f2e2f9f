//! Benefit of the doubt (Melyn & Moesen 1991; Cherchye et al. 2007; OECD/JRC Handbook
//! 2008, section 6.3): each unit's own most favourable weights, by linear programming.
//!
//! The LPs are solved with `microlp` (pure Rust simplex, the maintained successor of `minilp`).

use ndarray::{Array1, Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::common::{check_matrix, minmax_into, Criteria};
use crate::error::{Error, Result};
use crate::framework::Direction;

/// How the data enter the LPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodInput {
    /// Direction-aware min-max to [0, 1] first (the default).
    #[default]
    Minmax,
    /// The data as given: every criterion must be benefit-type and every value ≥ 0.
    AsIs,
}

/// Options of [`benefit_of_the_doubt`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BodOptions {
    /// Data treatment (default min-max).
    #[serde(default)]
    pub input: BodInput,
    /// Optional bounds `[lower, upper]` on each criterion's share of the unit's score
    /// ("pie shares", Cherchye et al. 2007), one pair per criterion, within [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_bounds: Option<Vec<[f64; 2]>>,
}

/// Per-unit benefit-of-the-doubt scores and weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodResult {
    /// Criterion ids.
    pub criteria: Vec<String>,
    /// Each unit's BoD score in [0, 1] (1 = on the frontier).
    pub scores: Array1<f64>,
    /// Each unit's optimal weights w_ij (units × criteria), on the (normalised) data scale.
    pub weights: Array2<f64>,
    /// Each unit's weight shares w_ij y_ij / score_i (units × criteria; 0 for a score of 0).
    pub shares: Array2<f64>,
}

/// Benefit-of-the-doubt scores: for every unit i, solve
///
/// ```text
/// max_w  CI_i = Σ_j w_j y_ij
/// s.t.   Σ_j w_j y_kj ≤ 1        for every unit k
///        w_j ≥ 0
///        L_j · Σ_l w_l y_il ≤ w_j y_ij ≤ U_j · Σ_l w_l y_il     (optional share bounds)
/// ```
/// where y is the direction-aware min-max data (or the data as given). A unit whose values
/// are all 0 scores 0. With share bounds a criterion on which the unit has y_ij = 0 but
/// L_j > 0 forces its score to 0 (the LP's answer, not an error).
///
/// # Errors
/// [`Error::Method`] naming unit and criterion for a missing value (or, with `AsIs`, a
/// negative value or a cost criterion); [`Error::Spec`] for bounds of the wrong length or
/// outside 0 ≤ L ≤ U ≤ 1, or lower bounds summing above 1; [`Error::Method`] naming the
/// unit if the LP solver fails.
pub fn benefit_of_the_doubt(x: ArrayView2<'_, f64>, c: &Criteria, opts: &BodOptions) -> Result<BodResult> {
    const M: &str = "benefit of the doubt";
    check_matrix(M, x, c, 1)?;
    let (n, m) = x.dim();
    let mut y = Array2::<f64>::zeros((n, m).f());
    match opts.input {
        BodInput::Minmax => {
            let mut buf = vec![0.0; n];
            for j in 0..m {
                minmax_into(x.column(j), c.directions[j], &mut buf);
                y.column_mut(j).iter_mut().zip(&buf).for_each(|(o, &v)| *o = v);
            }
        }
        BodInput::AsIs => {
            for j in 0..m {
                if c.directions[j] == Direction::Cost {
                    return Err(Error::Method {
                        method: M.into(),
                        message: "a cost criterion cannot enter as is (use the min-max input)".into(),
                        unit: None,
                        node: Some(c.names[j].clone()),
                    });
                }
                if let Some(k) = x.column(j).iter().position(|&v| v < 0.0) {
                    return Err(Error::Method {
                        method: M.into(),
                        message: format!("value {} < 0 (BoD needs non-negative data)", x[[k, j]]),
                        unit: Some(c.unit(k)),
                        node: Some(c.names[j].clone()),
                    });
                }
            }
            y.assign(&x);
        }
    }
    if let Some(b) = &opts.share_bounds {
        if b.len() != m {
            return Err(Error::spec(M, format!("{} share bounds for {m} criteria", b.len())));
        }
        for (j, [lo, hi]) in b.iter().enumerate() {
            if !(0.0 <= *lo && lo <= hi && *hi <= 1.0) {
                return Err(Error::spec(
                    M,
                    format!("share bounds [{lo}, {hi}] of `{}` must satisfy 0 ≤ lower ≤ upper ≤ 1", c.names[j]),
                ));
            }
        }
        let lsum: f64 = b.iter().map(|p| p[0]).sum();
        let usum: f64 = b.iter().map(|p| p[1]).sum();
        if lsum > 1.0 + 1e-12 || usum < 1.0 - 1e-12 {
            return Err(Error::spec(
                M,
                format!("share bounds cannot be met: lower bounds sum to {lsum}, upper bounds to {usum}"),
            ));
        }
    }
    let mut scores = Array1::<f64>::zeros(n);
    let mut weights = Array2::<f64>::zeros((n, m).f());
    let mut shares = Array2::<f64>::zeros((n, m).f());
    for i in 0..n {
        if y.row(i).iter().all(|&v| v == 0.0) {
            continue;
        }
        let mut lp = microlp::Problem::new(microlp::OptimizationDirection::Maximize);
        let vars: Vec<microlp::Variable> = (0..m).map(|j| lp.add_var(y[[i, j]], (0.0, f64::INFINITY))).collect();
        for k in 0..n {
            let terms: Vec<(microlp::Variable, f64)> = (0..m).filter(|&j| y[[k, j]] != 0.0).map(|j| (vars[j], y[[k, j]])).collect();
            if !terms.is_empty() {
                lp.add_constraint(terms, microlp::ComparisonOp::Le, 1.0);
            }
        }
        if let Some(b) = &opts.share_bounds {
            for (j, &[lo, hi]) in b.iter().enumerate() {
                // w_j y_ij − L_j Σ_l w_l y_il ≥ 0   and   w_j y_ij − U_j Σ_l w_l y_il ≤ 0
                for (bound, op) in [(lo, microlp::ComparisonOp::Ge), (hi, microlp::ComparisonOp::Le)] {
                    let terms: Vec<(microlp::Variable, f64)> = (0..m)
                        .map(|l| {
                            let own = if l == j { y[[i, j]] } else { 0.0 };
                            (vars[l], own - bound * y[[i, l]])
                        })
                        .collect();
                    lp.add_constraint(terms, op, 0.0);
                }
            }
        }
        let sol = lp.solve().map_err(|e| Error::Method {
            method: M.into(),
            message: format!("linear programme failed: {e}"),
            unit: Some(c.unit(i)),
            node: None,
        })?;
        let score = sol.objective().clamp(0.0, 1.0);
        scores[i] = score;
        for j in 0..m {
            let w = sol[vars[j]].max(0.0);
            weights[[i, j]] = w;
            if score > 0.0 {
                shares[[i, j]] = w * y[[i, j]] / score;
            }
        }
    }
    Ok(BodResult {
        criteria: c.names.clone(),
        scores,
        weights,
        shares,
    })
}
