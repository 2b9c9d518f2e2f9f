//! Obstacle degree (障碍度): how much each indicator (and dimension) holds a unit back.

use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;

/// Obstacle degrees of every node for every unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Obstacles {
    /// Node ids (columns of `degree`).
    pub nodes: Vec<String>,
    /// Units × nodes obstacle degrees in [0, 1] (the indicators of a unit sum to 1; an
    /// aggregate's degree is the sum of its indicators'; the root's is 1, or 0 when the unit
    /// has no deviation anywhere).
    pub degree: Array2<f64>,
}

/// Obstacle degree of every indicator for every unit.
///
/// `x` is units × indicators of normalised scores on [0, `max`] (higher is better, e.g.
/// min-max [0, 1] or [0, 100] with `max` = 100); `w` the indicators' effective weights.
///
/// ```text
/// F_j  = w_j                          factor contribution
/// I_ij = 1 − x_ij / max               indicator deviation
/// O_ij = F_j I_ij / Σ_j F_j I_ij      obstacle degree (share of the unit's weighted shortfall)
/// ```
/// A unit with no shortfall (Σ_j F_j I_ij = 0: at the maximum on every weighted indicator)
/// has obstacle degree 0 everywhere.
///
/// # Errors
/// [`Error::Shape`] if `w` does not match; [`Error::Spec`] for `max` ≤ 0 or a negative
/// weight; [`Error::Method`] naming unit and column index for a missing value or one
/// outside [0, max].
pub fn obstacle_degree(x: ArrayView2<'_, f64>, w: &[f64], max: f64) -> Result<Array2<f64>> {
    obstacle_named(x, w, max, None, None)
}

fn obstacle_named(x: ArrayView2<'_, f64>, w: &[f64], max: f64, units: Option<&[String]>, cols: Option<&[String]>) -> Result<Array2<f64>> {
    const M: &str = "obstacle degree";
    let (n, m) = x.dim();
    if w.len() != m {
        return Err(Error::Shape {
            what: M.into(),
            expected: format!("{m} weights"),
            found: w.len().to_string(),
        });
    }
    if !(max > 0.0) || !max.is_finite() {
        return Err(Error::spec(M, format!("scale maximum {max} must be positive")));
    }
    if let Some(v) = w.iter().find(|v| !(**v >= 0.0) || !v.is_finite()) {
        return Err(Error::spec(M, format!("weight {v} is negative or not finite")));
    }
    let tol = 1e-9 * max;
    let mut o = Array2::<f64>::zeros((n, m).f());
    let mut total = vec![0.0; n];
    for j in 0..m {
        for i in 0..n {
            let v = x[[i, j]];
            if !v.is_finite() || v < -tol || v > max + tol {
                return Err(Error::Method {
                    method: M.into(),
                    message: format!("value {v} is missing or outside [0, {max}] (normalise first)"),
                    unit: Some(units.and_then(|u| u.get(i).cloned()).unwrap_or_else(|| format!("#{i}"))),
                    node: Some(cols.and_then(|c| c.get(j).cloned()).unwrap_or_else(|| format!("#{j}"))),
                });
            }
            let dev = (1.0 - v / max).clamp(0.0, 1.0) * w[j];
            o[[i, j]] = dev;
            total[i] += dev;
        }
    }
    for j in 0..m {
        for (i, t) in total.iter().enumerate() {
            o[[i, j]] = if *t > 0.0 { o[[i, j]] / t } else { 0.0 };
        }
    }
    Ok(o)
}

/// Obstacle degree of every node of a framework: `x` is units × framework indicators (in
/// `fw.indicator_ids()` order) of normalised scores on [0, `max`]; indicator factor
/// contributions are their effective weights in the index. An aggregate's obstacle degree
/// is the sum of its indicators' (dimension obstacle degree).
///
/// # Errors
/// As [`obstacle_degree`], naming unit and indicator.
pub fn obstacle_degree_framework(fw: &Framework, x: ArrayView2<'_, f64>, max: f64, unit_ids: Option<&[String]>) -> Result<Obstacles> {
    if x.ncols() != fw.indicators().len() {
        return Err(Error::Shape {
            what: "obstacle degree".into(),
            expected: format!("{} indicator columns", fw.indicators().len()),
            found: x.ncols().to_string(),
        });
    }
    let eff = fw.effective_weights();
    let w: Vec<f64> = fw.indicators().iter().map(|&i| eff[i]).collect();
    let ids: Vec<String> = fw.indicator_ids().into_iter().map(str::to_owned).collect();
    let oi = obstacle_named(x, &w, max, unit_ids, Some(&ids))?;
    let nodes = fw.nodes();
    let n = x.nrows();
    let mut degree = Array2::<f64>::zeros((n, nodes.len()).f());
    for (j, &node) in fw.indicators().iter().enumerate() {
        degree.column_mut(node).assign(&oi.column(j));
    }
    for &a in fw.aggregates_bottom_up() {
        for &c in &nodes[a].children {
            let child = degree.column(c).to_owned();
            let mut col = degree.column_mut(a);
            col += &child;
        }
    }
    Ok(Obstacles {
        nodes: nodes.iter().map(|nd| nd.id.clone()).collect(),
        degree,
    })
}
