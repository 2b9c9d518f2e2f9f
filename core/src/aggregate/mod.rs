//! Aggregation: scoring every aggregate node from its children, level by level.
//!
//! Each method is a weighted mean over the children that are *present* for a unit;
//! weights are re-normalised over those children (COINr's behaviour):
//!
//! ```text
//! arithmetic   y = Σ wᵢ xᵢ / Σ wᵢ
//! geometric    y = exp( Σ wᵢ ln(xᵢ + s) / Σ wᵢ ) − s            (s = shift, default 0)
//! harmonic     y = Σ wᵢ / Σ (wᵢ / xᵢ)
//! generalised  y = ( Σ wᵢ xᵢᵖ / Σ wᵢ )^(1/p)                    (p = 0 → geometric)
//! ```
//! sums over children i with xᵢ not missing. If no child is present (or fewer than the
//! step's `min_coverage` share of them), the score is missing (NaN).
//!
//! Whole-matrix methods (Copeland, MPI / AMPI, TOPSIS, grey relational grade, VIKOR) and
//! the minimum live in [`matrix`]; as `Aggregator` variants they score each node from all
//! units' children at once (they need complete data, except the minimum).
//!
//! Geometric, harmonic and generalised means with p ≤ 0 need positive values: a value
//! ≤ 0 is an [`Error::Method`] naming the unit and node (set a `shift`, or normalise to
//! a positive range such as min-max [1, 100], as COINr's examples do).

mod copeland;
mod gra;
pub mod matrix;
mod means;
mod minimum;
mod mpi;
mod topsis;
mod vikor;
mod whole;

use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;

pub use matrix::{scores, scores_named, MatrixMethod};
pub use means::weighted_mean;
pub(crate) use means::{Mean, StreamedMean};

/// How many of `n` children must be present for a score under `min_coverage` (at least one).
pub(crate) fn children_needed(min_coverage: f64, n: usize) -> usize {
    (min_coverage * n as f64 - 1e-12).ceil().max(1.0) as usize
}

/// The built-in aggregation methods (`method` tag in the pipeline document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Aggregator {
    /// Weighted arithmetic mean.
    Arithmetic,
    /// Weighted geometric mean, optionally of shifted values.
    Geometric {
        /// Added before and subtracted after (default 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        shift: f64,
    },
    /// Weighted harmonic mean.
    Harmonic,
    /// Weighted generalised (power) mean with exponent `p`.
    Generalised {
        /// The exponent; 1 = arithmetic, 0 = geometric, −1 = harmonic.
        p: f64,
    },
    /// Copeland's non-compensatory score (OECD/JRC Handbook 2008, section 6.2.3).
    Copeland,
    /// Mazziotta-Pareto index (De Muro, Mazziotta & Pareto 2011).
    Mpi {
        /// Penalty direction (default negative).
        #[serde(default)]
        penalty: matrix::Penalty,
        /// Standard deviation of the standardisation (default population).
        #[serde(default)]
        sd: matrix::SdKind,
    },
    /// Adjusted Mazziotta-Pareto index (Mazziotta & Pareto 2016).
    Ampi {
        /// Penalty direction (default negative).
        #[serde(default)]
        penalty: matrix::Penalty,
        /// Goalposts (default: data range).
        #[serde(default)]
        goalposts: matrix::AmpiGoalposts,
    },
    /// TOPSIS relative closeness (Hwang & Yoon 1981).
    Topsis {
        /// Normalisation (default vector).
        #[serde(default)]
        normalisation: matrix::TopsisNormalisation,
    },
    /// Grey relational grade (Deng 1982; ρ ∈ (0, 1]).
    GreyRelational {
        /// Distinguishing coefficient (default 0.5).
        #[serde(default = "half")]
        rho: f64,
    },
    /// VIKOR (Opricovic 1998).
    Vikor {
        /// Weight of group utility (default 0.5).
        #[serde(default = "half")]
        v: f64,
        /// 1 − Q (default) or Q.
        #[serde(default)]
        output: matrix::VikorOutput,
    },
    /// Minimum over present children with positive weight (Leontief).
    Minimum,
}

fn half() -> f64 {
    0.5
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Aggregator {
    /// Every method's name as written in documents (the `method` tag), weighted means first:
    /// the list documents and bindings show, checked against the enum by tests.
    pub const METHODS: &'static [&'static str] = &[
        "arithmetic",
        "geometric",
        "harmonic",
        "generalised",
        "copeland",
        "mpi",
        "ampi",
        "topsis",
        "grey_relational",
        "vikor",
        "minimum",
    ];

    /// The method's name as written in documents.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregator::Arithmetic => "arithmetic",
            Aggregator::Geometric { .. } => "geometric",
            Aggregator::Harmonic => "harmonic",
            Aggregator::Generalised { .. } => "generalised",
            Aggregator::Copeland => "copeland",
            Aggregator::Mpi { .. } => "mpi",
            Aggregator::Ampi { .. } => "ampi",
            Aggregator::Topsis { .. } => "topsis",
            Aggregator::GreyRelational { .. } => "grey_relational",
            Aggregator::Vikor { .. } => "vikor",
            Aggregator::Minimum => "minimum",
        }
    }

    /// Whether the method scores a node from all units' children at once (Copeland, MPI,
    /// AMPI, TOPSIS, grey relational, VIKOR, minimum) rather than as a weighted mean per unit.
    pub fn is_whole(&self) -> bool {
        !matches!(
            self,
            Aggregator::Arithmetic | Aggregator::Geometric { .. } | Aggregator::Harmonic | Aggregator::Generalised { .. }
        )
    }

    /// The method itself if it is a whole-matrix method (`None` for the weighted means).
    #[deprecated(note = "whole-matrix methods are `Aggregator` variants: use `is_whole`")]
    pub fn matrix(&self) -> Option<MatrixMethod> {
        self.is_whole().then(|| self.clone())
    }

    /// Score one aggregate from its children's columns (`children` index columns of
    /// `scores`), whatever the method: weighted means row by row, whole-matrix methods on
    /// all units at once. `min_coverage` as in [`Aggregate`]; ids name units and children
    /// in errors.
    ///
    /// # Errors
    /// [`Error::Method`] naming unit and node (or child) when the method cannot take a value.
    #[allow(clippy::too_many_arguments)]
    pub fn score_node(
        &self,
        scores: &Array2<f64>,
        children: &[usize],
        w: &[f64],
        min_coverage: f64,
        node_id: &str,
        unit_ids: &[impl AsRef<str>],
        child_ids: &[String],
    ) -> Result<ndarray::Array1<f64>> {
        if !self.is_whole() {
            return means::aggregate_columns(self, scores, children, w, min_coverage).map_err(|(row, msg, method)| Error::Method {
                method: method.into(),
                message: msg,
                unit: Some(unit_ids.get(row).map_or_else(|| format!("#{row}"), |s| s.as_ref().to_owned())),
                node: Some(node_id.to_owned()),
            });
        }
        let n = scores.nrows();
        let mut x = Array2::<f64>::zeros((n, children.len()).f());
        for (k, &c) in children.iter().enumerate() {
            x.column_mut(k).assign(&scores.column(c));
        }
        self.score_whole(x.view(), w, min_coverage)
            .map_err(|f| f.named(self, node_id, |r| unit_ids.get(r).map(|s| s.as_ref().to_owned()), child_ids))
    }
}

impl Aggregator {
    /// Scores of every unit (row of `x`, one column per child) under weights `w`; the
    /// minimum's score is missing where fewer than `min_coverage` of the children are present.
    /// Errors are positions (unit row, child column), named by the caller only if it fails.
    pub(crate) fn score_whole(&self, x: ArrayView2<'_, f64>, w: &[f64], min_coverage: f64) -> matrix::KResult<ndarray::Array1<f64>> {
        if w.len() != x.ncols() {
            return Err(matrix::Fail::new(format!("{} weights for {} children", w.len(), x.ncols())));
        }
        let mut out = matrix::run(self, x, w)?;
        if matches!(self, Aggregator::Minimum) {
            let need = children_needed(min_coverage, x.ncols());
            for (o, row) in out.iter_mut().zip(x.rows()) {
                if row.iter().filter(|v| !v.is_nan()).count() < need {
                    *o = f64::NAN;
                }
            }
        }
        Ok(out)
    }
}

impl matrix::Fail {
    /// The failure as an [`Error::Method`] at node `node_id`, its unit and child named.
    pub(crate) fn named(self, mm: &Aggregator, node_id: &str, unit: impl Fn(usize) -> Option<String>, child_ids: &[String]) -> Error {
        let message = match self.col {
            Some(c) => {
                let child = child_ids.get(c).cloned().unwrap_or_else(|| format!("#{c}"));
                format!("{} (child `{child}`)", self.message)
            }
            None => self.message,
        };
        Error::Method {
            method: mm.name().into(),
            message,
            unit: self.row.map(|r| unit(r).unwrap_or_else(|| format!("#{r}"))),
            node: Some(node_id.to_owned()),
        }
    }
}

/// An aggregation method for one level (COINr level: indicators = 1) or one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// Applies to every aggregate at this level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// Applies to this node (takes precedence over a level override).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The method.
    #[serde(flatten)]
    pub method: Aggregator,
}

/// The `aggregate` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Default method for every aggregate node.
    #[serde(flatten)]
    pub method: Aggregator,
    /// Minimum share of a node's children that must be present (default 0: any one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_coverage: Option<f64>,
    /// Per-level or per-node methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
}

impl Default for Aggregate {
    fn default() -> Self {
        Aggregate {
            method: Aggregator::Arithmetic,
            min_coverage: None,
            overrides: Vec::new(),
        }
    }
}

impl Aggregate {
    /// The method used at a node.
    pub fn method_for(&self, fw: &Framework, node: usize) -> &Aggregator {
        let n = &fw.nodes()[node];
        self.overrides
            .iter()
            .find(|o| o.node.as_deref() == Some(n.id.as_str()))
            .or_else(|| self.overrides.iter().find(|o| o.node.is_none() && o.level == Some(n.level)))
            .map_or(&self.method, |o| &o.method)
    }

    /// Check the step against a framework (override targets exist, options in range).
    ///
    /// # Errors
    /// [`Error::Spec`] naming the bad option.
    pub fn check(&self, fw: &Framework) -> Result<()> {
        if let Some(c) = self.min_coverage {
            if !(0.0..=1.0).contains(&c) {
                return Err(Error::spec("aggregate step", format!("min_coverage {c} is outside [0, 1]")));
            }
        }
        for o in &self.overrides {
            match (&o.node, o.level) {
                (Some(id), _) => {
                    if fw.index_of(id).is_none() {
                        return Err(fw.unknown_node(id, "aggregate override"));
                    }
                }
                (None, Some(l)) if l < 2 || l > fw.max_level() => {
                    return Err(Error::spec(
                        "aggregate step",
                        format!("override level {l} has no aggregates (levels 2..={})", fw.max_level()),
                    ));
                }
                (None, Some(_)) => {}
                (None, None) => return Err(Error::spec("aggregate step", "an override needs `level` or `node`")),
            }
        }
        for m in std::iter::once(&self.method).chain(self.overrides.iter().map(|o| &o.method)) {
            if let Aggregator::Generalised { p } = m {
                if !p.is_finite() {
                    return Err(Error::spec(
                        "aggregate step",
                        format!("generalised mean exponent p = {p} is not finite"),
                    ));
                }
            }
            match m {
                Aggregator::GreyRelational { rho } if !(*rho > 0.0 && *rho <= 1.0) => {
                    return Err(Error::spec(
                        "aggregate step",
                        format!("grey relational ρ = {rho} is outside (0, 1]"),
                    ));
                }
                Aggregator::Vikor { v, .. } if !(0.0..=1.0).contains(v) => {
                    return Err(Error::spec("aggregate step", format!("VIKOR v = {v} is outside [0, 1]")));
                }
                _ => {}
            }
            if let Aggregator::Geometric { shift } = m {
                if !shift.is_finite() {
                    return Err(Error::spec("aggregate step", format!("geometric shift {shift} is not finite")));
                }
            }
        }
        Ok(())
    }

    /// Score every node: `indicators` is units × framework indicators (normalised);
    /// the result is units × framework nodes (column-major), indicator columns copied,
    /// aggregate columns computed bottom-up.
    ///
    /// `weights` gives each node's weight (relative to siblings); `unit_ids` names units in errors.
    ///
    /// # Errors
    /// [`Error::Method`] naming unit and node when a method cannot take a value.
    pub fn apply(&self, fw: &Framework, weights: &[f64], indicators: ArrayView2<'_, f64>, unit_ids: &[&str]) -> Result<Array2<f64>> {
        self.check(fw)?;
        let n = indicators.nrows();
        // Every column is written: indicators copied, aggregates scored.
        let mut scores = crate::kernels::alloc::zeros_f(n, fw.nodes().len())?;
        for (j, &node) in fw.indicators().iter().enumerate() {
            scores.column_mut(node).assign(&indicators.column(j));
        }
        self.score_aggregates(fw, weights, &mut scores, unit_ids, &[], None)?;
        Ok(scores)
    }

    /// Fill the aggregate columns of a units × nodes matrix whose indicator columns are set.
    /// Nodes marked in `done` are already scored and skipped.
    pub(crate) fn score_aggregates(
        &self,
        fw: &Framework,
        weights: &[f64],
        scores: &mut Array2<f64>,
        unit_ids: &[impl AsRef<str>],
        done: &[bool],
        col_of: Option<&[usize]>,
    ) -> Result<()> {
        // `col_of` maps node index → column of `scores` (identity when absent), so a
        // matrix of the aggregates alone can be scored.
        let col = |i: usize| col_of.map_or(i, |m| m[i]);
        let min_cov = self.min_coverage.unwrap_or(0.0);
        for &a in fw
            .aggregates_bottom_up()
            .iter()
            .filter(|&&a| !done.get(a).copied().unwrap_or(false))
        {
            let node = &fw.nodes()[a];
            let children: Vec<usize> = node.children.iter().map(|&c| col(c)).collect();
            let w: Vec<f64> = node.children.iter().map(|&c| weights[c]).collect();
            let child_ids: Vec<String> = node.children.iter().map(|&c| fw.nodes()[c].id.clone()).collect();
            let out = self
                .method_for(fw, a)
                .score_node(scores, &children, &w, min_cov, &node.id, unit_ids, &child_ids)?;
            scores.column_mut(col(a)).assign(&out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry of names is the enum: each name reads (with default options) as the
    /// variant that gives it back, and the variants' names are all listed.
    #[test]
    fn method_names_are_the_enum() {
        for &m in Aggregator::METHODS {
            let doc = if m == "generalised" {
                format!(r#"{{"method":"{m}","p":2.0}}"#)
            } else {
                format!(r#"{{"method":"{m}"}}"#)
            };
            let a: Aggregator = serde_json::from_str(&doc).unwrap_or_else(|e| panic!("{m}: {e}"));
            assert_eq!(a.name(), m);
            let back = serde_json::to_value(&a).unwrap();
            assert_eq!(back["method"], m);
        }
        let mut sorted = Aggregator::METHODS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), Aggregator::METHODS.len());
        assert!(serde_json::from_str::<Aggregator>(r#"{"method":"median"}"#).is_err());
    }
}
