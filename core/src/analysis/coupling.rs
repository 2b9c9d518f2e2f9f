//! Coupling coordination degree (耦合协调度) between subsystem scores.

use ndarray::{Array1, Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::grading::Grading;
use crate::error::{Error, Result};

/// Which coupling degree C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CouplingVariant {
    /// The customary C = n · (Π U_i)^(1/n) / Σ U_i (geometric over arithmetic mean).
    #[default]
    Standard,
    /// The modified C of Wang Shujia et al. (2021), 经济地理 41(1), which spreads C over
    /// [0, 1] instead of crowding it near 1; needs U_i ∈ [0, 1].
    Modified,
}

/// Options of [`coupling_coordination`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CouplingOptions {
    /// Which C (default standard).
    #[serde(default)]
    pub variant: CouplingVariant,
    /// Contribution weights α_i of the subsystems to T (default equal), summing to 1 after
    /// normalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<Vec<f64>>,
}

/// Coupling degree, coordination index and coupling coordination degree per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouplingResult {
    /// Coupling degree C ∈ [0, 1].
    pub c: Array1<f64>,
    /// Comprehensive coordination index T = Σ α_i U_i.
    pub t: Array1<f64>,
    /// Coupling coordination degree D = √(C · T).
    pub d: Array1<f64>,
    /// The customary band of D (see [`coupling_d_bands`]), for D within [0, 1].
    pub band: Vec<Option<String>>,
}

/// The customary ten bands of D (0.1 wide), lowest first:
/// 极度失调 extreme disorder [0, 0.1), 严重失调 severe disorder, 中度失调 moderate disorder,
/// 轻度失调 mild disorder, 濒临失调 on the verge of disorder, 勉强协调 barely coordinated,
/// 初级协调 primary coordination, 中级协调 intermediate coordination, 良好协调 good
/// coordination, 优质协调 high-quality coordination [0.9, 1].
pub fn coupling_d_bands() -> Grading {
    Grading::fixed(
        (1..10).map(|k| k as f64 / 10.0).collect(),
        [
            "极度失调",
            "严重失调",
            "中度失调",
            "轻度失调",
            "濒临失调",
            "勉强协调",
            "初级协调",
            "中级协调",
            "良好协调",
            "优质协调",
        ],
    )
}

/// Coupling coordination between n ≥ 2 subsystems: `u` is units × subsystems (each column
/// a dimension's score, typically on [0, 1]).
///
/// ```text
/// standard:  C = n · (Π_i U_i)^(1/n) / Σ_i U_i                          (C = 0 if every U_i = 0)
/// modified:  C = √( [1 − Σ_{i<j} |U_i − U_j| / Σ_{m=1}^{n−1} m] · [Π_i (U_i / max_k U_k)]^(1/(n−1)) )
///                                                                        (Wang Shujia et al. 2021)
/// T = Σ_i α_i U_i,   D = √(C · T)
/// ```
/// Bands: [`coupling_d_bands`] (only meaningful for scores on [0, 1]).
///
/// # Errors
/// [`Error::Shape`] for fewer than 2 subsystems or α of the wrong length; [`Error::Spec`]
/// for negative α or α summing to 0; [`Error::Method`] naming the unit for a missing or
/// negative score, or (modified C) one above 1.
pub fn coupling_coordination(u: ArrayView2<'_, f64>, opts: &CouplingOptions, unit_ids: Option<&[String]>) -> Result<CouplingResult> {
    const M: &str = "coupling coordination";
    let (n_units, n) = u.dim();
    if n < 2 {
        return Err(Error::Shape {
            what: M.into(),
            expected: "at least 2 subsystem columns".into(),
            found: n.to_string(),
        });
    }
    let alpha: Vec<f64> = match &opts.alpha {
        None => vec![1.0 / n as f64; n],
        Some(a) => {
            if a.len() != n {
                return Err(Error::Shape {
                    what: format!("{M} α"),
                    expected: n.to_string(),
                    found: a.len().to_string(),
                });
            }
            let s: f64 = a.iter().sum();
            if a.iter().any(|v| !(*v >= 0.0) || !v.is_finite()) || !(s > 0.0) {
                return Err(Error::spec(M, "α must be non-negative with a positive sum"));
            }
            a.iter().map(|v| v / s).collect()
        }
    };
    let unit = |i: usize| unit_ids.and_then(|u| u.get(i).cloned()).unwrap_or_else(|| format!("#{i}"));
    let pairs = (n * (n - 1) / 2) as f64;
    let mut c = Array1::<f64>::zeros(n_units);
    let mut t = Array1::<f64>::zeros(n_units);
    let mut d = Array1::<f64>::zeros(n_units);
    for i in 0..n_units {
        let row = u.row(i);
        for &v in row {
            let bad = if !v.is_finite() {
                Some("is missing or not finite")
            } else if v < 0.0 {
                Some("is negative (scale the subsystem scores to be ≥ 0)")
            } else if opts.variant == CouplingVariant::Modified && v > 1.0 {
                Some("is above 1 (the modified C needs scores on [0, 1])")
            } else {
                None
            };
            if let Some(why) = bad {
                return Err(Error::Method {
                    method: M.into(),
                    message: format!("subsystem score {v} {why}"),
                    unit: Some(unit(i)),
                    node: None,
                });
            }
        }
        let sum: f64 = row.sum();
        let ci = match opts.variant {
            CouplingVariant::Standard => {
                if sum > 0.0 {
                    let gm = (row.iter().map(|v| v.ln()).sum::<f64>() / n as f64).exp();
                    (n as f64 * gm / sum).min(1.0)
                } else {
                    0.0
                }
            }
            CouplingVariant::Modified => {
                let max = row.iter().copied().fold(0.0, f64::max);
                if max > 0.0 {
                    let mut spread = 0.0;
                    for a in 0..n {
                        for b in (a + 1)..n {
                            spread += (row[a] - row[b]).abs();
                        }
                    }
                    let prod: f64 = row.iter().map(|v| v / max).product();
                    ((1.0 - spread / pairs).max(0.0) * prod.powf(1.0 / (n as f64 - 1.0))).sqrt()
                } else {
                    0.0
                }
            }
        };
        let ti: f64 = row.iter().zip(&alpha).map(|(v, a)| v * a).sum();
        let di = (ci * ti).sqrt();
        c[i] = ci;
        t[i] = ti;
        d[i] = di;
    }
    let graded = coupling_d_bands().apply(d.view())?;
    let band = graded
        .labels
        .into_iter()
        .zip(d.iter())
        .map(|(l, &di)| if (0.0..=1.0).contains(&di) { l } else { None })
        .collect();
    Ok(CouplingResult { c, t, d, band })
}

/// [`coupling_coordination`] between chosen nodes of a framework: `scores` is units × all
/// framework nodes (as the aggregate step returns them), `dims` the node ids of the
/// subsystems (typically dimensions), `scale` the maximum of the score scale (e.g. 100 for
/// min-max [0, 100] scores; they are divided by it so that U ∈ [0, 1]).
///
/// # Errors
/// [`Error::Unknown`] for an id not in the framework; [`Error::Shape`] if `scores` does not
/// have one column per node; [`Error::Spec`] for `scale` ≤ 0; otherwise as
/// [`coupling_coordination`].
pub fn coupling_coordination_nodes(
    fw: &crate::framework::Framework,
    scores: ArrayView2<'_, f64>,
    dims: &[&str],
    scale: f64,
    opts: &CouplingOptions,
    unit_ids: Option<&[String]>,
) -> Result<CouplingResult> {
    if scores.ncols() != fw.nodes().len() {
        return Err(Error::Shape {
            what: "coupling coordination".into(),
            expected: format!("{} node columns", fw.nodes().len()),
            found: scores.ncols().to_string(),
        });
    }
    if !(scale > 0.0) || !scale.is_finite() {
        return Err(Error::spec("coupling coordination", format!("scale {scale} must be positive")));
    }
    let idx = dims
        .iter()
        .map(|d| fw.index_of(d).ok_or_else(|| fw.unknown_node(d, "coupling coordination")))
        .collect::<Result<Vec<_>>>()?;
    let u = Array2::from_shape_fn((scores.nrows(), idx.len()).f(), |(i, k)| scores[[i, idx[k]]] / scale);
    coupling_coordination(u.view(), opts, unit_ids)
}
