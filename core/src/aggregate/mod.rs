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
//! Geometric, harmonic and generalised means with p ≤ 0 need positive values: a value
//! ≤ 0 is an [`Error::Method`] naming the unit and node (set a `shift`, or normalise to
//! a positive range such as min-max [1, 100], as COINr's examples do).

mod means;

use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;

pub use means::weighted_mean;

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
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Aggregator {
    /// The method's name as written in documents.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregator::Arithmetic => "arithmetic",
            Aggregator::Geometric { .. } => "geometric",
            Aggregator::Harmonic => "harmonic",
            Aggregator::Generalised { .. } => "generalised",
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
                    fw.node(id).map_err(|_| Error::Unknown {
                        what: "node",
                        id: id.clone(),
                        context: "aggregate override".into(),
                    })?;
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
        let mut scores = Array2::<f64>::from_elem((n, fw.nodes().len()).f(), f64::NAN);
        for (j, &node) in fw.indicators().iter().enumerate() {
            scores.column_mut(node).assign(&indicators.column(j));
        }
        self.score_aggregates(fw, weights, &mut scores, unit_ids)?;
        Ok(scores)
    }

    /// Fill the aggregate columns of a units × nodes matrix whose indicator columns are set.
    pub(crate) fn score_aggregates(&self, fw: &Framework, weights: &[f64], scores: &mut Array2<f64>, unit_ids: &[&str]) -> Result<()> {
        let min_cov = self.min_coverage.unwrap_or(0.0);
        for &a in fw.aggregates_bottom_up() {
            let node = &fw.nodes()[a];
            let children = &node.children;
            let w: Vec<f64> = children.iter().map(|&c| weights[c]).collect();
            let out = means::aggregate_columns(self.method_for(fw, a), scores, children, &w, min_cov).map_err(|(row, msg, method)| {
                Error::Method {
                    method: method.into(),
                    message: msg,
                    unit: Some(unit_ids.get(row).map_or_else(|| format!("#{row}"), |s| (*s).to_owned())),
                    node: Some(node.id.clone()),
                }
            })?;
            scores.column_mut(a).assign(&out);
        }
        Ok(())
    }
}
