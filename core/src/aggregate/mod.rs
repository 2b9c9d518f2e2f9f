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
//! Every other method scores a node from a units × children matrix: the per-unit ones (the
//! minimum, the weighted median) skip missing children like the means; the whole-matrix ones
//! (Copeland, MPI / AMPI, TOPSIS, grey relational grade, VIKOR) compare units with each other
//! and need complete data. `zhili methods aggregate` lists them all.
//!
//! **The registry.** Each method lives in one file, whose struct declares everything about
//! it (options, one-line description, weighted-mean kernel or matrix score, per-unit or
//! whole-matrix, option checks) by implementing the crate-private `Method` trait; the
//! `registry!` below lists each method on one line, and generates the [`Aggregator`] enum
//! (the serde document format `{"method": "...", ...}`), [`Aggregator::METHODS`],
//! [`Aggregator::name`], [`Aggregator::examples`] and the dispatch. Every driver (`run`, the
//! streamed `score`, uncertainty, sensitivity, `fit`) asks the method, never names it.
//!
//! Geometric, harmonic and generalised means with p ≤ 0 need positive values: a value
//! ≤ 0 is an [`Error::Method`] naming the unit and node (set a `shift`, or normalise to
//! a positive range such as min-max [1, 100], as COINr's examples do).

pub mod matrix;
mod means;
mod method;
#[macro_use]
mod registry;
mod whole;

use ndarray::{Array2, ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::framework::Framework;

pub use matrix::{scores, scores_named, MatrixMethod};
pub use means::weighted_mean;
pub(crate) use means::{Mean, StreamedMean};
use method::Method;

/// How many of `n` children must be present for a score under `min_coverage` (at least one).
pub(crate) fn children_needed(min_coverage: f64, n: usize) -> usize {
    (min_coverage * n as f64 - 1e-12).ceil().max(1.0) as usize
}

// The registry: one line per method — its name in documents, its `Aggregator` variant and
// the struct in its file that declares everything else (options, docs line, weighted mean or
// whole-matrix, per-unit or not, kernel). Weighted means first; the order is the order of
// every generated list.
registry! {
    "arithmetic" => Arithmetic = arithmetic::Arithmetic;
    "geometric" => Geometric(geometric::Geometric);
    "harmonic" => Harmonic = harmonic::Harmonic;
    "generalised" => Generalised(generalised::Generalised);
    "copeland" => Copeland = copeland::Copeland;
    "mpi" => Mpi(mpi::Mpi);
    "ampi" => Ampi(ampi::Ampi);
    "topsis" => Topsis(topsis::Topsis);
    "grey_relational" => GreyRelational(gra::GreyRelational);
    "vikor" => Vikor(vikor::Vikor);
    "minimum" => Minimum = minimum::Minimum;
    "median" => Median = median::Median;
}

impl Aggregator {
    /// One line describing the method (English · 中文), as its file declares it.
    pub fn about(&self) -> &'static str {
        self.method().about()
    }

    /// Whether the method scores a node from all units' children at once rather than as a
    /// weighted mean per unit (every method but the four weighted means).
    pub fn is_whole(&self) -> bool {
        self.method().mean().is_none()
    }

    /// Whether a unit's score depends on its own children only (the weighted means, the
    /// minimum, the median): missing children are skipped and a fitted pipeline can apply it
    /// to new data. Whole-matrix methods (Copeland, MPI, TOPSIS, ...) compare units.
    pub fn per_unit(&self) -> bool {
        self.method().per_unit()
    }

    /// The method's options checked.
    ///
    /// # Errors
    /// [`Error::Spec`] naming the option and its valid range.
    pub fn check(&self) -> Result<()> {
        self.method().check().map_err(|m| Error::spec("aggregate step", m))
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
        if let Some(mean) = self.method().mean() {
            return means::aggregate_columns(mean, scores.view(), children, w, min_coverage).map_err(|(row, msg)| Error::Method {
                method: self.name().into(),
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
    /// Scores of every unit (row of `x`, one column per child) under weights `w`; a per-unit
    /// method's score is missing where fewer than `min_coverage` of the children are present.
    /// Errors are positions (unit row, child column), named by the caller only if it fails.
    pub(crate) fn score_whole(&self, x: ArrayView2<'_, f64>, w: &[f64], min_coverage: f64) -> matrix::KResult<ndarray::Array1<f64>> {
        if w.len() != x.ncols() {
            return Err(matrix::Fail::new(format!("{} weights for {} children", w.len(), x.ncols())));
        }
        let mut out = matrix::run(self, x, w)?;
        if self.per_unit() {
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
            m.check()?;
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

    /// The registry's generated tables agree: every example reads back from its document as
    /// itself, its `method` tag is its name, the names are `METHODS` in order and unique, and
    /// each method's file describes it.
    #[test]
    fn method_names_are_the_enum() {
        let examples = Aggregator::examples();
        let names: Vec<&str> = examples.iter().map(Aggregator::name).collect();
        assert_eq!(names, Aggregator::METHODS);
        for a in &examples {
            let doc = serde_json::to_value(a).unwrap();
            assert_eq!(doc["method"], a.name());
            assert_eq!(&serde_json::from_value::<Aggregator>(doc).unwrap(), a);
            let toml = toml::to_string(a).unwrap();
            assert_eq!(&toml::from_str::<Aggregator>(&toml).unwrap(), a, "{toml}");
            assert!(a.about().contains(" · "), "{}: bilingual about line", a.name());
            a.check().unwrap();
        }
        let mut sorted = Aggregator::METHODS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), Aggregator::METHODS.len());
        assert!(serde_json::from_str::<Aggregator>(r#"{"method":"no_such_method"}"#).is_err());
    }

    /// Documents written before the registry read the same: the options, their defaults and
    /// the serialised form.
    #[test]
    fn documents_read_as_before() {
        let a: Aggregator = serde_json::from_str(r#"{"method":"topsis","normalisation":"minmax"}"#).unwrap();
        assert_eq!(
            a,
            Aggregator::Topsis(Topsis {
                normalisation: matrix::TopsisNormalisation::Minmax
            })
        );
        let a: Aggregator = serde_json::from_str(r#"{"method":"grey_relational"}"#).unwrap();
        assert_eq!(a, Aggregator::GreyRelational(GreyRelational { rho: 0.5 }));
        let a: Aggregator = serde_json::from_str(r#"{"method":"geometric"}"#).unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"method":"geometric"}"#);
        assert!(
            serde_json::from_str::<Aggregator>(r#"{"method":"generalised"}"#).is_err(),
            "p is required"
        );
        let step: Aggregate = toml::from_str(
            "method = \"vikor\"\nv = 0.3\nmin_coverage = 0.5\n[[overrides]]\nlevel = 2\nmethod = \"geometric\"\nshift = 1.0\n",
        )
        .unwrap();
        assert_eq!(
            step.method,
            Aggregator::Vikor(Vikor {
                v: 0.3,
                output: matrix::VikorOutput::OneMinusQ
            })
        );
        assert_eq!(step.overrides[0].method, Aggregator::Geometric(Geometric { shift: 1.0 }));
        let back: Aggregate = toml::from_str(&toml::to_string(&step).unwrap()).unwrap();
        assert_eq!(back, step);
        let bad: Aggregate = toml::from_str("method = \"vikor\"\nv = 2.0\n").unwrap();
        assert!(bad
            .check(&crate::Framework::from_toml_str("version = 1\n[[nodes]]\nid = \"I\"\n[[nodes]]\nid = \"a\"\nparent = \"I\"\n").unwrap())
            .unwrap_err()
            .to_string()
            .contains("VIKOR v = 2"));
    }
}
